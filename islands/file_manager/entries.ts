/**
 * What a pane lists and the rules over a listing that need no browser: sorting (folders first),
 * hidden files, and selection — all, none, invert, and select/deselect by a pattern such as
 * `*.log` (`*` any run of characters, `?` one; several patterns separated by `;` or spaces).
 */

export type EntryKind = "file" | "dir" | "link" | "other";

/** One row of a pane: a file or folder on either side. */
export interface Entry {
  name: string;
  kind: EntryKind;
  /** Bytes (0 for folders). */
  size: number;
  /** Last change, ms since the epoch (0 when unknown). */
  mtime: number;
  /** Hidden by the OS's convention (a leading dot on Linux and macOS, the attribute on Windows). */
  hidden: boolean;
}

export const SORT_KEYS = ["name", "type", "size", "date"] as const;
export type SortKey = typeof SORT_KEYS[number];
export interface Sort {
  key: SortKey;
  descending: boolean;
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });

/** The extension a "type" sort groups by: the part after the last dot, lower case. */
export function extensionOf(name: string): string {
  const dot = name.lastIndexOf(".");
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : "";
}

/** Folders first whatever the order; then by the key, ties broken by name. */
export function sortEntries(entries: readonly Entry[], sort: Sort): Entry[] {
  const sign = sort.descending ? -1 : 1;
  const byKey = (a: Entry, b: Entry): number => {
    switch (sort.key) {
      case "type":
        return collator.compare(extensionOf(a.name), extensionOf(b.name));
      case "size":
        return a.size - b.size;
      case "date":
        return a.mtime - b.mtime;
      default:
        return 0;
    }
  };
  return [...entries].sort((a, b) => {
    const folders = Number(b.kind === "dir") - Number(a.kind === "dir");
    if (folders) return folders;
    return sign * (byKey(a, b) || collator.compare(a.name, b.name));
  });
}

/** What a pane shows: hidden entries only when asked for. */
export function visibleEntries(entries: readonly Entry[], showHidden: boolean): Entry[] {
  return showHidden ? [...entries] : entries.filter((entry) => !entry.hidden);
}

/**
 * A pattern as a test on names; case-insensitive (a technician typing `*.log` means `A.LOG`
 * too). An empty pattern matches nothing.
 */
export function patternMatcher(pattern: string): (name: string) => boolean {
  const parts = pattern.split(/[;\s]+/).filter(Boolean);
  if (parts.length === 0) return () => false;
  const source = parts.map((part) =>
    part.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")
  ).join("|");
  const regex = new RegExp(`^(?:${source})$`, "iu");
  return (name) => regex.test(name);
}

export type SelectionChange =
  | { op: "all" }
  | { op: "none" }
  | { op: "invert" }
  | { op: "select"; pattern: string }
  | { op: "deselect"; pattern: string };

/** The selection after `change`, over the names the pane shows (`names`). */
export function changeSelection(
  selected: ReadonlySet<string>,
  names: readonly string[],
  change: SelectionChange,
): Set<string> {
  switch (change.op) {
    case "all":
      return new Set(names);
    case "none":
      return new Set();
    case "invert":
      return new Set(names.filter((name) => !selected.has(name)));
    case "select": {
      const match = patternMatcher(change.pattern);
      return new Set([...selected, ...names.filter(match)]);
    }
    case "deselect": {
      const match = patternMatcher(change.pattern);
      return new Set([...selected].filter((name) => !match(name)));
    }
  }
}

/**
 * A click's selection: plain click selects one, Ctrl/Cmd toggles, Shift extends from the
 * anchor over the shown order.
 */
export function clickSelection(
  selected: ReadonlySet<string>,
  names: readonly string[],
  click: { name: string; anchor: string | null; toggle: boolean; range: boolean },
): Set<string> {
  if (click.range && click.anchor !== null) {
    const from = names.indexOf(click.anchor);
    const to = names.indexOf(click.name);
    if (from >= 0 && to >= 0) {
      const [lo, hi] = from < to ? [from, to] : [to, from];
      return new Set([...(click.toggle ? selected : []), ...names.slice(lo, hi + 1)]);
    }
  }
  if (click.toggle) {
    const next = new Set(selected);
    if (next.has(click.name)) next.delete(click.name);
    else next.add(click.name);
    return next;
  }
  return new Set([click.name]);
}
