/**
 * `/console/computers` (permission `unattendedAccess`): the Computers page and its list
 * fragment, Connect (a new unattended session, then the console with its tab open),
 * Remove access (for everyone or just for me), and the approval workflow's requests and
 * decisions. A refusal (outside the window, offline, approval or ticket missing) shows the
 * page again with the reason, with the refusal's status.
 */
import { type Context, Hono } from "hono";
import {
  type AppEnv,
  type AuthedEnv,
  clientAddress,
  isHtmx,
  readForm,
  requirePermission,
} from "../http/mod.ts";
import { ConnectCredentialsSchema } from "../../protocol/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import { settingsFor } from "../support/mod.ts";
import { decideApproval, myApprovals, pendingApprovalsFor, requestApproval } from "./approvals.ts";
import { type ComputerFilter, computersFor } from "./computers.ts";
import { connectUnattended } from "./connect.ts";
import { removeAccess } from "./devices.ts";
import { ComputerList, ComputersPage } from "./views.tsx";
import { lanRoutes } from "./lan_routes.tsx";

type C = Context<AuthedEnv>;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function _filter(c: C): ComputerFilter {
  const status = c.req.query("status");
  return {
    name: (c.req.query("name") ?? "").slice(0, 120),
    status: status === "online" || status === "offline" ? status : "all",
  };
}

function _id(c: C, name = "id"): string {
  const id = c.req.param(name) ?? "";
  if (!UUID.test(id)) throw new Refusal(404, "unattended.unknownDevice");
  return id;
}

async function _page(c: C, flash?: { kind: "error" | "info"; message: string }, status = 200) {
  const deps = c.get("deps");
  const user = c.get("user");
  const filter = _filter(c);
  const rows = await computersFor(deps, user, filter);
  const settings = await settingsFor(deps.db, user.groupId);
  const props = {
    c,
    rows,
    filter,
    mode: settings.unattendedApproval,
    mine: await myApprovals(deps, user, rows.map((row) => row.device.id)),
    pending: await pendingApprovalsFor(deps, user),
    flash,
  };
  c.header("Vary", "HX-Request");
  if (isHtmx(c) && !flash) {
    return c.html(
      <div
        id="computer-list"
        hx-get={c.req.url.replace(/^https?:\/\/[^/]+/, "")}
        hx-trigger="every 5s"
        hx-swap="outerHTML"
      >
        <ComputerList {...props} />
      </div>,
    );
  }
  return c.html(<ComputersPage {...props} />, status as 200);
}

/** Shows a refusal on the page itself (the reason in words, the refusal's status). */
async function _orRefused(c: C, work: () => Promise<Response>): Promise<Response> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof Refusal) || error.status === 403 || error.status >= 500) throw error;
    const message = c.get("t")(error.key, error.params);
    return await _page(c, { kind: "error", message }, error.status);
  }
}

const DONE = ["removed", "removedForMe", "asked", "approved", "declined"] as const;

export const computerRoutes = new Hono<AppEnv>()
  .use("*", requirePermission("unattendedAccess"))
  .get("/", (c) => {
    const done = c.req.query("done");
    const known = DONE.find((d) => d === done);
    return _page(
      c,
      known ? { kind: "info", message: c.get("t")(`unattended.done.${known}`) } : undefined,
    );
  })
  .post("/approvals/:approval", async (c) => {
    const form = await readForm(c);
    const approve = form.decision === "approve";
    if (!approve && form.decision !== "decline") throw new Refusal(400, "errors.badForm");
    await decideApproval(c.get("deps"), c.get("user"), _id(c, "approval"), approve);
    return c.redirect(`/console/computers?done=${approve ? "approved" : "declined"}`, 303);
  })
  .post("/:id/connect", (c) =>
    _orRefused(c, async () => {
      const deps = c.get("deps");
      const form = await readForm(c);
      const { session } = await connectUnattended(deps, c.get("user"), _id(c), deps.clock.now(), {
        ticket: typeof form.ticket === "string" ? form.ticket : "",
        ip: clientAddress(c),
        credentials: _credentials(form),
      });
      return c.redirect(`/console?open=${session.id}`, 303);
    }))
  .post("/:id/approval", (c) =>
    _orRefused(c, async () => {
      const form = await readForm(c);
      const reason = typeof form.reason === "string" ? form.reason : "";
      await requestApproval(c.get("deps"), c.get("user"), _id(c), reason);
      return c.redirect("/console/computers?done=asked", 303);
    }))
  .post("/:id/remove", (c) =>
    _orRefused(c, async () => {
      const deps = c.get("deps");
      const form = await readForm(c);
      const scope = form.scope === "everyone" ? "everyone" : form.scope === "me" ? "me" : null;
      if (!scope) throw new Refusal(400, "errors.badForm");
      const { deviceRemoved } = await removeAccess(deps, c.get("user"), _id(c), scope);
      return c.redirect(
        `/console/computers?done=${deviceRemoved ? "removed" : "removedForMe"}`,
        303,
      );
    }))
  // LAN connect (SPEC C9): "Computers on this network" from one of these computers.
  .route("/", lanRoutes);

/** The OS credentials typed at Connect, when both were given (they are optional). */
function _credentials(form: Record<string, unknown>) {
  const user = typeof form.osUser === "string" ? form.osUser.trim() : "";
  const password = typeof form.osPassword === "string" ? form.osPassword : "";
  if (!user && !password) return undefined;
  const parsed = ConnectCredentialsSchema.safeParse({ user, password });
  if (!parsed.success) throw new Refusal(400, "unattended.signIn.incomplete");
  return parsed.data;
}
