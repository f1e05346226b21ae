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

/** The technician's console options the remote view follows (SPEC Q7). */
export interface RemoteOptions {
  clipboardSync: boolean;
  /** Remote views open in a window of their own: the tab offers that window, not a view. */
  detached: boolean;
}

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
    remoteOptions?: RemoteOptions;
  },
) {
  const { c, session } = props;
  const t = c.get("t");
  const views: MainView[] = [];
  if (props.remote) {
    views.push({
      name: "remote",
      label: t("fileManager.tabRemote"),
      body: _remoteBody(props),
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

/**
 * The remote desktop tab's content: the view itself, or — with "Open remote views in a separate
 * window" on — a button that opens it in its own window (a click, so no popup blocker stops it)
 * and one that shows it here this once (the view waits in a `<template>`, inert until then, so
 * no second viewer connects beside the window). static/workspace.js handles both buttons.
 */
function _remoteBody(
  props: {
    c: PageContext;
    session: SupportSession;
    user: CurrentUser;
    remoteOptions?: RemoteOptions;
  },
) {
  const { c, session } = props;
  const clipboardSync = props.remoteOptions?.clipboardSync ?? true;
  const view = (
    <RemoteViewMount c={c} session={session} user={props.user} clipboardSync={clipboardSync} />
  );
  if (!props.remoteOptions?.detached) return view;
  const t = c.get("t");
  const url = `/console/sessions/${session.id}/remote${clipboardSync ? "" : "?clipboard=0"}`;
  return (
    <div class="rv-elsewhere card" data-remote-elsewhere={session.id}>
      <p>{t("remote.detachedByOption")}</p>
      <p class="actions">
        <button type="button" data-open-remote={url}>
          {t("remote.openDetached")}
        </button>{" "}
        <button type="button" class="secondary" data-remote-here="">
          {t("remote.showHere")}
        </button>
      </p>
      <template>{view}</template>
    </div>
  );
}
