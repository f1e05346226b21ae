import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { AppEnv } from "./types.ts";

export function isHtmx(c: Context): boolean {
  return c.req.header("hx-request") === "true";
}

/** An RFC 9457 problem document. */
export function problem<E extends AppEnv>(
  c: Context<E>,
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
