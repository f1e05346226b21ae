/**
 * The workspace of one session in the technician console (SPEC T1–T3, T5, Q6), laid out like a
 * support console: the remote desktop takes the main area (the island shows a compact invite
 * panel while the customer's support app is not there), a side panel holds the session's
 * tools as tabs — chat and log first, then notes, then files and links. Only tools that exist
 * get a tab. The forms are in workspace_tools.tsx; static/workspace.js switches the tabs.
 */
import { type Tool, ToolTabs } from "./tool_tabs.tsx";
import type { Context } from "hono";
import type { Child } from "hono/jsx";
import type { AuthedEnv } from "../http/mod.ts";
import { can } from "../permissions/mod.ts";
import { isLanguage, languageName, languageTag } from "../i18n/mod.ts";
import { keepsEndedTab } from "../sessions/mod.ts";
import type { Entry, Granted, LogLine, SupportSession } from "../support/mod.ts";
import { type RemoteOptions, WorkspaceMain } from "./workspace_main.tsx";
import { SessionLog, translateStored } from "./workspace_views.tsx";
import {
  ChatForm,
  ChatToggle,
  NotesForm,
  PushSurveyForm,
  PushUrlForm,
  RepliesPicker,
  SendFileForm,
  sessionPath,
} from "./workspace_tools.tsx";

type C = Context<AuthedEnv>;

/** The History tab's content, served by modules/history (which reads the console's log view). */
const historyTabPath = (sessionId: string) => `/console/history/tab/${sessionId}`;

export interface WorkspaceState {
  session: SupportSession;
  /** The row whose status the header shows: the technician's own, else the one it sees. */
  entry: Entry;
  /** The own row is in a working status: the tools are shown. */
  working: boolean;
  /** What the technician may do in this session (a collaborator's set narrows its group's). */
  granted?: Granted;
  lines: LogLine[];
  /** This technician's note on the session so far. */
  note: string;
  spellCheck: boolean;
  /** The technician's console options for the remote view (SPEC Q7). */
  remoteOptions?: RemoteOptions;
  fileLimit: number;
  /** The session's group or channel has a customer survey not answered yet. */
  surveyPushable?: boolean;
}

/** The session panel: `#session-<id>`, the fragment a console tab loads. */
export function SessionPanel(props: { c: C; state: WorkspaceState }) {
  const { c, state } = props;
  const t = c.get("t");
  const { session, working } = state;
  const user = _sessionUser(c, state);
  const remote = working && (can(user, "desktopView") || can(user, "remoteControl"));
  const files = working && can(user, "fileManager");
  return (
    <section
      id={`session-${session.id}`}
      class={`workspace${remote ? " has-remote" : ""}${remote || files ? " has-main" : ""}`}
      data-active-session={session.id}
      data-invite={working
        ? t("workspace.inviteMessage", { link: t("agentDownload.link") })
        : undefined}
      aria-label={session.customerName}
    >
      <WorkspaceHead c={c} state={state} />
      {_endedOwn(c, state) && <EndedNotice c={c} state={state} />}
      <div class="workspace-body">
        {(remote || files) && (
          <div class="workspace-main">
            <WorkspaceMain
              c={c}
              session={session}
              user={user}
              remote={remote}
              files={files}
              remoteOptions={state.remoteOptions}
            />
          </div>
        )}
        {
          /* Not an <aside>: a complementary landmark may not sit inside the session's region;
            the tool tabs' tablist carries the name. */
        }
        <div class="workspace-side">
          <ToolTabs
            idPrefix="ws"
            scope={session.id}
            label={t("workspace.tools")}
            tools={_tools(c, state)}
            panelClass={(name) => `workspace-tool tool-${name}`}
          />
        </div>
      </div>
    </section>
  );
}

/**
 * The technician's own row ended under it (the customer closed the session, or it timed out):
 * the tab stays for reading until End clears the row (SPEC Q8 "Closed → Removed (End)").
 */
function _endedOwn(c: C, state: WorkspaceState): boolean {
  return !state.working && state.entry.userId === c.get("user").id &&
    keepsEndedTab(state.entry);
}

/**
 * Why it ended: a lead's row is Closed only by the customer; a collaborator's also when the lead
 * ends the session (SPEC Q8), which its row does not tell apart.
 */
function _endedKey(entry: Entry) {
  if (entry.status === "timed_out") return "workspace.endedTimedOut";
  return entry.role === "collaborator" ? "workspace.endedSession" : "workspace.endedClosed";
}

