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
import { FileManagerMount, ToolTabs } from "../console/mod.ts";
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
  return (
    <ToolTabs
      idPrefix="guest"
      scope={access.session.id}
      label={c.get("t")("fileManager.tabsLabel")}
      tools={tools}
      listClass="workspace-tabs workspace-main-tabs"
      panelClass={(name) => `guest-tool view-${name}`}
    />
  );
}
