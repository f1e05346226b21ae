/**
 * Entry of the technician's remote-view island (bundled at start-up and served as
 * /static/islands/remote_view.js; see modules/static_files/islands.ts). One `RemoteView` per
 * `.remote-view[data-session]` element — rendered by the server (modules/remote/views.tsx) in a
 * session's workspace panel, which htmx swaps in and out, and on the detached
 * /console/sessions/<id>/remote page — mounted when it appears, unmounted when it leaves.
 * `globalThis.__remoteView` lets tests and the benchmark read the views' stats and video.
 */
import { h, render } from "preact";
import { readMount } from "../protocol/viewer.ts";
import { RemoteView } from "./remote_view/remote_view.tsx";
import type { ViewStats } from "./remote_view/stats.ts";

const SELECTOR = ".remote-view[data-session]";

/** Element → its view (set by the view itself once constructed). */
const mounted = new Map<HTMLElement, RemoteView | null>();

function viewFor(sessionId: string): RemoteView | null {
  for (const view of mounted.values()) if (view?.sessionId === sessionId) return view;
  return null;
}

const api = {
  /** The latest stats of the view that reported last (fps, kbps, latencyMs, …). */
  stats: {} as ViewStats | Record<string, never>,
  statsFor(sessionId: string): ViewStats | null {
    return viewFor(sessionId)?.state.stats ?? null;
  },
  /** The `video.rv-video` of a mounted view (the first one, if two show the same session). */
  videoFor(sessionId: string): HTMLVideoElement | null {
    return viewFor(sessionId)?.videoRef.current ?? null;
  },
  sessions(): string[] {
    return [...mounted.values()].flatMap((view) => (view?.sessionId ? [view.sessionId] : []));
  },
};

function mount(el: HTMLElement) {
  if (mounted.has(el) || !el.isConnected) return;
  mounted.set(el, null);
  el.replaceChildren(); // e.g. a copy restored from htmx's history cache
  const onStats = (stats: ViewStats) => (api.stats = stats);
  // h(), not JSX: preact's JSX types refuse a class component here (TS2786).
  render(h(RemoteView, { el, mount: readMount(el.dataset), registry: mounted, onStats }), el);
}

function unmount(el: HTMLElement) {
  if (!mounted.has(el)) return;
  mounted.delete(el);
  render(null, el);
  for (const key of ["mode", "control", "view", "agent"]) delete el.dataset[key];
}

function scan(node: Node) {
  if (!(node instanceof HTMLElement)) return;
  if (node.matches(SELECTOR)) mount(node);
  for (const el of node.querySelectorAll<HTMLElement>(SELECTOR)) mount(el);
}

const global = globalThis as { __remoteView?: typeof api };
if (!global.__remoteView) {
  global.__remoteView = api;
  new MutationObserver((mutations) => {
    let removed = false;
    for (const mutation of mutations) {
      for (const node of mutation.addedNodes) scan(node);
      removed ||= mutation.removedNodes.length > 0;
    }
    if (removed) { for (const el of [...mounted.keys()]) if (!el.isConnected) unmount(el); }
  }).observe(document.body, { childList: true, subtree: true });
  scan(document.body);
}
