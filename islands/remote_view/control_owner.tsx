/** @jsxRuntime automatic @jsxImportSource preact */
/**
 * One controller per session (modules/remote/control_owner.ts), and the island's side of
 * passing it: who controls, taking it from one's own other window, asking the technician who
 * holds it, giving it (to the one who asked or to another technician on the view), keeping
 * it, and — for the lead — taking it back. A monitoring admin's view only says it watches.
 */
import type { ViewerInput } from "../../protocol/viewer.ts";
import type { Translate, ViewState } from "./view_state.ts";

interface Props {
  t: Translate;
  state: ViewState;
  send: (message: ViewerInput) => void;
  /** This technician leads the session (may take control back). */
  lead: boolean;
  /** A monitoring admin's view. */
  monitor: boolean;
  canControl: boolean;
}

/** What the island says and offers about control, or nothing while control is not granted. */
export function ControlPanel({ t, state, send, lead, monitor, canControl }: Props) {
  if (monitor) {
    return (
      <p class="rv-control-holder" role="status" data-owner="monitor">
        {t("monitorViewOnly")}
        {state.controlHolder ? ` ${t("controlOther", { name: state.controlHolder })}` : ""}
      </p>
    );
  }
  if (state.control !== "granted") return null;
  const owner = state.controlOwner;
  const asking = state.controlAsking;
  const button = (label: string, message: ViewerInput, cls: string) => (
    <button
      type="button"
      class={`small ${cls}`}
      onClick={() => send(message)}
    >
      {label}
    </button>
  );
  if (owner === "elsewhere") {
    return (
      <p class="rv-control-elsewhere" role="status" data-owner="elsewhere">
        <span>{t("controlElsewhere")}</span>{" "}
        {button(t("takeControl"), { type: "take_control" }, "rv-take-control")}
      </p>
    );
  }
  if (owner === "other") {
    return (
      <p class="rv-control-holder" role="status" data-owner="other">
        <span>{t("controlOther", { name: state.controlHolder ?? "" })}</span> {!canControl
          ? null
          : asking
          ? <span class="rv-control-asked">{t("controlRequested")}</span>
          : button(t("requestControl"), { type: "request_control" }, "rv-request-control")}{" "}
        {lead && canControl
          ? button(t("takeBackControl"), { type: "take_control" }, "rv-take-back")
          : null}
      </p>
    );
  }
  if (owner === "here" && asking) {
    return (
      <p class="rv-control-holder rv-control-asks" role="alert" data-owner="here">
        <span>{t("controlAsksYou", { name: asking.name })}</span> {button(
          t("giveControl"),
          { type: "give_control", userId: asking.userId },
          "rv-give-control",
        )} {button(t("declineControl"), { type: "decline_control" }, "rv-decline-control")}
      </p>
    );
  }
  if (owner === "here" && state.controlOthers.length > 0) {
    return (
      <p class="rv-control-holder" data-owner="here">
        {state.controlOthers.map((other) => (
          <>
            {button(
              t("giveControlTo", { name: other.name }),
              { type: "give_control", userId: other.userId },
              "rv-give-control",
            )}
            {" "}
          </>
        ))}
      </p>
    );
  }
  return null;
}
