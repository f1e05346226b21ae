import type { Context } from "hono";
import type { AppEnv } from "../http/mod.ts";
import { languageTag, textDirection } from "../i18n/mod.ts";

/**
 * The browsable API reference (`GET /api/v1/docs`): Swagger UI from the swagger-ui-dist
 * package, served by us at /vendor (no CDN: the page works offline and under our CSP, which
 * allows no inline script or style), started by static/api_docs.js over our own document.
 */
export function apiDocsPage(c: Context<AppEnv>) {
  const t = c.get("t");
  return c.html(
    <html lang={languageTag(c.get("lang") ?? "en")} dir={textDirection(c.get("lang") ?? "en")}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{t("api.docsTitle")}</title>
        <link rel="stylesheet" href="/vendor/swagger-ui.css" />
        <script src="/vendor/swagger-ui-bundle.js" defer></script>
        <script src="/static/api_docs.js" defer></script>
      </head>
      <body>
        <div id="swagger-ui" data-spec="/api/v1/openapi.json">
          <noscript>
            <p>{t("api.docsNeedsScript")}</p>
            <p>
              <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>
            </p>
          </noscript>
        </div>
      </body>
    </html>,
  );
}
