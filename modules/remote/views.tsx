/**
 * The mount point of the technician's remote-view island (`static/remote_view.js`, Preact):
 * everything the island needs travels in data attributes — the viewer socket, the
 * screenshot address, the CSRF token, the caller's permissions and its strings.
 */
import type { Context } from "hono";
import type { AppEnv, CurrentUser } from "../http/mod.ts";
import type { TranslationKey } from "../i18n/mod.ts";
import { can } from "../permissions/mod.ts";
import type { SupportSession } from "../support/mod.ts";

/** The island's strings (locales `remote.ui.*`). */
export const REMOTE_UI_KEYS = [
  "toolbar",
  "viewStart",
  "viewStop",
  "controlStart",
  "controlStop",
  "ctrlAltDel",
  "layoutLocal",
  "layoutRemote",
  "layoutRemoteNamed",
  "layoutHint",
  "scale",
  "scaleFit",
  "scaleActual",
  "scaleStretch",
  "magnifier",
  "magnifierUnavailable",
  "fullscreen",
  "fullscreenFailed",
  "detach",
  "screenshot",
  "screenshotSaved",
  "screenshotFailed",
  "screenshotNoVideo",
  "refresh",
  "refreshHint",
  "quality",
  "qualityAuto",
  "qualityHigh",
  "qualityNormal",
  "qualityLow",
  "qualityGreyscale",
  "connecting",
  "connectionLost",
  "error",
  "videoFailed",
  "agentAbsent",
  "agentReconnecting",
  "viewOff",
  "viewAsked",
  "viewGranted",
  "viewDenied",
  "viewRevoked",
  "controlAsked",
  "controlGranted",
  "controlDenied",
  "controlRevoked",
  "viewOffHint",
  "waitingForPicture",
  "screen",
  "keyboardHint",
  "viewOnlyHint",
  "stats",
  "statsFps",
  "statsBitrate",
  "statsLatency",
  "statsResolution",
  "unitFps",
  "unitKbps",
  "unitMBps",
  "unitMs",
  "remoteClipboard",
  "copy",
  "clipboardCopied",
  "clipboardCopyFailed",
  "localClipboard",
  "localClipboardHint",
  "sendClipboard",
  "clipboardSent",
  "clipboardEmpty",
  "clipboardTooLong",
  "clipboardOff",
  "clipboardAsked",
  "clipboardGranted",
  "clipboardDenied",
  "clipboardRevoked",
] as const;

export function RemoteViewMount(
  props: { c: Context<AppEnv>; session: SupportSession; user: CurrentUser; detached?: boolean },
) {
  const { c, session, user } = props;
  const t = c.get("t");
  const base = `/console/sessions/${session.id}/remote`;
  const labels = Object.fromEntries(
    REMOTE_UI_KEYS.map((key) => [key, t(`remote.ui.${key}` as TranslationKey)]),
  );
  return (
    <div
      class="remote-view"
      id={`remote-${session.id}`}
      data-session={session.id}
      data-ws={`${base}/ws`}
      data-screenshot={`${base}/screenshot`}
      data-csrf={c.get("csrf")}
      data-labels={JSON.stringify(labels)}
      data-can-control={can(user, "remoteControl") ? "1" : "0"}
      data-can-clipboard={can(user, "remoteControl") ? "1" : "0"}
      data-can-view={can(user, "desktopView") || can(user, "remoteControl") ? "1" : "0"}
      data-can-screenshot={can(user, "screenshots") ? "1" : "0"}
      data-detached={props.detached ? "1" : "0"}
    >
    </div>
  );
}
