import type { Context, MiddlewareHandler } from "hono";
import { Refusal } from "../refusal/mod.ts";
import { localRedirectPath } from "./redirect.ts";
import type { AppEnv, AuthedEnv, CurrentUser, PageContext, Role } from "./types.ts";
import { can, type Permission } from "../permissions/mod.ts";

/**
 * Requires a fully signed-in user. Browsers are sent to the sign-in page (htmx gets an
 * HX-Redirect); API clients get a 401 problem.
 */
export function requireUser(): MiddlewareHandler<AuthedEnv> {
  return async (c, next) => {
    // Here AuthedEnv becomes true: before the guard, the user may be absent.
    if (c.get("user") as CurrentUser | undefined) return await next();
    if (c.req.path.startsWith("/api/")) throw new Refusal(401, "errors.unauthenticated");
    const back = pageToReturnTo(c);
    const signIn = back ? `/signin?next=${encodeURIComponent(back)}` : "/signin";
    if (c.req.header("hx-request") === "true") {
      c.header("HX-Redirect", signIn);
      return c.body(null, 401);
    }
    return c.redirect(signIn, 303);
  };
}

/**
 * Where sign-in leads back to: the page itself for a GET; for htmx the page the fragment was
 * asked from (the fragment's own address is no page); none for a plain form's POST.
 */
function pageToReturnTo(c: Context): string | undefined {
  if (c.req.header("hx-request") === "true") {
    const current = c.req.header("hx-current-url");
    if (!current || !URL.canParse(current)) return undefined;
    const url = new URL(current);
    return localRedirectPath(url.pathname + url.search);
  }
  return c.req.method === "GET" ? localRedirectPath(c.req.path) : undefined;
}

/**
 * Requires a caller of a session's routes: a signed-in user (else as `requireUser`), or an
 * external technician on the routes under `/x` (`guest`, set there by modules/external). The
 * route's own caller check (support's `sessionForCaller`) says what either may do.
 */
export function requireCaller(): MiddlewareHandler<AppEnv> {
  const user = requireUser() as unknown as MiddlewareHandler<AppEnv>;
  return async (c, next) => {
    if (c.get("guest")) return await next();
    return await user(c, next);
  };
}

/** Where a session's routes live for this caller: under `/x` for a guest, else at the root. */
export function sessionRoot(c: PageContext): "" | "/x" {
  return c.get("guest") ? "/x" : "";
}

/** Requires one of `roles`; a signed-in user without it gets a 403. */
export function requireRole(...roles: Role[]): MiddlewareHandler<AuthedEnv> {
  const signedIn = requireUser();
  return (c, next) =>
    signedIn(c, async () => {
      if (!roles.includes(c.get("user").role)) throw new Refusal(403, "errors.forbidden");
      await next();
    });
}

/** Requires the signed-in user's group to grant `permission` (checked on every request). */
export function requirePermission(permission: Permission): MiddlewareHandler<AuthedEnv> {
  const signedIn = requireUser();
  return (c, next) =>
    signedIn(c, async () => {
      if (!can(c.get("user"), permission)) {
        throw new Refusal(403, "errors.permissionMissing", { params: { permission } });
      }
      await next();
    });
}
