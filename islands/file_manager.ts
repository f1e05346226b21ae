/**
 * Entry of the technician's file-manager island (bundled at start-up, served as
 * /static/islands/file_manager.js). One `FileManager` per `.file-manager[data-session]` element
 * — in a session's workspace (its File manager tab, which htmx swaps in and out) and on the
 * detached /console/sessions/<id>/file-manager/window page — mounted when it appears,
 * unmounted when it leaves. `globalThis.__fileManager` lets tests read the queue.
 */
import { h, render } from "preact";
import { readFileManagerMount } from "../protocol/file_manager_ui.ts";
import { FileManager } from "./file_manager/file_manager.tsx";

const SELECTOR = ".file-manager[data-session]";
const mounted = new Map<HTMLElement, FileManager | null>();

const api = {
  /** The jobs of the file manager of `sessionId` (state, size, done, sha256 by label). */
  jobs(sessionId: string) {
    for (const [el, view] of mounted) {
      if (el.dataset.session === sessionId && view) {
        return view.actions.queue.jobs.map((j) => ({ ...j }));
      }
    }
    return [];
  },
};

function mount(el: HTMLElement) {
  if (mounted.has(el) || !el.isConnected) return;
  mounted.set(el, null);
  el.replaceChildren();
  const props = readFileManagerMount(el.dataset);
  // h(), not JSX: preact's JSX types refuse a class component here (TS2786).
  render(
    h(FileManager, { mount: props, onMount: (view: FileManager) => mounted.set(el, view) }),
    el,
  );
}

function unmount(el: HTMLElement) {
  if (!mounted.has(el)) return;
  mounted.delete(el);
  render(null, el);
}

function scan(node: Node) {
  if (!(node instanceof HTMLElement)) return;
  if (node.matches(SELECTOR)) mount(node);
  for (const el of node.querySelectorAll<HTMLElement>(SELECTOR)) mount(el);
}

const global = globalThis as { __fileManager?: typeof api };
if (!global.__fileManager) {
  global.__fileManager = api;
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
