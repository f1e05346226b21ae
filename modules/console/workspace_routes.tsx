import { type Context, Hono } from "hono";
import { type AppEnv, type AuthedEnv, isHtmx, readForm, requireUser } from "../http/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import { attachmentDisposition } from "../files/mod.ts";
import { can } from "../permissions/mod.ts";
import {
  fileLimit,
  openFile,
  pushUrl,
  readLog,
  readNotes,
  readUpload,
  saveNote,
  sessionForTechnician,
  setChatEnabled,
  storeFile,
  technicianChat,
} from "../support/mod.ts";
import { canPushSurvey, pushSurvey } from "../surveys/mod.ts";
import { Layout } from "../../views/layout.tsx";
import { readConsoleOptions } from "./options.ts";
import { SessionPanel, type WorkspaceState } from "./workspace_panel.tsx";
import { NoteSaved } from "./workspace_tools.tsx";
import { DetachedFileManagerPage } from "./file_manager_view.tsx";
import { SessionLog } from "./workspace_views.tsx";
import { formatSize } from "../../protocol/size.ts";

type C = Context<AuthedEnv>;

/** Refusals the technician can fix by changing what they typed or chose. */
/** Runs a support-service call; a file over the limit gets the message naming the limit. */
async function _service<T>(c: C, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof Refusal && error.status === 413) throw _tooLarge(c);
    throw error;
  }
}

function _tooLarge(c: C): Refusal {
  const max = formatSize(fileLimit(c.get("deps")), c.get("t").lang);
  return new Refusal(413, "workspace.fileTooLarge", { params: { max } });
}

/** htmx gets an empty 204 (the live stream shows the new log line); a plain form goes back. */
function _done(c: C) {
  return isHtmx(c) ? c.body(null, 204) : c.redirect("/console", 303);
}

async function _workspace(c: C): Promise<WorkspaceState> {
  const deps = c.get("deps");
  const user = c.get("user");
  const id = c.req.param("id")!;
  let working = true;
  const found = await _service(c, async () => {
    try {
      return await sessionForTechnician(deps, user, id, "work");
    } catch (error) {
      if (!(error instanceof Refusal) || error.key !== "sessions.notWorking") throw error;
      working = false;
      return await sessionForTechnician(deps, user, id, "read");
    }
  });
  const [lines, notes, options] = await Promise.all([
    readLog(deps.db, id),
    readNotes(deps.db, id),
    readConsoleOptions(deps.db, user.id),
  ]);
  return {
    ...found,
    working,
    lines,
    note: notes.find((n) => n.userId === user.id)?.body ?? "",
    spellCheck: options.spellCheck,
    remoteOptions: {
      clipboardSync: options.clipboardSync,
      detached: options.detachRemoteViews,
    },
    fileLimit: fileLimit(c.get("deps")),
    surveyPushable: working && await canPushSurvey(deps, found.session),
  };
}

/**
 * `/console/sessions/:id…`: one session's workspace in the technician console (SPEC T1–T3,
 * T5) — the panel, the read-only log for monitoring admins, and the actions on it. Posts
 * answer htmx with 204 (the new log line reaches every console through the live stream)
 * and plain forms with a redirect back to the console.
 */