/** What happened and what is left to do, in words, with the End that clears row and tab. */
function EndedNotice(props: { c: C; state: WorkspaceState }) {
  const t = props.c.get("t");
  const { session, entry } = props.state;
  return (
    <div class="workspace-ended row" role="status" data-ended-notice="">
      <p>{t(_endedKey(entry))}</p>
      <button
        type="button"
        class="danger small"
        hx-post={`${sessionPath(session.id)}/end`}
        hx-swap="none"
        data-confirm-end={t("console.confirmEnd")}
      >
        {t("console.action_end")}
      </button>
    </div>
  );
}

/** The technician with the permissions it holds in this session (modules/collaboration). */
function _sessionUser(c: C, state: WorkspaceState) {
  const user = c.get("user");
  return state.granted ? { ...user, permissions: state.granted.permissions } : user;
}

function WorkspaceHead(props: { c: C; state: WorkspaceState }) {
  const { c, state } = props;
  const { session, entry, working } = state;
  const t = c.get("t");
  const user = _sessionUser(c, state);
  const more = _moreActions(c, state);
  return (
    <header class="workspace-head row">
      <h2>{session.customerName}</h2>
      <_CustomerLanguage c={c} spoken={session.customerLanguage} />
      <span class="session-number mono">{`#${session.number}`}</span>
      <span class="session-status" data-status={entry.status}>
        {translateStored(t, `status.${entry.status}`)}
      </span>
      {working && entry.role !== "collaborator" && can(user, "transfer") && (
        <button
          type="button"
          class="secondary small"
          hx-get={`${sessionPath(session.id)}/transfer`}
          hx-target="#dialog"
        >
          {t("workspace.transfer")}
        </button>
      )}
      {more.length > 0 && <_MoreActions t={t}>{more}</_MoreActions>}
      {working && (
        <div
          hx-get={`${sessionPath(session.id)}/external/list`}
          hx-trigger="load"
          hx-swap="outerHTML"
        >
        </div>
      )}
      {working && (
        <div
          class="participants-slot"
          hx-get={`${sessionPath(session.id)}/participants`}
          hx-trigger={`load, session-changed-${session.id} from:document`}
          hx-swap="innerHTML"
        >
        </div>
      )}
    </header>
  );
}

/**
 * The customer's language, in its own name, when it is not the technician's: the page or
 * the support app said which one the customer reads (they see everything in it; chat is
 * theirs to write).
 */
function _CustomerLanguage(props: { c: C; spoken: string | null }) {
  const { c, spoken } = props;
  if (!isLanguage(spoken) || spoken === c.get("lang")) return null;
  return (
    <span
      class="customer-language"
      lang={languageTag(spoken)}
      title={c.get("t")("workspace.customerLanguage", { language: languageName(spoken) })}
    >
      {languageName(spoken)}
    </span>
  );
}

/**
 * The header's less frequent buttons (restart, unattended access, calling card, invitations),
 * which go in one menu so the header stays one row with every tool, in Dutch at 1366 px too (as
 * a row of buttons they took two). static/console_shell.js closes the menu after a choice, on
 * Escape and on a click elsewhere.
 */
function _moreActions(c: C, state: WorkspaceState) {
  const { session, entry, working } = state;
  if (!working) return [];
  const t = c.get("t");
  const user = _sessionUser(c, state);
  const own = c.get("user");
  const active = entry.status === "active";
  const lead = entry.role === "lead" && active;
  const item = (path: string, label: string, data: string) => (
    <button
      type="button"
      class="secondary small"
      hx-get={`${sessionPath(session.id)}/${path}`}
      hx-target="#dialog"
      {...{ [`data-${data}`]: "" }}
    >
      {label}
    </button>
  );
  return [
    can(user, "reboot") && item("reboot", t("reboot.button"), "reboot"),
    active && can(own, "unattendedAccess") &&
    item("unattended", t("unattendedRequest.button"), "unattended"),
    active && can(own, "callingCard") &&
    item("calling-card", t("callingCards.button"), "calling-card"),
    // External technicians (modules/external): the lead of an Active session invites them.
    lead && can(own, "inviteExternal") &&
    item("external", t("external.invite.button"), "invite-external"),
    // Internal collaboration (modules/collaboration): the lead invites colleagues.
    lead && can(user, "inviteInternal") && can(user, "seeOtherTechnicians") &&
    item("invite", t("collaboration.invite"), "invite-technician"),
  ].filter((button) => button !== false);
}

