/** @jsxRuntime automatic @jsxImportSource preact */
/**
 * The line above the panes that says, truthfully, where the customer's consent stands — as the
 * agent reported it through the server (`/console/sessions/:id/agent/state` and its events) —
 * with the one button that fits: ask, ask again, or stop using the file manager.
 */
import type { ConsentState } from "../../protocol/viewer.ts";
import type { Translate } from "./format.ts";

export interface AgentState {
  present: boolean;
  offered: string[] | null;
  consent: ConsentState;
}

type Line = "agentAbsent" | "notOffered" | `consent_${ConsentState}`;

export function consentLine(state: AgentState | null): Line | null {
  if (!state) return null;
  if (!state.present) return "agentAbsent";
  if (state.offered && !state.offered.includes("files")) return "notOffered";
  return `consent_${state.consent}`;
}

export function ConsentBar(props: {
  t: Translate;
  state: AgentState | null;
  busy: boolean;
  onAsk(): void;
  onEnd(): void;
}) {
  const { t, state } = props;
  const line = consentLine(state);
  if (!line || !state) return <p class="fm-consent muted">{t("connecting")}</p>;
  const canAsk = line === "consent_off" || line === "consent_denied" || line === "consent_revoked";
  return (
    <p class="fm-consent" data-consent={state.present ? state.consent : "absent"} role="status">
      <span class="fm-consent-text">{t(line)}</span>
      {canAsk && (
        <button type="button" class="small fm-ask" disabled={props.busy} onClick={props.onAsk}>
          {t(line === "consent_off" ? "ask" : "askAgain")}
        </button>
      )}
      {line === "consent_granted" && (
        <button type="button" class="secondary small fm-end" onClick={props.onEnd}>
          {t("endAccess")}
        </button>
      )}
    </p>
  );
}
