import type { Context } from "hono";
import { type AppEnv, isHtmx, problem } from "../http/mod.ts";
import type { Refusal } from "../refusal/mod.ts";
import { ErrorPage } from "../../views/error_page.tsx";

/**
 * The one place a refusal becomes a response (app.onError and notFound call it): an RFC 9457
 * problem document under /api/, a flash fragment for htmx, else the error page. Its headers
 * (Retry-After, Connection) go along.
 */
export function renderError(c: Context<AppEnv>, error: Refusal) {
  const t = c.get("t");
  const message = t ? t(error.key, error.params) : error.key;
  for (const [name, value] of Object.entries(error.headers)) c.header(name, value);
  if (c.req.path.startsWith("/api/")) return problem(c, error.status, message);
  if (isHtmx(c)) {
    c.header("HX-Retarget", "#flash");
    c.header("HX-Reswap", "innerHTML");
    return c.html(<p class="flash error" role="alert">{message}</p>, error.status);
  }
  return c.html(<ErrorPage c={c} status={error.status} message={message} />, error.status);
}
