import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { Refusal } from "../refusal/mod.ts";
import { ErrorPage } from "../../views/error_page.tsx";
import type { AppEnv } from "./types.ts";

export function isHtmx(c: Context): boolean {
  return c.req.header("hx-request") === "true";
}

/** An RFC 9457 problem document. */
export function problem(
  c: Context<AppEnv>,
  status: ContentfulStatusCode,
  detail: string,
  extra: Record<string, unknown> = {},
) {
  return c.body(
    JSON.stringify({
      type: "about:blank",
      title: statusTitle(status),
      status,
      detail,
      requestId: c.get("requestId"),
      ...extra,
    }),
    status,
    { "content-type": "application/problem+json" },
  );
}

/** Renders an error for a browser (page, or a fragment for htmx) or an API client. */
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
  return c.html(
    <ErrorPage c={c} status={error.status} message={message} />,
    error.status,
  );
}

function statusTitle(status: number): string {
  return ({
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    409: "Conflict",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Content",
    423: "Locked",
    429: "Too Many Requests",
    500: "Internal Server Error",
  } as Record<number, string>)[status] ?? "Error";
}
