/**
 * What the technician does with files: copy or move to the other side (F5/F6, or the clipboard's
 * Ctrl+C/X then Ctrl+V), synchronise, replicate (the deletions listed and confirmed first), new
 * folder, rename, delete (to the trash on the customer's side where there is one), edit a text
 * file, the SHA-256 of the selection, and the browser-storage side's upload and download.
 */
import type { Navigator } from "./commands.ts";
import {
  copyItems,
  moveItems,
  type Ops,
  planMirror,
  replicate,
  synchronise,
} from "./operations.ts";
import { TransferQueue } from "./queue.ts";
import { type SideId } from "./sides.ts";
import { other } from "./state.ts";
import { TransferFeed } from "./feed.ts";

/**
 * How many transfers run at once: three, but one download at a time where the page came over
 * HTTP/1.1 (plain http, or https without HTTP/2) — each running download holds its data
 * request, one of the six connections the browser has per server for every window of the
 * technician (the console's stream, the System tab's, each file manager's); three in one file
 * manager left the console none. Uploads travel on a WebSocket, which holds none.
 */
export function queueLimits(
  protocol = (globalThis.performance?.getEntriesByType?.("navigation")[0] as
    | { nextHopProtocol?: string }
    | undefined)?.nextHopProtocol ?? "",
): { concurrency: number; downloads: number } {
  const multiplexed = /^(h2|h3)/.test(protocol);
  return { concurrency: 3, downloads: multiplexed ? 3 : 1 };
}

const reasonOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

export class Actions {
  readonly queue: TransferQueue;
  readonly feed: TransferFeed;

  constructor(private readonly nav: Navigator) {
    this.queue = new TransferQueue({
      ...queueLimits(),
      changed: () => nav.host.set((s) => ({ tick: s.tick + 1 })),
    });
    this.feed = new TransferFeed(nav.remote.api.eventsUrl());
  }

