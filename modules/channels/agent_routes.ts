/**
 * `/agent/channel/:slug`: a channel's form for the calling card's window (SPEC C6, issue 19).
 * The support app started from a calling card asks the customer the channel's own questions in
 * its own window, so it needs the server's field definitions (`GET`: the built-in name and the
 * channel's active custom fields, in the channel's order, and whether it takes sessions now)
 * and a way to submit them (`POST`, JSON `{name, fields: {<fieldId>: value}}`). The POST runs
 * exactly what the web form (`POST /c/:slug`) runs — opening hours and availability, the
 * per-address submission throttle, `readCustomerForm`, the session hook — and answers the new
 * session's link for the app to join instead of redirecting a browser there. Answers are
 * codes, not sentences: the app words them in the customer's language itself.
 *
 * No cookie is read or set here, so the path is CSRF-exempt; a POST must say
 * `application/json`, which no cross-site form can send without a preflight we never answer.
 */
import { type Context, Hono } from "hono";
import type { AppEnv } from "../http/mod.ts";
import { isOpen } from "./opening_hours.ts";
import {
  CUSTOMER_NAME_MAX,
  findPublicChannel,
  type PublicChannel,
  readCustomerForm,
} from "./public.ts";
import type { ChannelSessionHooks } from "./public_routes.tsx";

type C = Context<AppEnv>;

/** Why a channel does not take a session now (the app says it in its own words). */
async function _closedBecause(c: C, hooks: ChannelSessionHooks, found: PublicChannel) {
  if (!isOpen(found.channel.openingHours, c.get("deps").clock.now())) return "closed";
  return await hooks.anyoneAvailable(c, found) ? null : "unavailable";
}

export function channelAgentRoutes(hooks: ChannelSessionHooks) {
  return new Hono<AppEnv>()
    .use("*", async (c, next) => {
      await next();
      c.header("Cache-Control", "no-store");
    })
    .get("/:slug", async (c) => {
      const found = await findPublicChannel(c.get("deps").db, c.req.param("slug"));
      if (!found) return c.json({ error: "not_found" }, 404);
      return c.json({
        name: found.channel.name,
        closed: await _closedBecause(c, hooks, found),
        nameMaxLength: CUSTOMER_NAME_MAX,
        fields: found.fields,
      });
    })
    .post("/:slug", async (c) => {
      if (!/^application\/json\b/i.test(c.req.header("content-type") ?? "")) {
        return c.json({ error: "json_only" }, 415);
      }
      const found = await findPublicChannel(c.get("deps").db, c.req.param("slug"));
      if (!found) return c.json({ error: "not_found" }, 404);
      const closed = await _closedBecause(c, hooks, found);
      if (closed) return c.json({ error: closed }, 409);
      const wait = await hooks.submissionWait(c);
      if (wait !== null) {
        c.header("Retry-After", String(wait));
        return c.json({ error: "throttled", retryAfterSeconds: wait }, 429);
      }
      const body = await c.req.json().catch(() => null) as
        | { name?: unknown; fields?: Record<string, unknown> }
        | null;
      // The web form's shape (`name`, `f_<fieldId>`), so the one reader checks both alike.
      const form: Record<string, string> = {};
      if (typeof body?.name === "string") form.name = body.name;
      for (const field of found.fields) {
        const value = body?.fields?.[field.id];
        if (typeof value === "string") form[`f_${field.id}`] = value;
      }
      const { values, problems } = readCustomerForm(form, found.fields, { contact: false });
      if (problems.length > 0) return c.json({ error: "invalid", problems }, 422);
      const token = await hooks.createSession(c, found, values);
      return c.json({ link: new URL(`/s/${token}`, c.get("deps").config.publicUrl).href });
    });
}
