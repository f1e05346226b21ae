/** @jsxRuntime automatic @jsxImportSource preact */
/**
 * The remote view's toolbar: view and control, whiteboard and laser (whiteboard_bar.tsx), Ctrl+Alt+Del, keyboard layout, scale, magnifier,
 * full screen, detach, screenshot, refresh and quality. Buttons grey out by permission and state;
 * the server enforces both anyway. "End remote control" shows only where it is true: in the
 * window holding control, or while nobody holds it (`mayEndControl`). View, control, the scale
 * and full screen stay in one row; the rarely used rest sits behind "More", a native <details>
 * disclosure (Escape closes it), so the toolbar stays one row beside the side panel at 1366 px.
 * View, control and recording carry a picture beside their words; the scale and full screen
 * are pictures alone (their words in the title and for screen readers), and where the toolbar is
 * narrow — the System tab open, a language with long words — the words go from the others too
 * (static/remote_view.css), so it stays one row in Dutch as in English. What the toolbar holds
 * varies (permissions, recording, monitors), so it is also measured (toolbar_fit.ts): where it
 * would wrap, the draw toggles move into More, then the words go.
 */
import { QUALITY_PRESETS, type QualityPreset } from "../../protocol/limits.ts";
import { mayEndControl, type RemoteViewMount } from "../../protocol/viewer.ts";
import type { ScaleMode } from "./geometry.ts";
import type { RefObject } from "preact";
import { useRef } from "preact/hooks";
import { Icon } from "./icons.tsx";
import { useToolbarFit } from "./toolbar_fit.ts";
import { DrawToggles, type WhiteboardActions } from "./whiteboard_bar.tsx";
import {
  capitalize,
  controlling,
  isActive,
  type Translate,
  viewActive,
  type ViewState,
} from "./view_state.ts";

export interface ToolbarActions extends WhiteboardActions {
  toggleView(): void;
  toggleControl(): void;
  ctrlAltDel(): void;
  toggleLayout(): void;
  setMode(mode: ScaleMode): void;
  toggleMagnifier(): void;
  toggleFullscreen(): void;
  detach(): void;
  screenshot(): void;
  requestKeyframe(): void;
  setQuality(preset: QualityPreset): void;
  /** Asks the customer sharing from the browser to switch to the support app. */
  askAgent(): void;
  /** Shows one of the customer's screens (monitors), or all of them (null). */
  setScreen(id: string | null): void;
  /** Starts or stops the server's recording of the picture. */
  toggleRecording(): void;
}

export interface ToolbarProps {
  t: Translate;
  /** Prefix for element ids, unique per island on the page. */
  uid: string;
  state: ViewState;
  mount: RemoteViewMount;
  lensAvailable: boolean;
  fullscreenEnabled: boolean;
  actions: ToolbarActions;
  /** The toolbar's element, for `FittedToolbar`'s measuring. */
  barRef?: RefObject<HTMLDivElement | null>;
}

/** The toolbar, measured to stay one row (toolbar_fit.ts): what the remote view renders. */
export function FittedToolbar(props: ToolbarProps) {
  const bar = useRef<HTMLDivElement>(null);
  useToolbarFit(bar);
  return <Toolbar {...props} barRef={bar} />;
}

const MODES: readonly ScaleMode[] = ["fit", "actual", "stretch"];

