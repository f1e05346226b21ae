/** @jsxRuntime automatic @jsxImportSource preact */
/**
 * One pane: where it is (places, a typed path, up, refresh, hidden files), the listing as a
 * grid (sortable headers, selection by click, Ctrl-click and Shift-click), and a footer with
 * the selection's count and size. Keyboard handling is the whole file manager's
 * (file_manager.tsx); this component only draws and reports clicks.
 */
import type { ComponentChildren } from "preact";
import {
  type Entry,
  extensionOf,
  type Sort,
  sortEntries,
  type SortKey,
  visibleEntries,
} from "./entries.ts";
import { formatDate, formatSize, type Translate } from "./format.ts";

export interface PaneModel {
  path: string;
  /** The path as the technician reads it. */
  display: string;
  parent: string | null;
  entries: Entry[];
  selected: Set<string>;
  cursor: string | null;
  anchor: string | null;
  sort: Sort;
  hidden: boolean;
  loading: boolean;
  error: string | null;
  truncated: boolean;
  /** SHA-256 by name, once computed or verified by a transfer. */
  hashes: Map<string, string>;
}

export const EMPTY_PANE: PaneModel = {
  path: "",
  display: "",
  parent: null,
  entries: [],
  selected: new Set(),
  cursor: null,
  anchor: null,
  sort: { key: "name", descending: false },
  hidden: false,
  loading: false,
  error: null,
  truncated: false,
  hashes: new Map(),
};

/** What the pane shows, in order. */
export function shown(model: PaneModel): Entry[] {
  return sortEntries(visibleEntries(model.entries, model.hidden), model.sort);
}

export interface PaneProps {
  t: Translate;
  id: string;
  title: string;
  model: PaneModel;
  active: boolean;
  /** Above the path: the side's own controls (places, folder picker, upload…). */
  tools?: ComponentChildren;
  onFocus(): void;
  onGo(path: string): void;
  onUp(): void;
  onRefresh(): void;
  onHidden(on: boolean): void;
  onSort(key: SortKey): void;
  onClick(name: string, mods: { toggle: boolean; range: boolean }): void;
  onOpen(entry: Entry): void;
}

const COLUMNS: { key: SortKey; label: "colName" | "colType" | "colSize" | "colDate" }[] = [
  { key: "name", label: "colName" },
  { key: "type", label: "colType" },
  { key: "size", label: "colSize" },
  { key: "date", label: "colDate" },
];

export function Pane(props: PaneProps) {
  const { t, model, id } = props;
  const rows = shown(model);
  const cursorHash = model.cursor === null ? undefined : model.hashes.get(model.cursor);
  const selectedSize = rows.filter((e) => model.selected.has(e.name)).reduce(
    (s, e) => s + e.size,
    0,
  );
  return (
    <section
      class={`fm-pane${props.active ? " is-active" : ""}`}
      aria-label={props.title}
      data-pane={id}
      onFocusIn={props.onFocus}
      onMouseDown={props.onFocus}
    >
      <header class="fm-pane-head">
        <h3 class="fm-pane-title">{props.title}</h3>
        {props.tools}
      </header>
      <form
        class="fm-path"
        onSubmit={(event) => {
          event.preventDefault();
          const input = (event.currentTarget as HTMLFormElement).elements.namedItem("path");
          props.onGo((input as HTMLInputElement).value);
        }}
      >
        <button
          type="button"
          class="secondary small fm-up"
          disabled={model.parent === null}
          onClick={props.onUp}
          title={t("up")}
        >
          ↑
        </button>
        <input
          name="path"
          class="fm-path-input"
          aria-label={t("pathLabel")}
          value={model.display}
          key={model.display}
          spellcheck={false}
          autocomplete="off"
        />
        <button type="submit" class="secondary small">{t("go")}</button>
        <button
          type="button"
          class="secondary small fm-refresh"
          onClick={props.onRefresh}
          title={t("refresh")}
        >
          ⟳
        </button>
        <label class="fm-hidden-toggle">
          <input
            type="checkbox"
            checked={model.hidden}
            onChange={(e) => props.onHidden((e.currentTarget as HTMLInputElement).checked)}
          />
          {t("showHidden")}
        </label>
      </form>
      <div
        class="fm-list"
        role="grid"
        aria-multiselectable="true"
        aria-label={props.title}
        aria-busy={model.loading}
        tabindex={0}
      >
        <div class="fm-row fm-headrow" role="row">
          {COLUMNS.map((col) => (
            <button
              type="button"
              role="columnheader"
              class={`fm-cell fm-col-${col.key}`}
              aria-sort={model.sort.key === col.key
                ? (model.sort.descending ? "descending" : "ascending")
                : "none"}
              onClick={() => props.onSort(col.key)}
              tabindex={-1}
            >
              {t(col.label)}
              {model.sort.key === col.key ? (model.sort.descending ? " ▾" : " ▴") : ""}
            </button>
          ))}
          <span role="columnheader" class="fm-cell fm-col-hash">{t("colHash")}</span>
        </div>
        {model.error && <p class="fm-error" role="alert">{model.error}</p>}
        {!model.error && rows.length === 0 && !model.loading && (
          <p class="fm-empty muted">{t("emptyFolder")}</p>
        )}
        {rows.map((entry) => <Row key={entry.name} entry={entry} {...props} />)}
      </div>
      <footer class="fm-pane-foot muted" aria-live="polite">
        {model.loading
          ? t("loading")
          : t("selectedCount", { count: model.selected.size, total: rows.length })}
        {!model.loading && selectedSize > 0 && ` · ${formatSize(selectedSize)}`}
        {model.truncated && ` · ${t("truncated")}`}
        {cursorHash && (
          <span class="fm-foot-hash">
            {`${model.cursor} · SHA-256 `}
            <code class="mono" data-sha256={cursorHash}>{cursorHash}</code>
          </span>
        )}
      </footer>
    </section>
  );
}

function Row(props: PaneProps & { entry: Entry }) {
  const { entry, model, t } = props;
  const selected = model.selected.has(entry.name);
  const hash = model.hashes.get(entry.name);
  const kind = entry.kind === "dir"
    ? t("typeFolder")
    : entry.kind === "link"
    ? t("typeLink")
    : extensionOf(entry.name).toUpperCase() || t("typeFile");
  return (
    <div
      role="row"
      class={`fm-row fm-entry is-${entry.kind}${selected ? " is-selected" : ""}${
        model.cursor === entry.name ? " is-cursor" : ""
      }${entry.hidden ? " is-hidden" : ""}`}
      aria-selected={selected}
      data-name={entry.name}
      onClick={(e) =>
        props.onClick(entry.name, { toggle: e.ctrlKey || e.metaKey, range: e.shiftKey })}
      onDblClick={() => props.onOpen(entry)}
    >
      <span role="gridcell" class="fm-cell fm-col-name" title={entry.name}>
        <span class={`fm-icon is-${entry.kind}`} aria-hidden="true"></span>
        {entry.name}
      </span>
      <span role="gridcell" class="fm-cell fm-col-type">{kind}</span>
      <span role="gridcell" class="fm-cell fm-col-size">
        {entry.kind === "dir" ? "" : formatSize(entry.size)}
      </span>
      <span role="gridcell" class="fm-cell fm-col-date">{formatDate(entry.mtime)}</span>
      <span
        role="gridcell"
        class="fm-cell fm-col-hash mono"
        title={hash ?? ""}
        data-sha256={hash ?? ""}
      >
        {hash ? `${hash.slice(0, 12)}…` : ""}
      </span>
    </div>
  );
}
