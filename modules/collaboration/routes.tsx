/**
 * `/console/sessions/:id/…` for internal collaboration (SPEC K1, K3): the Invite technician
 * dialog and its post, who is in the session (the workspace's participants list), and the
 * lead's and collaborators' buttons. Each handler parses, calls the service (which checks
 * the caller again) and answers htmx with a fragment or 204 — the consoles follow the
 * session's live rows.
 */
import { type Context, Hono } from "hono";
import {
  type AppEnv,
  type AuthedEnv,
  isHtmx,
  readForm,
  requirePermission,
  requireUser,
} from "../http/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import { sessionForTechnician } from "../support/mod.ts";
import { colleaguesFor } from "./colleagues.ts";
import { collaboratorsOf } from "./participants.ts";
import {
  acceptLead,
  cancelHandOver,
  handOverLead,
  inviteTechnician,
  leaveSession,
  removeCollaborator,
  setCollaboratorPermissions,
  withdrawInvitation,
} from "./service.ts";
import { InviteDialog, ParticipantList, SESSION_PERMISSIONS } from "./views.tsx";

type C = Context<AuthedEnv>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function _done(c: C) {
  return isHtmx(c) ? c.body(null, 204) : c.redirect("/console", 303);
}

/** The ticked `perm_<id>` boxes of a form, as a permission set. */
function _permissions(form: Record<string, string>): string[] {
  return SESSION_PERMISSIONS.filter((id) => form[`perm_${id}`] === "1");
}

function _userId(c: C): string {
  const id = c.req.param("userId") ?? "";
  if (!UUID.test(id)) throw new Refusal(404, "collaboration.notCollaborator");
  return id;
}

/** A lead's or collaborator's button on a session: the service call, then 204. */
function _act(
  action: (c: C, sessionId: string) => Promise<unknown>,
) {
  return async (c: C) => {
    await action(c, c.req.param("id") ?? "");
    return _done(c);
  };
}

export const collaborationRoutes = new Hono<AppEnv>()
  .use("*", requireUser())
  .get("/:id/invite", requirePermission("inviteInternal"), async (c) => {
    const deps = c.get("deps");
    const user = c.get("user");
    const { session } = await sessionForTechnician(deps, user, c.req.param("id"), "work");
    const colleagues = await colleaguesFor(deps, user);
    return c.html(
      <InviteDialog c={c} sessionId={session.id} number={session.number} colleagues={colleagues} />,
    );
  })
  .post("/:id/invite", requirePermission("inviteInternal"), async (c) => {
    const form = await readForm(c);
    if (!form.userId) throw new Refusal(422, "collaboration.pickColleague");
    const { name } = await inviteTechnician(c.get("deps"), c.get("user"), c.req.param("id"), {
      userId: form.userId,
      permissions: _permissions(form),
      note: form.note ?? "",
    });
    if (!isHtmx(c)) return c.redirect("/console", 303);
    const said = c.get("t")("collaboration.invited", { name });
    return c.html(<p class="flash info" role="status">{said}</p>);
  })
  .get("/:id/participants", async (c) => {
    const deps = c.get("deps");
    const { session } = await sessionForTechnician(deps, c.get("user"), c.req.param("id"), "read");
    const people = await collaboratorsOf(deps, session.id);
    return c.html(<ParticipantList c={c} sessionId={session.id} people={people} />);
  })
  .post(
    "/:id/collaborators/:userId/withdraw",
    _act((c, id) => withdrawInvitation(c.get("deps"), c.get("user"), id, _userId(c))),
  )
  .post(
    "/:id/collaborators/:userId/remove",
    _act((c, id) => removeCollaborator(c.get("deps"), c.get("user"), id, _userId(c))),
  )
  .post(
    "/:id/collaborators/:userId/lead",
    _act((c, id) => handOverLead(c.get("deps"), c.get("user"), id, _userId(c))),
  )
  .post(
    "/:id/collaborators/:userId/permissions",
    _act(async (c, id) => {
      const form = await readForm(c);
      const userId = _userId(c);
      await setCollaboratorPermissions(
        c.get("deps"),
        c.get("user"),
        id,
        userId,
        _permissions(form),
      );
    }),
  )
  .post("/:id/handover/cancel", _act((c, id) => cancelHandOver(c.get("deps"), c.get("user"), id)))
  .post("/:id/accept_lead", _act((c, id) => acceptLead(c.get("deps"), c.get("user"), id)))
  .post("/:id/leave", _act((c, id) => leaveSession(c.get("deps"), c.get("user"), id)));
