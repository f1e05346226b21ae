/**
 * Moving around the panes: loading a folder on either side, going to a typed path, up, the
 * places (drives, common folders, other users' homes), hidden files, sorting, the selection by
 * click, key and pattern, and the technician's side's source (a picked folder or the browser's
 * storage). File operations are in actions.ts.
 */
import {
  changeSelection,
  clickSelection,
  type Entry,
  type SelectionChange,
  type SortKey,
} from "./entries.ts";
import type { Translate } from "./format.ts";
import { canPickFolder, LocalFs, pickFolder, privateStorage } from "./local_fs.ts";
import { shown } from "./pane.tsx";
import type { RemoteApi } from "./remote_api.ts";
import { LocalSide, RemoteSide, type Side, type SideId } from "./sides.ts";
import type { FmState } from "./state.ts";

export interface Host {
  get(): FmState;
  set(change: Partial<FmState> | ((s: FmState) => Partial<FmState>)): void;
  t: Translate;
  focusPane(side: SideId): void;
}

export class Navigator {
  readonly remote: RemoteSide;
  local: LocalSide | null = null;
  /** Verified SHA-256 by side and full path, shown in the panes' hash column. */
  readonly hashes = new Map<string, string>();
  #loads = { local: 0, remote: 0 };

  constructor(readonly host: Host, api: RemoteApi) {
    this.remote = new RemoteSide(api);
  }

  side(id: SideId): Side | null {
    return id === "remote" ? this.remote : this.local;
  }

  rememberHash(side: SideId, path: string, sha256: string) {
    this.hashes.set(`${side}\0${path}`, sha256);
  }

