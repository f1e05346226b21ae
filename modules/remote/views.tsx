/**
 * The mount point of the technician's remote-view island (`islands/remote_view.tsx`, Preact):
 * everything the island needs travels in data attributes — the viewer socket, the screenshot
 * address, the CSRF token, the caller's permissions and its strings. Their names and encoding
 * are `mountAttributes` in protocol/viewer.ts, which the island reads back with `readMount`.
 */
import { raw } from "hono/html";
import type { CurrentUser, PageContext } from "../http/mod.ts";
import { can } from "../permissions/mod.ts";
import { languageTag, textDirection } from "../i18n/mod.ts";
import { noDesktopWords, type SupportSession } from "../support/mod.ts";
import { mountAttributes, REMOTE_UI_KEYS } from "../../protocol/mod.ts";
import { recorderSource } from "./recorder_slot.ts";

export async function RemoteViewMount(
  props: {
    c: PageContext;
    session: SupportSession;
    user: CurrentUser;
    detached?: boolean;
    /** A monitoring admin's view (modules/monitoring): its own socket, never control. */
    monitorWs?: string;
    /** The technician's console option (modules/console passes it; on when not given). */
    clipboardSync?: boolean;
  },
) {
  const { c, session, user } = props;
  const t = c.get("t");
  const base = `/console/sessions/${session.id}/remote`;
  const monitor = props.monitorWs !== undefined;
  // Record / Stop recording only where the group's policy lets this technician choose.
  const recorders = recorderSource(c.get("deps"));
  const offers = !monitor && await recorders?.offersButton(session, can(user, "recordSessions"));
  // A group that records every view: the technician knows before asking, as the customer does.
  const always = await recorders?.recordsAlways?.(session) ?? false;
  const attributes = mountAttributes({
    session: session.id,
    ws: props.monitorWs ?? `${base}/ws`,
    screenshot: `${base}/screenshot`,
    csrf: c.get("csrf"),
    labels: Object.fromEntries(
      REMOTE_UI_KEYS.map((key) => [key, t(`remote.ui.${key}`)]),
    ),
    canControl: !monitor && can(user, "remoteControl"),
    canClipboard: !monitor && can(user, "remoteControl"),
    clipboardSync: props.clipboardSync !== false,
    canView: monitor || can(user, "desktopView") || can(user, "remoteControl"),
    canScreenshot: !monitor && can(user, "screenshots"),
    detached: props.detached ?? false,
    lead: session.leadUserId === user.id,
    monitor,
    record: offers ? `/console/sessions/${session.id}/recording` : "",
  });
  const id = `remote-${monitor ? "monitor-" : ""}${session.id}`;
  const view = <div class="remote-view" id={id} {...attributes}></div>;
  // The support app said it shares no screen (no desktop of its user, say): the workspace
  // says so above the view, in words, rather than a view that stays black.
  if (session.noDesktop) {
    return (
      <div class="rv-noted">
        <p class="flash warn rv-no-desktop" role="note" data-no-desktop={session.noDesktop.reason}>
          {noDesktopWords(t, session.noDesktop)}
        </p>
        {view}
      </div>
    );
  }
  if (!always) return view;
  // The note and the view share the box the view alone filled (remote_view.css `.rv-noted`).
  return (
    <div class="rv-noted">
      <p class="flash info rv-records-always" role="note">{t("remote.recordsAlways")}</p>
      {view}
    </div>
  );
}

/**
 * The detached window (`GET /console/sessions/:id/remote`): the desktop alone, sized to the
 * window — no site header, no navigation, only the island (its toolbar, status and screen).
 * `?clipboard=0`: the window that opened it had the automatic clipboard sync off.
 */
export function DetachedRemotePage(
  props: { c: PageContext; session: SupportSession; user: CurrentUser },
) {
  const { c, session } = props;
  const t = c.get("t");
  return (
    <>
      {raw("<!DOCTYPE html>")}
      <html lang={languageTag(c.get("lang"))} dir={textDirection(c.get("lang"))}>
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>{`${session.customerName} — ${t("remote.title")} · ${t("app.name")}`}</title>
          <link rel="stylesheet" href="/static/app.css" />
          <link rel="stylesheet" href="/static/remote_view.css" />
          <script type="module" src="/static/islands/remote_view.js"></script>
        </head>
        <body class="remote-detached">
          <main class="remote-detached">
            <RemoteViewMount
              c={c}
              session={session}
              user={props.user}
              detached
              clipboardSync={c.req.query("clipboard") !== "0"}
            />
          </main>
        </body>
      </html>
    </>
  );
}
