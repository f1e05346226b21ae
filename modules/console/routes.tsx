import { type Context, Hono } from "hono";
import { eq } from "drizzle-orm";
import { organisations } from "../auth/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import {
  type AppDeps,
  type AppEnv,
  type AuthedEnv,
  clientAddress,
  type CurrentUser,
  isHtmx,
  liveStream,
  readForm,
  requirePermission,
  requireUser,
} from "../http/mod.ts";
import { deliverMail } from "../mail/mod.ts";
import { emailTextIn, renderTemplate } from "../org/mod.ts";
import { can } from "../permissions/mod.ts";
import { deliverSms, enqueueSms, type SmsDeps } from "../sms/mod.ts";
import {
  createPrivateSession,
  editFields,
  endSession,
  holdSession,
  isTechnicianAvailable,
  presenceOf,
  queueFor,
  returnTransfer,
  sessionForTechnician,
  settingsFor,
  type SmsSender,
  startSession,
  transferSession,
  viewerFor,
} from "../support/mod.ts";
import { listFields } from "../channels/mod.ts";
import { CONNECTION_METHODS, type ConnectionMethod } from "./methods.ts";
import {
  CreatedSessionView,
  type CreatedView,
  emptyDraft,
  mailtoHref,
  NewSessionDialog,
  readNewSession,
} from "./new_session.tsx";
import { readConsoleOptions } from "./options.ts";
import { consoleOptionsRoutes } from "./options_routes.tsx";
import { rowContextFor } from "./queue_context.ts";
import { renderRows } from "./row_cache.tsx";
import { startConsoleStream } from "./stream.ts";
import { parseTarget, TransferDialog, transferTargets } from "./transfer.tsx";
import { ConsoleHome } from "./views.tsx";
import { workspaceRoutes } from "./workspace_routes.tsx";

type C = Context<AuthedEnv>;

/** htmx gets 204 (the live stream brings the new rows); a plain form goes back. */
function _done(c: C) {
  return isHtmx(c) ? c.body(null, 204) : c.redirect("/console", 303);
}

function _method(c: C, value: string | undefined): ConnectionMethod {
  const method = value ?? "pin";
  if (!Object.hasOwn(CONNECTION_METHODS, method)) {
    throw new Refusal(400, "console.unknownMethod");
  }
  const needed = CONNECTION_METHODS[method as ConnectionMethod];
  if (!can(c.get("user"), needed)) {
    throw new Refusal(403, "errors.permissionMissing", { params: { permission: needed } });
  }
  return method as ConnectionMethod;
}

async function _formFields(c: C) {
  const rows = await listFields(c.get("deps").db, c.get("user").orgId, { activeOnly: true });
  return rows.map((f) => ({ id: f.id, label: f.label, maxLength: f.maxLength }));
}

/** A row button (Start, Hold, End, Return): the service call, then 204 for htmx. */
function _act(action: (deps: AppDeps, user: CurrentUser, sessionId: string) => Promise<void>) {
  return async (c: C) => {
    await action(c.get("deps"), c.get("user"), c.req.param("id")!);
    return _done(c);
  };
}

/** SMS invitations (method "sms") go through the SMS outbox, in the session's transaction. */
function _smsSender(deps: SmsDeps): SmsSender {
  const gatewayConfigured = Boolean(deps.smsGateway ?? deps.config.smsGatewayUrl);
  return (tx, message) => enqueueSms(tx, { ...message, gatewayConfigured });
}

async function _create(c: C) {
  const deps = c.get("deps");
  const user = c.get("user");
  const form = await readForm(c);
  const method = _method(c, form.method);
  const fields = await _formFields(c);
  const { draft, problems } = readNewSession(form, method, fields, { language: c.get("lang") });
  if (Object.keys(problems).length > 0) {
    return c.html(
      <NewSessionDialog c={c} method={method} fields={fields} draft={draft} problems={problems} />,
      422,
    );
  }
  const [org] = await deps.db.select({ name: organisations.name }).from(organisations)
    .where(eq(organisations.id, user.orgId));
  const byClient = method === "email" && draft.via === "client";
  const created = await createPrivateSession(deps, user, {
    method,
    customerName: draft.name,
    fields: draft.fields,
    contact: byClient || method === "pin" || method === "link" ? undefined : draft.contact,
    ip: clientAddress(c),
  }, { sendSms: _smsSender(deps), organisation: org?.name ?? "", language: draft.language });
  const view: CreatedView = {
    method,
    pin: created.session.pin ?? "",
    link: created.link,
    number: created.session.number,
    sessionId: created.session.id,
  };
  if (byClient) {
    const text = emailTextIn(await settingsFor(deps.db, user.groupId), draft.language);
    const values = {
      customerName: draft.name,
      technicianName: user.name,
      link: created.link,
      pin: view.pin,
      organisation: org?.name ?? "",
    };
    view.mailto = mailtoHref(
      draft.contact,
      renderTemplate(text.emailSubject, values),
      renderTemplate(text.emailTemplate, values),
    );
  } else if (created.messageId && method === "email") {
    view.delivery = "email";
    await deliverMail(deps, [created.messageId]);
  } else if (created.messageId && method === "sms") {
    view.delivery = "sms";
    await deliverSms(deps, [created.messageId]);
  }
  return c.html(<CreatedSessionView c={c} created={view} />, 201);
}