  #hashesFor(id: SideId, folder: string, entries: Entry[]): Map<string, string> {
    const side = this.side(id)!;
    const found = new Map<string, string>();
    for (const entry of entries) {
      const hash = this.hashes.get(`${id}\0${side.join(folder, entry.name)}`);
      if (hash) found.set(entry.name, hash);
    }
    return found;
  }

  /** Lists `path` on `id` (the current folder when omitted); a failure shows in the pane. */
  async load(id: SideId, path?: string, keepSelection = false): Promise<boolean> {
    const side = this.side(id);
    if (!side) return false;
    const pane = this.host.get()[id];
    const target = path ?? pane.path;
    const load = ++this.#loads[id];
    this.host.set((s) => ({ [id]: { ...s[id], loading: true } }));
    try {
      const listing = await side.list(target, pane.hidden);
      if (load !== this.#loads[id]) return false;
      const names = new Set(listing.entries.map((e) => e.name));
      const same = listing.path === pane.path;
      this.host.set((s) => ({
        [id]: {
          ...s[id],
          path: listing.path,
          display: this.display(id, listing.path),
          parent: listing.parent,
          entries: listing.entries,
          truncated: "truncated" in listing ? Boolean(listing.truncated) : false,
          selected: same && keepSelection
            ? new Set([...s[id].selected].filter((n) => names.has(n)))
            : new Set(),
          cursor: same && s[id].cursor && names.has(s[id].cursor!) ? s[id].cursor : null,
          anchor: null,
          loading: false,
          error: null,
          hashes: this.#hashesFor(id, listing.path, listing.entries),
        },
      }));
      return true;
    } catch (error) {
      if (load !== this.#loads[id]) return false;
      const reason = error instanceof Error ? error.message : String(error);
      this.host.set((s) => ({ [id]: { ...s[id], loading: false, error: reason } }));
      return false;
    }
  }

  display(id: SideId, path: string): string {
    if (id === "remote") return path;
    const root = this.host.get().localName;
    return path ? `${root}/${path}` : root;
  }

  /** A typed path: the customer's side takes it as is; ours is relative to the chosen folder. */
  go(id: SideId, typed: string) {
    if (id === "remote") return void this.load(id, typed.trim());
    const root = this.host.get().localName;
    let rel = typed.trim();
    if (rel === root || rel.startsWith(`${root}/`)) rel = rel.slice(root.length);
    void this.load(id, rel.split("/").filter(Boolean).join("/"));
  }

  up(id: SideId) {
    const parent = this.host.get()[id].parent;
    if (parent !== null) void this.load(id, parent);
  }

  setHidden(id: SideId, hidden: boolean) {
    this.host.set((s) => ({ [id]: { ...s[id], hidden } }));
    void this.load(id, undefined, true);
  }

  sort(id: SideId, key: SortKey) {
    this.host.set((s) => {
      const was = s[id].sort;
      return {
        [id]: { ...s[id], sort: { key, descending: was.key === key ? !was.descending : false } },
      };
    });
  }

  click(id: SideId, name: string, mods: { toggle: boolean; range: boolean }) {
    this.host.set((s) => {
      const pane = s[id];
      const names = shown(pane).map((e) => e.name);
      const selected = clickSelection(pane.selected, names, {
        name,
        anchor: pane.anchor ?? pane.cursor,
        ...mods,
      });
      return {
        active: id,
        [id]: {
          ...pane,
          selected,
          cursor: name,
          anchor: mods.range ? pane.anchor ?? pane.cursor : name,
        },
      };
    });
  }

  select(id: SideId, change: SelectionChange) {
    this.host.set((s) => {
      const names = shown(s[id]).map((e) => e.name);
      return { [id]: { ...s[id], selected: changeSelection(s[id].selected, names, change) } };
    });
  }

  /** Moves the cursor: +1 / −1, or to the first / last row. */
  moveCursor(id: SideId, to: "next" | "previous" | "first" | "last") {
    this.host.set((s) => {
      const names = shown(s[id]).map((e) => e.name);
      if (names.length === 0) return {};
      const at = s[id].cursor === null ? -1 : names.indexOf(s[id].cursor!);
      const index = to === "first"
        ? 0
        : to === "last"
        ? names.length - 1
        : Math.min(names.length - 1, Math.max(0, at + (to === "next" ? 1 : -1)));
      return { [id]: { ...s[id], cursor: names[index], anchor: names[index] } };
    });
  }

  toggleCursor(id: SideId) {
    const cursor = this.host.get()[id].cursor;
    if (cursor !== null) this.click(id, cursor, { toggle: true, range: false });
    this.moveCursor(id, "next");
  }

  /** The entries an operation works on: the selection, else the row under the cursor. */
  targets(id: SideId): Entry[] {
    const pane = this.host.get()[id];
    const rows = shown(pane);
    const selected = rows.filter((e) => pane.selected.has(e.name));
    if (selected.length) return selected;
    return rows.filter((e) => e.name === pane.cursor);
  }

  async openPlace(path: string) {
    await this.load("remote", path);
  }

  async startRemote() {
    try {
      const places = await this.remote.api.roots();
      this.remote.separator = places.separator;
      this.host.set({ places });
      const home = places.common.find((p) => p.kind === "home") ?? places.roots[0];
      if (home) await this.load("remote", home.path);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.host.set((s) => ({ remote: { ...s.remote, error: reason } }));
    }
  }

  async useLocal(mode: "picked" | "private") {
    let root: FileSystemDirectoryHandle;
    try {
      root = mode === "picked" ? await pickFolder() : await privateStorage();
    } catch (error) {
      if ((error as DOMException)?.name === "AbortError") return;
      this.host.set({ status: { text: String(error), error: true } });
      return;
    }
    this.local = new LocalSide(new LocalFs(root, mode === "private"));
    const name = mode === "private" ? this.host.t("browserStorage") : root.name;
    this.host.set({ localMode: mode, localName: name });
    await this.load("local", "");
  }

  /** Without a folder picker the browser's storage is the technician's side from the start. */
  async startLocal() {
    if (!canPickFolder()) await this.useLocal("private");
  }
}