function _MoreActions(props: { t: C["var"]["t"]; children: Child }) {
  return (
    <details class="menu head-menu" data-menu>
      <summary>{props.t("workspace.moreActions")}</summary>
      <div class="menu-list">{props.children}</div>
    </details>
  );
}

/** The side panel's tools this technician has on this session, in tab order. */
function _tools(c: C, state: WorkspaceState): Tool[] {
  const t = c.get("t");
  const user = _sessionUser(c, state);
  const id = state.session.id;
  const chat = (
    <>
      <SessionLog t={t} sessionId={id} lines={state.lines} />
      {state.working
        ? (
          <div class="workspace-chat">
            <ChatForm
              c={c}
              sessionId={id}
              enabled={state.session.chatEnabled}
              spellCheck={state.spellCheck}
            />
            <div class="row tight workspace-chat-extras">
              {can(user, "chatToggle") && (
                <ChatToggle c={c} sessionId={id} enabled={state.session.chatEnabled} />
              )}
              <RepliesPicker c={c} sessionId={id} />
              {state.surveyPushable && <PushSurveyForm c={c} sessionId={id} />}
            </div>
          </div>
        )
        : !_endedOwn(c, state) && <p class="muted workspace-readonly">{t("workspace.readOnly")}</p>}
    </>
  );
  const tools: Tool[] = [
    { name: "chat", label: t("workspace.tabChat"), body: chat },
    {
      name: "notes",
      label: t("workspace.tabNotes"),
      body: <NotesForm c={c} sessionId={id} note={state.note} />,
    },
  ];
  // Earlier sessions of this device or customer, loaded once the panel is in the page.
  tools.push({
    name: "history",
    label: t("workspace.tabHistory"),
    body: (
      <div hx-get={historyTabPath(id)} hx-trigger="load" hx-swap="innerHTML">
        <p class="muted">{t("workspace.historyLoading")}</p>
      </div>
    ),
  });
  const pushUrls = state.working && can(user, "pushUrls");
  const sendFiles = state.working && can(user, "sendFiles");
  if (pushUrls || sendFiles) {
    tools.push({
      name: "files",
      label: t("workspace.tabFiles"),
      body: (
        <>
          {sendFiles && <SendFileForm c={c} sessionId={id} limit={state.fileLimit} />}
          {pushUrls && <PushUrlForm c={c} sessionId={id} />}
        </>
      ),
    });
  }
  // The Scripts tab (modules/scripts): loaded once the panel is in the page, which also
  // starts the technician's run-at-start scripts once the customer allows scripts.
  if (state.working && (can(user, "scriptsDeploy") || can(user, "scriptsNested"))) {
    tools.push({
      name: "scripts",
      label: t("workspace.tabScripts"),
      body: (
        <div hx-get={`${sessionPath(id)}/scripts`} hx-trigger="load" hx-swap="outerHTML">
          <p class="muted">{t("workspace.scriptsLoading")}</p>
        </div>
      ),
    });
  }
  // System information (modules/sysinfo): its frame is loaded the first time the tab shows.
  if (state.working && can(user, "systemInfo")) {
    tools.push({
      name: "system",
      label: t("workspace.tabSystem"),
      body: (
        <div hx-get={`${sessionPath(id)}/system`} hx-trigger="intersect once" hx-swap="outerHTML">
          <p class="muted">{t("sysinfo.loading")}</p>
        </div>
      ),
    });
  }
  // Showing the technician's own screen to the customer (modules/remote present_routes.tsx):
  // loaded the first time the tab shows — its live line is one more stream per open workspace.
  if (state.working && can(user, "shareScreen")) {
    tools.push({
      name: "present",
      label: t("workspace.tabPresent"),
      body: (
        <div
          hx-get={`${sessionPath(id)}/present`}
          hx-trigger="intersect once"
          hx-swap="outerHTML"
        />
      ),
    });
  }
  // Device information from the customer's browser (modules/device_info, SPEC M2).
  if (state.working && can(user, "mobileTools")) {
    tools.push({
      name: "device",
      label: t("deviceInfo.tab"),
      body: (
        <div hx-get={`${sessionPath(id)}/device`} hx-trigger="intersect once" hx-swap="outerHTML">
          <p class="muted">{t("deviceInfo.loading")}</p>
        </div>
      ),
    });
  }
  return tools;
}