  get #t() {
    return this.nav.host.t;
  }

  #status(text: string, error = false) {
    this.nav.host.set({ status: { text, error } });
  }

  #ops(): Ops | null {
    if (!this.nav.local) {
      this.#status(this.#t("chooseLocalFirst"), true);
      return null;
    }
    return {
      remote: this.nav.remote,
      local: this.nav.local,
      queue: this.queue,
      feed: this.feed,
      verified: ({ from, fromPath, toPath, sha256 }) => {
        this.nav.rememberHash(from.id, fromPath, sha256);
        this.nav.rememberHash(other(from.id), toPath, sha256);
      },
    };
  }

  /** Runs `work` with the status line saying what happens and how it ended. */
  async #run(work: () => Promise<string | null>) {
    this.nav.host.set({ busy: true, status: { text: this.#t("working"), error: false } });
    try {
      const said = await work();
      this.nav.host.set({ status: said ? { text: said, error: false } : null });
    } catch (error) {
      this.#status(reasonOf(error), true);
    } finally {
      this.nav.host.set({ busy: false });
      await Promise.all([
        this.nav.load("local", undefined, true),
        this.nav.load("remote", undefined, true),
      ]);
    }
  }

  #summary(
    done: number,
    failed: { label: string; error?: string; state: string }[],
    extra: string[] = [],
  ) {
    const lines = [this.#t("copiedCount", { count: done })];
    if (failed.length) {
      lines.push(this.#t("failedCount", { count: failed.length }));
      lines.push(
        ...failed.slice(0, 3).map((j) =>
          `${j.label}: ${j.error ?? this.#t(`state_${j.state as "failed"}`)}`
        ),
      );
    }
    return [...lines, ...extra].join(" · ");
  }

  /** F5 / F6: the active pane's selection to the other pane's folder. */
  transfer(move: boolean, from: SideId = this.nav.host.get().active) {
    const ops = this.#ops();
    const items = this.nav.targets(from);
    if (!ops || items.length === 0) return;
    const state = this.nav.host.get();
    const side = this.nav.side(from)!;
    const folder = state[from].path;
    const target = state[other(from)].path;
    const hidden = state[from].hidden;
    void this.#run(async () => {
      if (move) {
        const moved = await moveItems(ops, side, folder, items, target, hidden);
        return this.#summary(moved.done, moved.failed, moved.removeFailures);
      }
      const copied = await copyItems(ops, side, folder, items, target, hidden);
      return this.#summary(copied.done, copied.failed);
    });
  }

  clip(cut: boolean) {
    const state = this.nav.host.get();
    const entries = this.nav.targets(state.active);
    if (!entries.length) return;
    this.nav.host.set({
      clipboard: { from: state.active, folder: state[state.active].path, entries, cut },
      status: {
        text: this.#t(cut ? "cutCount" : "copyCount", { count: entries.length }),
        error: false,
      },
    });
  }

  /** Ctrl+V in a pane: what was copied (or cut) on the other side arrives here. */
  paste() {
    const state = this.nav.host.get();
    const clip = state.clipboard;
    const ops = this.#ops();
    if (!clip || !ops) return;
    if (clip.from === state.active) return this.#status(this.#t("pasteOtherSide"), true);
    const side = this.nav.side(clip.from)!;
    const target = state[state.active].path;
    const hidden = state[clip.from].hidden;
    this.nav.host.set({ clipboard: clip.cut ? null : clip });
    void this.#run(async () => {
      const run = clip.cut ? moveItems : copyItems;
      const result = await run(ops, side, clip.folder, clip.entries, target, hidden);
      return this.#summary(result.done, result.failed);
    });
  }

  synchronise() {
    const ops = this.#ops();
    if (!ops) return;
    const state = this.nav.host.get();
    const folders = { local: state.local.path, remote: state.remote.path };
    void this.#run(async () => {
      const synced = await synchronise(ops, folders, state.local.hidden || state.remote.hidden);
      const extra = synced.conflicts.length
        ? [this.#t("conflicts", { list: synced.conflicts.slice(0, 5).join(", ") })]
        : [];
      return this.#summary(synced.done, synced.failed, [
        this.#t("unchangedCount", { count: synced.unchanged }),
        ...extra,
      ]);
    });
  }

  /** Mirrors the active pane's folder onto the other pane's (deletions confirmed first). */
  replicate() {
    const ops = this.#ops();
    if (!ops) return;
    const state = this.nav.host.get();
    const from = this.nav.side(state.active)!;
    const to = other(state.active);
    const folders = { from: state[state.active].path, to: state[to].path };
    const hidden = state[state.active].hidden;
    void this.#run(async () => {
      const planned = await planMirror(ops, from, folders, hidden);
      const go = () =>
        this.#run(async () => {
          const done = await replicate(ops, from, folders, planned);
          return this.#summary(done.done, done.failed, [
            this.#t("removedCount", {
              count: planned.plan.remove.length - done.removeFailures.length,
            }),
            ...done.removeFailures,
          ]);
        });
      if (planned.plan.remove.length === 0) {
        void go();
        return null;
      }
      this.nav.host.set({
        dialog: {
          kind: "confirm",
          title: this.#t("replicateTitle"),
          message: this.#t("replicateConfirm", {
            count: planned.plan.remove.length,
            folder: this.nav.display(to, folders.to),
          }),
          items: planned.plan.remove,
          confirm: this.#t("replicateGo"),
          danger: true,
          onConfirm: () => {
            this.nav.host.set({ dialog: null });
            void go();
          },
        },
      });
      return null;
    });
  }

  newFolder() {
    const id = this.nav.host.get().active;
    const side = this.nav.side(id);
    if (!side) return;
    this.nav.host.set({
      dialog: {
        kind: "prompt",
        title: this.#t("newFolder"),
        label: this.#t("folderName"),
        value: "",
        submit: this.#t("create"),
        onSubmit: (name) => {
          this.nav.host.set({ dialog: null });
          void this.#run(async () => (await side.mkdir(this.nav.host.get()[id].path, name), null));
        },
      },
    });
  }

  rename() {
    const id = this.nav.host.get().active;
    const side = this.nav.side(id);
    const [entry] = this.nav.targets(id);
    if (!side || !entry) return;
    const path = side.join(this.nav.host.get()[id].path, entry.name);
    this.nav.host.set({
      dialog: {
        kind: "prompt",
        title: this.#t("renameTitle", { name: entry.name }),
        label: this.#t("newName"),
        value: entry.name,
        submit: this.#t("rename"),
        onSubmit: (name) => {
          this.nav.host.set({ dialog: null });
          if (name !== entry.name) {
            void this.#run(async () => (await side.rename(path, name), null));
          }
        },
      },
    });
  }

  remove() {
    const id = this.nav.host.get().active;
    const side = this.nav.side(id);
    const items = this.nav.targets(id);
    if (!side || !items.length) return;
    const folder = this.nav.host.get()[id].path;
    this.nav.host.set({
      dialog: {
        kind: "confirm",
        title: this.#t("deleteTitle"),
        message: this.#t(id === "remote" ? "deleteRemote" : "deleteLocal", { count: items.length }),
        items: items.map((e) => e.name),
        confirm: this.#t("delete"),
        danger: true,
        onConfirm: () => {
          this.nav.host.set({ dialog: null });
          void this.#run(async () => {
            const failures = await side.remove(items.map((e) => side.join(folder, e.name)));
            return failures.length
              ? failures.map((f) => `${f.path}: ${f.reason}`).join(" · ")
              : null;
          });
        },
      },
    });
  }

  /** The selection's SHA-256, computed where the files are; shown in the hash column. */
  hashSelection() {
    const id = this.nav.host.get().active;
    const side = this.nav.side(id);
    const files = this.nav.targets(id).filter((e) => e.kind === "file");
    if (!side || !files.length) return;
    const folder = this.nav.host.get()[id].path;
    void this.#run(async () => {
      for (const file of files) {
        const path = side.join(folder, file.name);
        this.nav.rememberHash(id, path, await side.hash(path));
      }
      return null;
    });
  }
}
