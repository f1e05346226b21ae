/**
 * The main area of a session's workspace: the remote desktop and the file manager, each for a
 * technician who has its permission. With both, they are tabs (the same ARIA tabs as the side
 * panel's tools; static/workspace.js switches them), the desktop first; with one, it fills the
 * area alone.
 */
import type { Child } from "hono/jsx";
import type { CurrentUser, PageContext } from "../http/mod.ts";
import type { SupportSession } from "../support/mod.ts";
import { RemoteViewMount } from "../remote/mod.ts";
import { FileManagerMount } from "./file_manager_view.tsx";

interface MainView {
  name: "remote" | "filemanager";
  label: string;
  body: Child;
}

export function WorkspaceMain(
  props: {
    c: PageContext;
    session: SupportSession;
    user: CurrentUser;
    remote: boolean;
    files: boolean;
  },
) {
  const { c, session } = props;
  const t = c.get("t");
  const views: MainView[] = [];
  if (props.remote) {
    views.push({
      name: "remote",
      label: t("fileManager.tabRemote"),
      body: <RemoteViewMount c={c} session={session} user={props.user} />,
    });
  }
  if (props.files) {
    views.push({
      name: "filemanager",
      label: t("fileManager.tabFiles"),
      body: <FileManagerMount c={c} session={session} />,
    });
  }
  if (views.length === 1) return <>{views[0].body}</>;
  const tabId = (name: string) => `ws-tab-${name}-${session.id}`;
  const panelId = (name: string) => `ws-panel-${name}-${session.id}`;
  return (
    <>
      <div
        class="workspace-tabs workspace-main-tabs"
        role="tablist"
        aria-label={t("fileManager.tabsLabel")}
        data-workspace-tabs=""
      >
        {views.map((view, i) => (
          <button
            type="button"
            role="tab"
            id={tabId(view.name)}
            class="workspace-tab"
            aria-controls={panelId(view.name)}
            aria-selected={i === 0 ? "true" : "false"}
            tabindex={i === 0 ? 0 : -1}
            data-tool={view.name}
          >
            {view.label}
          </button>
        ))}
      </div>
      {views.map((view, i) => (
        <div
          role="tabpanel"
          id={panelId(view.name)}
          class={`workspace-view view-${view.name}`}
          aria-labelledby={tabId(view.name)}
          data-tool={view.name}
          hidden={i !== 0}
        >
          {view.body}
        </div>
      ))}
    </>
  );
}