export function Toolbar({ t, uid, state: s, mount, lensAvailable, ...props }: ToolbarProps) {
  const a = props.actions;
  const online = s.connected && s.agent === "connected";
  const viewOn = viewActive(s);
  const controlOn = isActive(s.control);
  const drawTools = mount.canView && !mount.monitor;
  const layoutLabel = s.layout === "local"
    ? t("layoutLocal")
    : s.keyboard
    ? t("layoutRemoteNamed", { layout: s.keyboard })
    : t("layoutRemote");
  return (
    <div class="rv-toolbar" role="group" aria-label={t("toolbar")} ref={props.barRef}>
      <div class="rv-group">
        <button
          type="button"
          class={`rv-view${viewOn ? " is-on" : ""}`}
          onClick={a.toggleView}
          disabled={!mount.canView || s.noDesktop || !(online || (s.connected && viewOn))}
          data-state={s.view}
          title={t(viewOn ? "viewStop" : "viewStart")}
        >
          <Icon name="view" />
          <span class="rv-label">{t(viewOn ? "viewStop" : "viewStart")}</span>
        </button>
        {s.viewOnly
          ? (
            <>
              <span class="rv-view-only muted">{t("viewOnly")}</span>
              {/* The support app for control: the customer's page offers its download. */}
              <button
                type="button"
                class="rv-ask-agent"
                onClick={a.askAgent}
                disabled={!mount.canControl}
              >
                {t("askAgent")}
              </button>
            </>
          )
          : controlOn && !mayEndControl(s.controlOwner)
          // Someone else's control: not ours to end (control_owner.tsx offers asking for it,
          // taking it here from our other window, or — for the lead — taking it back).
          ? null
          : (
            <button
              type="button"
              class={`rv-control${controlOn ? " is-on" : ""}`}
              onClick={a.toggleControl}
              disabled={!mount.canControl || s.noDesktop ||
                !(online || (s.connected && controlOn))}
              data-state={s.control}
              title={t(controlOn ? "controlStop" : "controlStart")}
            >
              <Icon name="control" />
              <span class="rv-label">{t(controlOn ? "controlStop" : "controlStart")}</span>
            </button>
          )}
      </div>
      {drawTools && <DrawToggles t={t} state={s} actions={a} place="row" />}
      <div class="rv-group rv-scale" role="group" aria-label={t("scale")}>
        {MODES.map((mode) => (
          <button
            type="button"
            class={`rv-${mode}`}
            onClick={() => a.setMode(mode)}
            aria-pressed={String(s.mode === mode)}
            title={t(`scale${capitalize(mode)}`)}
          >
            <Icon name={mode} />
            <span class="rv-label-hidden">{t(`scale${capitalize(mode)}`)}</span>
          </button>
        ))}
      </div>
      {(mount.record || s.recording) && (
        <div class="rv-group rv-recording">
          {/* With the button, it is the sign (red while it records): one row at 1366 px. */}
          {s.recording && (
            <span class={mount.record ? "rv-label-hidden" : "rv-recording-on"} role="status">
              {mount.record ? t("recording") : `● ${t("recording")}`}
            </span>
          )}
          {mount.record && (
            <button
              type="button"
              class={`rv-record${s.recording ? " is-on" : ""}`}
              onClick={a.toggleRecording}
              disabled={!s.recording && !viewOn}
              title={t(s.recording ? "recordStop" : "recordStart")}
            >
              <Icon name="record" />
              <span class="rv-label">{t(s.recording ? "recordStop" : "recordStart")}</span>
            </button>
          )}
        </div>
      )}
      {s.screens.length > 1 && <ScreenPicker t={t} uid={uid} state={s} actions={a} />}
      <div class="rv-group">
        <button
          type="button"
          class="rv-fullscreen"
          onClick={a.toggleFullscreen}
          aria-pressed={String(s.fullscreen)}
          disabled={!props.fullscreenEnabled}
          title={t("fullscreen")}
        >
          <Icon name="fullscreen" />
          <span class="rv-label-hidden">{t("fullscreen")}</span>
        </button>
      </div>
      <details class="rv-more" onKeyDown={closeOnEscape} onToggle={closeOnPressOutside}>
        <summary>{t("more")}</summary>
        <div class="rv-menu">
          {drawTools && <DrawToggles t={t} state={s} actions={a} place="menu" />}
          <div class="rv-group">
            <button type="button" class="rv-cad" onClick={a.ctrlAltDel} disabled={!controlling(s)}>
              {t("ctrlAltDel")}
            </button>
            <button
              type="button"
              class="rv-layout"
              onClick={a.toggleLayout}
              title={t("layoutHint")}
              data-layout={s.layout}
            >
              {layoutLabel}
            </button>
          </div>
          <div class="rv-group">
            <button
              type="button"
              class="rv-magnifier"
              onClick={a.toggleMagnifier}
              aria-pressed={String(s.magnifier && lensAvailable)}
              disabled={!lensAvailable}
              title={lensAvailable ? "" : t("magnifierUnavailable")}
            >
              {t("magnifier")}
            </button>
            {mount.detached
              ? null
              : <button type="button" class="rv-detach" onClick={a.detach}>{t("detach")}</button>}
            <button
              type="button"
              class="rv-screenshot"
              onClick={a.screenshot}
              disabled={!mount.canScreenshot || !s.hasVideo || s.busyShot}
            >
              {t("screenshot")}
            </button>
            <button
              type="button"
              class="rv-keyframe"
              onClick={a.requestKeyframe}
              disabled={!s.connected || s.view !== "granted"}
              title={t("refreshHint")}
            >
              {t("refresh")}
            </button>
          </div>
          <div class="rv-group rv-quality-field">
            <label for={`${uid}-quality`}>{t("quality")}</label>
            <select
              id={`${uid}-quality`}
              class="rv-quality"
              value={s.quality}
              disabled={!s.connected}
              onChange={(event) => {
                const preset = (event.currentTarget as HTMLSelectElement).value;
                if ((QUALITY_PRESETS as readonly string[]).includes(preset)) {
                  a.setQuality(preset as QualityPreset);
                }
              }}
            >
              {QUALITY_PRESETS.map((q) => <option value={q}>{t(`quality${capitalize(q)}`)}
              </option>)}
            </select>
            {s.quality === "auto" && s.auto && (
              <small class="rv-quality-auto" role="status">
                {t("qualityAutoUsing", {
                  preset: t(`quality${capitalize(s.auto.preset)}`),
                  reason: t(`qualityReason${capitalize(s.auto.reason)}`),
                })}
              </small>
            )}
          </div>
        </div>
      </details>
    </div>
  );
}