/**
 * The technician console at `/console` (SPEC Q1–Q7): the page, its live stream, the New
 * session dialog, the row actions and transfer dialog, inline edits, and — mounted here —
 * the console options and each session's workspace.
 */
export const consoleRoutes = new Hono<AppEnv>()
  .use("*", requireUser())
  .route("/options", consoleOptionsRoutes)
  .get("/", async (c) => {
    const deps = c.get("deps");
    const user = c.get("user");
    const [viewer, ctx, options] = await Promise.all([
      viewerFor(deps.db, user),
      rowContextFor(deps, user, c.get("t")),
      readConsoleOptions(deps.db, user.id),
    ]);
    const [rows, presence, settings] = await Promise.all([
      queueFor(deps.db, viewer),
      user.groupId
        ? presenceOf(deps.db, [user.groupId], deps.clock.now()).then((p) => p.get(user.id))
        : undefined,
      settingsFor(deps.db, user.groupId),
    ]);
    const rowsHtml = await renderRows(deps, rows, ctx);
    return c.html(
      <ConsoleHome
        c={c}
        rows={rows}
        rowsHtml={rowsHtml}
        ctx={ctx}
        options={options}
        now={deps.clock.now()}
        presence={presence}
        monitoringShown={settings.monitoringNotice || settings.monitoringAuthorisation}
      />,
    );
  })
  .get("/events", async (c) => {
    const deps = c.get("deps");
    const user = c.get("user");
    const [viewer, ctx, options, settings] = await Promise.all([
      viewerFor(deps.db, user),
      rowContextFor(deps, user, c.get("t")),
      readConsoleOptions(deps.db, user.id),
      settingsFor(deps.db, user.groupId),
    ]);
    const autoStart = options.autoStartPrivate || settings.autoStartPrivate;
    return await liveStream(
      c,
      (stream) => startConsoleStream(deps, stream, { user, viewer, ctx, autoStart }),
    );
  })
  .get("/new-session", requirePermission("startPrivate"), async (c) => {
    const method = _method(c, c.req.query("method"));
    const draft = emptyDraft(Boolean(c.get("deps").config.smtpUrl), c.get("lang"));
    const fields = await _formFields(c);
    return c.html(<NewSessionDialog c={c} method={method} fields={fields} draft={draft} />);
  })
  .post("/sessions", requirePermission("startPrivate"), _create)
  .post("/sessions/:id/start", _act(startSession))
  .post("/sessions/:id/hold", _act(holdSession))
  .post("/sessions/:id/end", _act(endSession))
  .post("/sessions/:id/return", _act(returnTransfer))
  .get("/sessions/:id/transfer", requirePermission("transfer"), async (c) => {
    const deps = c.get("deps");
    const user = c.get("user");
    const { session } = await sessionForTechnician(deps, user, c.req.param("id"), "read");
    const targets = await transferTargets(deps, user);
    return c.html(
      <TransferDialog c={c} sessionId={session.id} number={session.number} targets={targets} />,
    );
  })
  .post("/sessions/:id/transfer", requirePermission("transfer"), async (c) => {
    const deps = c.get("deps");
    const user = c.get("user");
    const form = await readForm(c);
    const target = parseTarget(form.target);
    if (!target) throw new Refusal(422, "console.pickTarget");
    if (target.kind === "technician" && !can(user, "seeOtherTechnicians")) {
      throw new Refusal(403, "errors.permissionMissing", {
        params: { permission: "seeOtherTechnicians" },
      });
    }
    const available = (id: string) => isTechnicianAvailable(deps.db, id, deps.clock.now());
    const id = c.req.param("id");
    const { to } = await transferSession(deps, user, id, target, form.note ?? "", available);
    if (!isHtmx(c)) return c.redirect("/console", 303);
    const said = c.get("t")("console.transferredTo", { name: to });
    return c.html(<p class="flash info" role="status">{said}</p>);
  })
  .post("/sessions/:id/fields", requirePermission("inlineEdit"), async (c) => {
    const form = await readForm(c);
    const patch: { customerName?: string; fields: Record<string, string> } = { fields: {} };
    if (form.customerName !== undefined) patch.customerName = form.customerName;
    for (const field of await _formFields(c)) {
      const value = form[`f_${field.id}`];
      if (value === undefined) continue;
      if (value.trim().length > field.maxLength) {
        throw new Refusal(422, "sessions.fieldTooLong");
      }
      patch.fields[field.id] = value.trim();
    }
    await editFields(c.get("deps"), c.get("user"), c.req.param("id"), patch);
    return _done(c);
  })
  .route("/sessions", workspaceRoutes);
