/**
 * The restart dialog (reboot_routes.tsx): the three ways to restart, each offered only when
 * the customer's computer has it (else why not), what the customer does after the restart,
 * and the customer's consent with the one button it allows — ask, wait, or restart.
 */
import type { Context } from "hono";
import type { AuthedEnv } from "../http/mod.ts";
import type { SupportSession } from "../support/mod.ts";
import type { OpResult } from "../../protocol/mod.ts";
import type { OpOutcome } from "./agent_ops.ts";
import type { ToolState } from "./tool_consent.ts";

type C = Context<AuthedEnv>;

const path = (sessionId: string) => `/console/sessions/${sessionId}/reboot`;

export function RebootDialog(props: {
  c: C;
  session: SupportSession;
  state: ToolState;
  modes: OpOutcome<"reboot.modes"> | null;
  busy: boolean;
}) {
  const { c, session, state, modes, busy } = props;
  const t = c.get("t");
  return (
    <div class="card dialog" id="reboot-dialog" role="dialog" aria-labelledby="reboot-title">
      <h2 id="reboot-title">{t("reboot.title", { number: session.number })}</h2>
      {!state.present || !modes
        ? <p role="status">{t("reboot.agentAbsent")}</p>
        : !modes.ok
        ? <p role="status">{t("reboot.modesUnknown", { reason: modes.reason })}</p>
        : busy
        ? <p role="status">{t("reboot.busy")}</p>
        : (
          <form id="reboot-form" hx-post={path(session.id)} hx-target="#dialog">
            <ModeChoice c={c} modes={modes.result} />
            <p>{t("reboot.signIn")}</p>
            <p class="muted">{t("reboot.confirmAtAgent")}</p>
            <ConsentBlock c={c} sessionId={session.id} state={state} />
          </form>
        )}
      <div class="row">
        <button type="button" class="secondary" data-close-dialog="dialog">
          {t("console.close")}
        </button>
      </div>
    </div>
  );
}

function ModeChoice(props: { c: C; modes: OpResult<"reboot.modes"> }) {
  const t = props.c.get("t");
  const first = props.modes.modes.find((m) => m.available)?.mode;
  return (
    <fieldset class="reboot-modes">
      <legend>{t("reboot.how")}</legend>
      {props.modes.modes.map((m) => (
        <div class={`permission reboot-mode${m.available ? "" : " unavailable"}`}>
          <label>
            <input
              type="radio"
              name="mode"
              value={m.mode}
              required
              disabled={!m.available}
              checked={m.mode === first}
              aria-describedby={`reboot-help-${m.mode}`}
            />{" "}
            {t(`reboot.modes.${m.mode}`)}
          </label>
          <p id={`reboot-help-${m.mode}`} class="muted">
            {m.available
              ? t(`reboot.modes.${m.mode}Help`)
              : t(`reboot.unavailable.${m.unavailable ?? "not_built"}`)}
          </p>
        </div>
      ))}
    </fieldset>
  );
}

/**
 * The customer's `reboot` consent and what it allows now: granted — the restart button;
 * asked — waiting; otherwise the button that asks the customer. Until granted, the block asks
 * the server again every 2 s (the answer is given in the agent's window, not here); its own
 * target, or it would inherit the form's.
 */
export function ConsentBlock(props: { c: C; sessionId: string; state: ToolState }) {
  const { c, sessionId, state } = props;
  const t = c.get("t");
  const consent = state.consent.reboot;
  const id = `reboot-consent-${sessionId}`;
  if (consent === "granted") {
    return (
      <div id={id} class="row reboot-consent" data-consent={consent}>
        <button type="submit" class="danger">{t("reboot.restart")}</button>
      </div>
    );
  }
  return (
    <div
      id={id}
      class="reboot-consent"
      data-consent={consent}
      hx-get={`${path(sessionId)}/consent`}
      hx-trigger="every 2s"
      hx-target="this"
      hx-swap="outerHTML"
    >
      {consent === "asked" ? <p role="status">{t("reboot.consent.asked")}</p> : (
        <>
          <p role="status">
            {t(consent === "denied" ? "reboot.consent.denied" : "reboot.consent.off")}
          </p>
          <button
            type="button"
            hx-post={`${path(sessionId)}/ask`}
            hx-target={`#${id}`}
            hx-swap="outerHTML"
          >
            {t("reboot.ask")}
          </button>
        </>
      )}
    </div>
  );
}