/** Which of the customer's screens (monitors) the picture shows; only when there are several. */
function ScreenPicker(
  { t, uid, state: s, actions: a }: Pick<ToolbarProps, "t" | "uid" | "state" | "actions">,
) {
  return (
    <div class="rv-group rv-screen-field">
      <label for={`${uid}-screen`} class="visually-hidden">{t("screenPick")}</label>
      <select
        id={`${uid}-screen`}
        class="rv-screen"
        title={t("screenPick")}
        value={s.currentScreen ?? ""}
        disabled={!s.connected || s.agent !== "connected"}
        onChange={(event) => {
          const id = (event.currentTarget as HTMLSelectElement).value;
          a.setScreen(id === "" ? null : id);
        }}
      >
        <option value="">{t("screenAll")}</option>
        {s.screens.map((screen, i) => (
          <option value={screen.id}>
            {`${i + 1}: ${screen.id}${
              screen.primary ? ` (${t("screenPrimary")})` : ""
            } · ${screen.width}×${screen.height}`}
          </option>
        ))}
      </select>
    </div>
  );
}

/**
 * A press anywhere outside the open "More" menu closes it, as any menu does (a native <details>
 * stays open: it covered the picture the technician went back to). A press inside keeps it open,
 * so several of its toggles can be used in a row. The press itself still does what it does.
 * The island's own, not static/app.js's `data-menu` (which also closes at a choice): the
 * detached remote window loads no app.js, and the menu must behave the same there.
 */
function closeOnPressOutside(event: Event) {
  const details = event.currentTarget as HTMLDetailsElement;
  if (!details.open) return;
  const doc = details.ownerDocument;
  const away = (press: Event) => {
    if (press.target instanceof Node && details.contains(press.target)) return;
    details.open = false;
  };
  doc.addEventListener("pointerdown", away, true);
  // Its next toggle is its closing, however it closes (this press, its summary, Escape).
  details.addEventListener("toggle", () => doc.removeEventListener("pointerdown", away, true), {
    once: true,
  });
}

/** Escape inside the "More" menu closes it and gives the focus back to its summary. */
function closeOnEscape(event: KeyboardEvent) {
  const details = event.currentTarget as HTMLDetailsElement;
  if (event.key !== "Escape" || !details.open) return;
  details.open = false;
  details.querySelector("summary")?.focus();
  event.stopPropagation();
}
