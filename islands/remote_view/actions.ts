/**
 * What the toolbar's buttons do. View and control are asked of the server (which asks the
 * customer); the rest is local: layout, scale, magnifier, full screen, detach, screenshot,
 * refresh (a keyframe) and quality.
 */
import type { RemoteViewMount, ViewerInput } from "../../protocol/viewer.ts";
import { saveScreenshot } from "./screenshot.ts";
import type { Stage } from "./stage.ts";
import type { StatsTracker } from "./stats.ts";
import type { ToolbarActions } from "./toolbar.tsx";
import {
  capitalize,
  controlling,
  isActive,
  screenKey,
  type Translate,
  viewActive,
  type ViewState,
} from "./view_state.ts";

export interface ActionsHost {
  state(): ViewState;
  setState(change: Partial<ViewState> | ((s: ViewState) => Partial<ViewState>)): void;
  send(message: ViewerInput): boolean;
  t: Translate;
  setStatus(text: string, error?: boolean): void;
  el: HTMLElement;
  mount: RemoteViewMount;
  stage: Stage;
  stats: StatsTracker;
  video(): HTMLVideoElement | null;
  closePeer(): void;
  /** The technician stopped the view here: a session-wide view does not restart it. */
  setStopped(stopped: boolean): void;
  mounted(): boolean;
}

const POPUP = "popup=yes,width=1280,height=860,noopener";

export function toolbarActions(host: ActionsHost): ToolbarActions {
  const { t, el, mount, stage } = host;
  return {
    toggleView() {
      const on = !viewActive(host.state());
      host.setStopped(!on);
      if (!host.send({ type: "view", on })) return;
      if (!on) host.closePeer();
      host.setState({ watching: on });
    },
    toggleControl() {
      const on = !isActive(host.state().control);
      if (!on) stage.releaseAll(true);
      if (!host.send({ type: "control", on })) return;
      // Asking for control also means watching (the server counts this viewer as watching).
      if (on) {
        host.setStopped(false);
        host.setState({ watching: true });
      }
    },
    ctrlAltDel() {
      // Said at once; the agent answers only when it could not (nothing answers it there).
      if (controlling(host.state()) && host.send({ type: "ctrlAltDel" })) {
        host.setStatus(t("ctrlAltDelSent"));
      }
      stage.focus();
    },
    toggleLayout() {
      host.setState((s) => ({ layout: s.layout === "local" ? "remote" : "local" }));
    },
    setMode(mode) {
      host.setState((s) => ({
        mode,
        screenModes: { ...s.screenModes, [screenKey(s.currentScreen)]: mode },
      }));
    },
    setScreen(id) {
      host.send({ type: "screen", id });
      stage.focus();
    },
    toggleMagnifier() {
      host.setState((s) => ({ magnifier: !s.magnifier }));
      stage.clearLens();
    },
    toggleFullscreen() {
      if (document.fullscreenElement === el) document.exitFullscreen().catch(() => {});
      else el.requestFullscreen?.().catch(() => host.setStatus(t("fullscreenFailed"), true));
    },
    detach() {
      // The new window keeps this view's clipboard sync (the box may differ from the option).
      const sync = host.state().clipSync ? "" : "?clipboard=0";
      const url = `/console/sessions/${encodeURIComponent(mount.session)}/remote${sync}`;
      globalThis.open(url, `remote-${mount.session}`, POPUP);
    },
    screenshot() {
      saveScreenshot({
        video: host.video(),
        size: stage.screenSize(),
        target: { url: mount.screenshot, csrf: mount.csrf },
        busy: (busyShot) => host.mounted() && host.setState({ busyShot }),
        report: (outcome, detail) => {
          if (outcome === "saved") return host.setStatus(t("screenshotSaved", { name: detail! }));
          if (outcome === "noVideo") return host.setStatus(t("screenshotNoVideo"), true);
          host.setStatus(`${t("screenshotFailed")}${detail ? ` ${detail}` : ""}`, true);
        },
      });
    },
    async askAgent() {
      const url = `/console/sessions/${encodeURIComponent(mount.session)}/share/switch`;
      const response = await fetch(url, {
        method: "POST",
        headers: { "X-CSRF-Token": mount.csrf, "HX-Request": "true" },
      }).catch(() => null);
      if (response?.ok) return host.setStatus(t("agentAsked"));
      const text = response ? (await response.text()).replace(/<[^>]*>/g, "").trim() : "";
      host.setStatus(text.slice(0, 200) || `HTTP ${response?.status ?? "—"}`, true);
    },
    async toggleRecording() {
      const action = host.state().recording ? "stop" : "start";
      const response = await fetch(`${mount.record}/${action}`, {
        method: "POST",
        headers: { "X-CSRF-Token": mount.csrf, "HX-Request": "true" },
      }).catch(() => null);
      // The state message that follows says "Recording"; only a refusal is said here.
      if (response?.ok) return;
      const text = response ? (await response.text()).replace(/<[^>]*>/g, "").trim() : "";
      host.setStatus(t("recordFailed", { reason: text.slice(0, 200) || "HTTP" }), true);
    },
    requestKeyframe() {
      host.stats.lastKeyframeAt = performance.now();
      host.send({ type: "keyframe" });
    },
    toggleWhiteboard() {
      const on = !host.state().whiteboard;
      if (on) stage.releaseAll(true); // nothing stays held while the pointer draws
      else stage.drawing.up();
      host.send({ type: "whiteboard", on }); // the server's state says it is on
      stage.focus();
    },
    toggleLaser() {
      const on = !host.state().laser;
      if (!on) stage.drawing.laser(null);
      host.setState({ laser: on });
      stage.focus();
    },
    setPen(pen) {
      host.setState((s) => ({ pen: { ...s.pen, ...pen } }));
    },
    clearDrawings() {
      host.send({ type: "whiteboardClear" });
      stage.focus();
    },
    undoDrawing() {
      stage.drawing.up(); // a line still being drawn is finished first, then taken away
      host.send({ type: "whiteboardUndo" });
      stage.focus();
    },
    setQuality(preset) {
      host.setState({ quality: preset });
      if (host.send({ type: "quality", preset })) {
        host.setStatus(t("qualitySet", { name: t(`quality${capitalize(preset)}`) }));
      }
    },
  };
}
