/** @jsxRuntime automatic @jsxImportSource preact */
/**
 * The whiteboard's and laser's controls (SPEC R4): two toggles in the toolbar, and while the
 * whiteboard is on a bar under it with a short label, the pen (colour, width), Undo and Clear; that
 * the pointer draws and nothing controls the customer's computer meanwhile is said once, by the
 * status line under the toolbar (view_state.ts `consentLine`: "controlPaused"). A toggle that
 * cannot work says why in its title: a screen shared from the browser cannot show drawings
 * (the support app can), nor can anything before the customer shares the screen. Undo is
 * disabled, with the reason as its title, when the customer's support app is an older one that
 * cannot take back a line (the server's `canUndo`: its hello did not offer `whiteboardUndo`).
 */
import {
  WHITEBOARD_COLORS,
  WHITEBOARD_WIDTHS,
  type WhiteboardColor,
} from "../../protocol/limits.ts";
import { Icon } from "./icons.tsx";
import { capitalize, type Translate, type ViewState } from "./view_state.ts";

/** What the whiteboard's controls do (actions.ts); part of the toolbar's actions. */
export interface WhiteboardActions {
  /** The whiteboard on or off for the session (SPEC R4): the pointer draws, nothing controls. */
  toggleWhiteboard(): void;
  /** This window's pointer as the laser's red dot on the customer's screen. */
  toggleLaser(): void;
  setPen(pen: Partial<ViewState["pen"]>): void;
  /** Erases every drawing on the customer's screen. */
  clearDrawings(): void;
  /** Erases the last line drawn on the customer's screen. */
  undoDrawing(): void;
}

interface Props {
  t: Translate;
  state: ViewState;
  actions: WhiteboardActions;
}

const WIDTH_NAMES = ["widthThin", "widthMedium", "widthThick"] as const;

/** Why drawing cannot start now, as the toggles' title (null: it can). */
export function drawBlocked(
  s: ViewState,
): "whiteboardNeedsApp" | "whiteboardUnavailable" | "whiteboardNeedsView" | null {
  if (s.viewOnly) return "whiteboardNeedsApp";
  if (s.agent === "connected" && s.view === "granted" && !s.canDraw) return "whiteboardUnavailable";
  if (!s.connected || s.view !== "granted" || !s.canDraw) return "whiteboardNeedsView";
  return null;
}

/**
 * The toolbar's Whiteboard and Laser pointer toggles: pictures in the toolbar's row, pictures
 * and words in its "More" menu — where a narrow toolbar (the System tab open) shows them instead
 * (static/remote_view.css), so the row stays one row.
 */
export function DrawToggles({ t, state: s, actions: a, place }: Props & { place: "row" | "menu" }) {
  const words = place === "menu" ? "rv-menu-label" : "rv-label-hidden";
  const blocked = drawBlocked(s);
  // Turning off always works (the drawings go), even while the screen is not shared.
  const boardTitle = s.whiteboard
    ? t("whiteboardStop")
    : blocked
    ? t(blocked)
    : t("whiteboardStart");
  const laserTitle = s.laser ? t("laser") : blocked ? t(blocked) : t("laserHint");
  return (
    <div class={`rv-group rv-draw rv-draw-${place}`}>
      <button
        type="button"
        class={`rv-whiteboard${s.whiteboard ? " is-on" : ""}`}
        onClick={a.toggleWhiteboard}
        aria-pressed={String(s.whiteboard)}
        disabled={!s.whiteboard && blocked !== null}
        title={boardTitle}
      >
        <Icon name="pen" />
        <span class={words}>{t("whiteboard")}</span>
      </button>
      <button
        type="button"
        class={`rv-laser${s.laser ? " is-on" : ""}`}
        onClick={a.toggleLaser}
        aria-pressed={String(s.laser)}
        disabled={!s.laser && blocked !== null}
        title={laserTitle}
      >
        <Icon name="laser" />
        <span class={words}>{t("laser")}</span>
      </button>
    </div>
  );
}

/** Under the toolbar while the whiteboard is on: a short label, the pen, Undo and Clear. */
export function WhiteboardBar({ t, state: s, actions: a }: Props) {
  if (!s.whiteboard) return null;
  const colors = Object.keys(WHITEBOARD_COLORS) as WhiteboardColor[];
  return (
    <div class="rv-whiteboard-bar" role="group" aria-label={t("whiteboard")}>
      {/* A name only: that nothing controls meanwhile is the status line's (consentLine). */}
      <span class="rv-whiteboard-label">{t("whiteboardBarLabel")}</span>
      <div class="rv-pens" role="group" aria-label={t("penColor")}>
        {colors.map((color) => (
          <button
            type="button"
            class="rv-pen"
            data-color={color}
            aria-pressed={String(s.pen.color === color)}
            title={t(`color${capitalize(color)}`)}
            onClick={() => a.setPen({ color })}
            style={{ "--pen": WHITEBOARD_COLORS[color] }}
          >
            <span class="rv-label-hidden">{t(`color${capitalize(color)}`)}</span>
          </button>
        ))}
      </div>
      <div class="rv-widths" role="group" aria-label={t("penWidth")}>
        {WHITEBOARD_WIDTHS.map((width, i) => (
          <button
            type="button"
            class="rv-width"
            data-width={width}
            aria-pressed={String(s.pen.width === width)}
            title={t(WIDTH_NAMES[i])}
            onClick={() => a.setPen({ width })}
            style={{ "--w": `${width + 2}px` }}
          >
            <span class="rv-label-hidden">{t(WIDTH_NAMES[i])}</span>
          </button>
        ))}
      </div>
      <button
        type="button"
        class="rv-undo"
        onClick={a.undoDrawing}
        disabled={!s.connected || s.view !== "granted" || !s.canUndo}
        title={t(s.canUndo ? "undoDrawingHint" : "undoUnavailable")}
      >
        {t("undoDrawing")}
      </button>
      <button
        type="button"
        class="rv-clear"
        onClick={a.clearDrawings}
        disabled={!s.connected || s.view !== "granted"}
        title={t("clearDrawingsHint")}
      >
        {t("clearDrawings")}
      </button>
    </div>
  );
}