export const workspaceRoutes = new Hono<AppEnv>()
  .use("*", requireUser())
  .get("/:id", async (c) => {
    c.header("Vary", "HX-Request");
    const state = await _workspace(c);
    const panel = <SessionPanel c={c} state={state} />;
    if (isHtmx(c)) return c.html(panel);
    const t = c.get("t");
    return c.html(
      <Layout c={c} title={state.session.customerName}>
        <p>
          <a href="/console">{t("workspace.backToConsole")}</a>
        </p>
        <div class="workspace-page">{panel}</div>
        <div id="dialog"></div>
      </Layout>,
    );
  })
  // The file manager alone in its own window (file_manager_view.tsx).
  .get("/:id/file-manager-window", async (c) => {
    const user = c.get("user");
    if (!can(user, "fileManager")) {
      throw new Refusal(403, "errors.permissionMissing", { params: { permission: "fileManager" } });
    }
    const id = c.req.param("id");
    const { session, granted } = await _service(
      c,
      () => sessionForTechnician(c.get("deps"), user, id, "work"),
    );
    if (!can(granted, "fileManager")) {
      throw new Refusal(403, "errors.permissionMissing", { params: { permission: "fileManager" } });
    }
    return c.html(<DetachedFileManagerPage c={c} session={session} />);
  })
  .get("/:id/log", async (c) => {
    const deps = c.get("deps");
    const id = c.req.param("id");
    await _service(c, () => sessionForTechnician(deps, c.get("user"), id, "read"));
    const lines = await readLog(deps.db, id);
    return c.html(<SessionLog t={c.get("t")} sessionId={id} lines={lines} />);
  })
  .post("/:id/chat", async (c) => {
    const form = await readForm(c);
    const id = c.req.param("id");
    // "Only to technicians": the technicians' private chat (modules/collaboration).
    const audience = form.audience === "technicians" ? "technicians" : undefined;
    await _service(
      c,
      () =>
        technicianChat(c.get("deps"), c.get("user"), id, form.text ?? "", form.chatKey, {
          audience,
        }),
    );
    return _done(c);
  })
  .post("/:id/chat-enabled", async (c) => {
    const form = await readForm(c);
    if (form.enabled !== "0" && form.enabled !== "1") throw new Refusal(400, "errors.badForm");
    const id = c.req.param("id");
    const enabled = form.enabled === "1";
    await _service(c, () => setChatEnabled(c.get("deps"), c.get("user"), id, enabled));
    // The sender's panel follows at once; everyone else's follows the log line.
    c.header("HX-Trigger", JSON.stringify({ "workspace:chat": { sessionId: id, enabled } }));
    return _done(c);
  })
  .post("/:id/push-url", async (c) => {
    const form = await readForm(c);
    const id = c.req.param("id");
    await _service(c, () => pushUrl(c.get("deps"), c.get("user"), id, form.url ?? ""));
    return _done(c);
  })
  .post("/:id/survey", async (c) => {
    await _service(c, () => pushSurvey(c.get("deps"), c.get("user"), c.req.param("id")));
    return _done(c);
  })
  .post("/:id/files", async (c) => {
    const deps = c.get("deps");
    const user = c.get("user");
    if (!can(user, "sendFiles")) {
      throw new Refusal(403, "errors.permissionMissing", { params: { permission: "sendFiles" } });
    }
    const id = c.req.param("id");
    const { session, granted } = await _service(
      c,
      () => sessionForTechnician(deps, user, id, "work"),
    );
    if (!can(granted, "sendFiles")) {
      throw new Refusal(403, "errors.permissionMissing", { params: { permission: "sendFiles" } });
    }
    await _service(c, async () => {
      const upload = await readUpload(c, fileLimit(deps));
      if (!upload) throw new Refusal(422, "workspace.noFile");
      await storeFile(deps, session, upload, { direction: "to_customer", user }, fileLimit(deps));
    });
    return _done(c);
  })
  .get("/:id/files/:fileId", async (c) => {
    const deps = c.get("deps");
    const id = c.req.param("id");
    const user = c.get("user");
    const { entry } = await _service(c, () => sessionForTechnician(deps, user, id, "read"));
    // What the customer sends is for the lead, not its collaborators (SPEC K3).
    if (entry.userId === user.id && entry.role === "collaborator") {
      throw new Refusal(403, "collaboration.noCustomerFiles");
    }
    const opened = await openFile(deps, id, c.req.param("fileId"), "to_technician");
    if (!opened) throw new Refusal(404, "workspace.fileNotFound");
    return c.body(opened.body, 200, {
      "content-type": opened.file.contentType,
      "content-length": String(opened.size),
      "content-disposition": attachmentDisposition(opened.file.name),
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    });
  })
  .post("/:id/notes", async (c) => {
    const form = await readForm(c);
    const deps = c.get("deps");
    const id = c.req.param("id");
    await _service(c, () => saveNote(deps, c.get("user"), id, form.note ?? ""));
    if (isHtmx(c)) return c.html(<NoteSaved c={c} at={deps.clock.now()} />);
    return c.redirect("/console", 303);
  });
