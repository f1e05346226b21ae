/**
 * The tools of an external technician's console, as its invitation grants them now
 * (`GuestAccess.granted`): the remote desktop, the file manager (the technicians' island,
 * its routes under `/x`) and system information (the technicians' System tab, loaded from
 * `/x/console/sessions/:id/system` when first shown). With more than one they are tabs — the
 * workspace's markup, switched by static/tool_tabs.js; with one it stands alone.
 */
import type { Child } from "hono/jsx";
import { can } from "../permissions/mod.ts";
import type { PageContext } from "../http/mod.ts";
import { FileManagerMount } from "../console/mod.ts";
import type { GuestAccess } from "./guest.ts";
import { GuestRemoteMount, guestRights } from "./guest_remote.tsx";

interface GuestTool {
  name: "remote" | "filemanager" | "system";
  label: string;
  body: Child;
}

/** Which of its tools the guest has now, in tab order. */
export function guestTools(c: PageContext, access: GuestAccess): GuestTool[] {
  const t = c.get("t");
  const { session, granted } = access;
  const tools: GuestTool[] = [];
  if (guestRights(access) !== "none") {
    tools.push({
      name: "remote",
      label: t("fileManager.tabRemote"),
      body: (
        <>
          <script type="module" src="/static/islands/remote_view.js"></script>
          <GuestRemoteMount c={c} session={session} access={access} />
        </>
      ),
    });
  }
  if (can(granted, "fileManager")) {
    tools.push({
      name: "filemanager",
      label: t("fileManager.tabFiles"),
      body: (
        <>
          <script type="module" src="/static/islands/file_manager.js"></script>
          <FileManagerMount c={c} session={session} />
        </>
      ),
    });
  }
  if (can(granted, "systemInfo")) {
    tools.push({
      name: "system",
      label: t("sysinfo.title"),
      body: (
        <div
          hx-get={`/x/console/sessions/${session.id}/system`}
          hx-trigger="intersect once"
          hx-swap="outerHTML"
        >
          <p class="muted">{t("sysinfo.loading")}</p>
        </div>
      ),
    });
  }
  return tools;
}

export function GuestTools(props: { c: PageContext; access: GuestAccess }) {
  const { c, access } = props;
  const tools = guestTools(c, access);
  if (tools.length === 0) return null;
  if (tools.length === 1) return <div class="guest-tool">{tools[0].body}</div>;
  const id = access.session.id;
  const tabId = (name: string) => `guest-tab-${name}-${id}`;
  const panelId = (name: string) => `guest-panel-${name}-${id}`;
  return (
    <>
      <div
        class="workspace-tabs workspace-main-tabs"
        role="tablist"
        aria-label={c.get("t")("fileManager.tabsLabel")}
        data-workspace-tabs=""
      >
        {tools.map((tool, i) => (
          <button
            type="button"
            role="tab"
            id={tabId(tool.name)}
            class="workspace-tab"
            aria-controls={panelId(tool.name)}
            aria-selected={i === 0 ? "true" : "false"}
            tabindex={i === 0 ? 0 : -1}
            data-tool={tool.name}
          >
            {tool.label}
          </button>
        ))}
      </div>
      {tools.map((tool, i) => (
        <div
          role="tabpanel"
          id={panelId(tool.name)}
          class={`guest-tool view-${tool.name}`}
          aria-labelledby={tabId(tool.name)}
          data-tool={tool.name}
          hidden={i !== 0}
        >
          {tool.body}
        </div>
      ))}
    </>
  );
}
