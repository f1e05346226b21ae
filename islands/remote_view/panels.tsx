/** @jsxRuntime automatic @jsxImportSource preact */
/**
 * The remote view's status line (consent and the last message), stats line, invite panel and
 * the panel of an app that shares no screen.
 */
import { formatStats } from "./stats.ts";
import {
  agentMissing,
  consentLine,
  screenUnavailable,
  type Translate,
  type ViewState,
} from "./view_state.ts";

export function StatusLine({ t, state }: { t: Translate; state: ViewState }) {
  const consent = consentLine(state);
  return (
    <div class="rv-statusline">
      <p class="rv-consent" aria-live="polite" data-state={consent.state}>
        {consent.key ? t(consent.key) : ""}
      </p>
      <p class={`rv-status${state.status?.error ? " is-error" : ""}`} role="status">
        {state.status?.text ?? ""}
      </p>
    </div>
  );
}

export function StatsLine(
  { t, state, format }: { t: Translate; state: ViewState; format: (n: number) => string },
) {
  const shown = formatStats(state.stats, format, t);
  return (
    <p class="rv-stats" title={t("stats")}>
      <span class="rv-stat rv-stat-fps">{`${t("statsFps")}: ${shown.fps}`}</span>{" "}
      <span class="rv-stat rv-stat-bitrate">{`${t("statsBitrate")}: ${shown.bitrate}`}</span>{" "}
      <span class="rv-stat rv-stat-latency">{`${t("statsLatency")}: ${shown.latency}`}</span>{" "}
      <span class="rv-stat rv-stat-resolution">
        {`${t("statsResolution")}: ${shown.resolution}`}
      </span>{" "}
      <span class="rv-stat rv-stat-codec">{`${t("statsCodec")}: ${shown.codec}`}</span>
    </p>
  );
}

/**
 * Instead of the screen while there is no support app to show a desktop from: a few lines, not a
 * big black box. The button asks the page (static/workspace.js) to put an invitation in the chat.
 */
export function InvitePanel(
  { t, state, onInvite }: { t: Translate; state: ViewState; onInvite?: () => void },
) {
  const key = state.refused
    ? "viewClosed"
    : !state.connected
    ? "connecting"
    : state.agent === "reconnecting"
    ? "agentReconnecting"
    : "agentAbsent";
  // Not while the app reconnects (the customer has it already), nor once this view was closed.
  const invite = state.agent !== "reconnecting" && !state.refused;
  return (
    <div class="rv-invite" hidden={!agentMissing(state)}>
      <p class="rv-invite-title">{t(key)}</p>
      {invite && <p class="rv-invite-hint">{t("inviteHint")}</p>}
      {onInvite && invite && (
        <button type="button" class="rv-invite-button" onClick={onInvite}>
          {t("inviteButton")}
        </button>
      )}
    </div>
  );
}

/**
 * The support app is connected but shares no screen: said in place of the toolbar and screen
 * (static/remote_view.css hides them), so nothing offers what cannot work. The workspace's note
 * above says why in the app's own terms; chat, files and system information are the other tabs.
 */
export function NoScreenPanel({ t, state }: { t: Translate; state: ViewState }) {
  return (
    <div class="rv-no-screen" role="note" hidden={!screenUnavailable(state)}>
      <p>{t("noScreen")}</p>
    </div>
  );
}
