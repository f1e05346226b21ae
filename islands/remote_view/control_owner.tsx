/** @jsxRuntime automatic @jsxImportSource preact */
/**
 * One controller per technician (modules/remote/control_owner.ts): while another window of the
 * same technician drives, this one says so and offers to take control here.
 */
import type { Translate, ViewState } from "./view_state.ts";

/** Shown only while control is granted and another window of this technician holds it. */
export function ControlElsewhere(
  { t, state, onTake }: { t: Translate; state: ViewState; onTake: () => void },
) {
  if (state.control !== "granted" || state.controlOwner !== "elsewhere") return null;
  return (
    <p class="rv-control-elsewhere" role="status">
      <span>{t("controlElsewhere")}</span>{" "}
      <button type="button" class="rv-take-control" onClick={onTake}>
        {t("takeControl")}
      </button>
    </p>
  );
}
