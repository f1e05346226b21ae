/**
 * The lead technician's routes for external technicians, beside the workspace:
 * `GET|POST /console/sessions/:id/external` (the invite dialog and the invitation, with
 * `inviteExternal`), `GET …/external/list` (the session's external technicians, for anyone
 * working it) and `POST …/external/:guestId/remove` (the lead).
 */
import { type Context, Hono } from "hono";
import { type AppEnv, type AuthedEnv, requirePermission, requireUser } from "../http/mod.ts";
import { isStaffLanguage } from "../i18n/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import { sessionForTechnician } from "../support/mod.ts";
import { listApproved } from "./approved.ts";
import {
  allowedMethods,
  grantable,
  guestsOf,
  inviteExternal,
  ledSession,
  removeGuest,
} from "./invite.ts";
import { InvitedDialog, InviteDialog, Participants } from "./console_views.tsx";

type C = Context<AuthedEnv>;
const BASE = "/console/sessions/:id/external";

export const externalConsoleRoutes = new Hono<AppEnv>()
  .use(BASE, requirePermission("inviteExternal"))
  .use(`${BASE}/*`, requireUser())
  .get(BASE, async (c) => await _dialog(c))
  .post(BASE, async (c) => {
    const deps = c.get("deps");
    const user = c.get("user");
    const body = await c.req.parseBody({ all: true }).catch(() => {
      throw new Refusal(400, "errors.badForm");
    });
    const one = (name: string) => {
      const value = body[name];
      return typeof value === "string" ? value : "";
    };
    const wanted = body.permissions;
    const permissions = (Array.isArray(wanted) ? wanted : wanted ? [wanted] : [])
      .filter((p): p is string => typeof p === "string");
    const lang = c.get("lang");
    try {
      const invitation = await inviteExternal(deps, user, c.req.param("id"), {
        approvedId: one("approvedId") || undefined,
        name: one("name"),
        email: one("email"),
        method: one("method"),
        permissions,
        minutes: Number(one("minutes")),
        lang: isStaffLanguage(lang) ? lang : "en",
      });
      c.header("HX-Trigger", "externalChanged");
      const pinUrl = `${deps.config.publicUrl.replace(/\/$/, "")}/x/pin`;
      return c.html(<InvitedDialog c={c} invitation={invitation} pinUrl={pinUrl} />);
    } catch (error) {
      // What the lead can fix is shown in the dialog; anything else is the usual refusal.
      if (!(error instanceof Refusal) || !error.key.startsWith("external.errors.")) throw error;
      if (error.key === "external.errors.notLead") throw error;
      return await _dialog(c, c.get("t")(error.key), error.status as 403 | 404 | 422);
    }
  })
  .get(`${BASE}/list`, async (c) => await _participants(c))
  .post(`${BASE}/:guestId/remove`, async (c) => {
    await removeGuest(c.get("deps"), c.get("user"), c.req.param("id"), c.req.param("guestId"));
    c.header("HX-Trigger", "externalChanged");
    if (c.req.header("hx-request") !== "true") {
      return c.redirect(`/console?session=${c.req.param("id")}`, 303);
    }
    return await _participants(c);
  });

async function _dialog(c: C, error?: string, status: 200 | 403 | 404 | 422 = 200) {
  const deps = c.get("deps");
  const user = c.get("user");
  const session = await ledSession(deps, user, c.req.param("id") ?? "");
  return c.html(
    <InviteDialog
      c={c}
      sessionId={session.id}
      number={session.number}
      approved={await listApproved(deps.db, user.orgId)}
      methods={await allowedMethods(deps.db, user)}
      grantable={grantable(user)}
      error={error}
    />,
    status,
  );
}

async function _participants(c: C) {
  const deps = c.get("deps");
  const user = c.get("user");
  const { session, entry } = await sessionForTechnician(
    deps,
    user,
    c.req.param("id") ?? "",
    "read",
  );
  const lead = entry.userId === user.id && entry.role === "lead" && entry.status === "active";
  return c.html(
    <Participants
      c={c}
      sessionId={session.id}
      guests={await guestsOf(deps.db, session.id)}
      lead={lead}
    />,
  );
}
