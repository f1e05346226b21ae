/** @jsxRuntime automatic @jsxImportSource preact */
/**
 * The file manager's buttons: the toolbar over both panes (each acts on the active pane, its
 * key in the tooltip), the technician side's source and its upload/download, and the customer
 * side's places (drives and mount points, common folders, other users' homes).
 */
import type { Actions } from "./actions.ts";
import type { Navigator } from "./commands.ts";
import type { FileUiKey } from "../../protocol/file_manager_ui.ts";
import type { Translate } from "./format.ts";
import { canPickFolder, hasPrivateStorage } from "./local_fs.ts";
import { exportFiles, importFiles } from "./local_io.ts";
import type { Roots } from "./remote_api.ts";
import { type FmState, other } from "./state.ts";

function Button(
  props: {
    t: Translate;
    label: FileUiKey;
    keys?: string;
    class?: string;
    disabled?: boolean;
    onClick(): void;
    text?: string;
  },
) {
  const label = props.text ?? props.t(props.label);
  return (
    <button
      type="button"
      class={`secondary small ${props.class ?? ""}`}
      disabled={props.disabled}
      onClick={props.onClick}
      title={props.keys ? `${label} (${props.keys})` : label}
      aria-keyshortcuts={props.keys}
    >
      {label}
    </button>
  );
}

export function Toolbar(props: {
  t: Translate;
  state: FmState;
  ready: boolean;
  detached: boolean;
  actions: Actions;
  nav: Navigator;
  onEdit(): void;
  onHelp(): void;
  onDetach(): void;
}) {
  const { t, state: s, actions: a, nav } = props;
  const off = !props.ready || s.busy;
  const id = s.active;
  const pick = () => {
    const alternate = {
      label: t("deselect"),
      run: (
        pattern: string,
      ) => (nav.select(id, { op: "deselect", pattern }), nav.host.set({ dialog: null })),
    };
    nav.host.set({
      dialog: {
        kind: "prompt",
        title: t("selectPattern"),
        label: t("pattern"),
        value: "*.log",
        submit: t("select"),
        alternate,
        onSubmit: (
          pattern,
        ) => (nav.select(id, { op: "select", pattern }), nav.host.set({ dialog: null })),
      },
    });
  };
  return (
    <div class="fm-toolbar" role="toolbar" aria-label={t("toolbar")}>
      <div class="fm-group">
        <Button
          t={t}
          label="copy"
          class="fm-copy"
          keys="F5"
          disabled={off}
          onClick={() => a.transfer(false)}
          text={t(other(id) === "remote" ? "copyToCustomer" : "copyToYou")}
        />
        <Button
          t={t}
          label="move"
          class="fm-move"
          keys="F6"
          disabled={off}
          onClick={() => a.transfer(true)}
        />
        <Button
          t={t}
          label="synchronise"
          class="fm-sync"
          disabled={off}
          onClick={() => a.synchronise()}
        />
        <Button
          t={t}
          label="replicate"
          class="fm-replicate"
          disabled={off}
          onClick={() => a.replicate()}
          text={t(other(id) === "remote" ? "replicateToCustomer" : "replicateToYou")}
        />
      </div>
      <div class="fm-group">
        <Button
          t={t}
          label="newFolder"
          class="fm-mkdir"
          keys="F7"
          disabled={off}
          onClick={() => a.newFolder()}
        />
        <Button
          t={t}
          label="rename"
          class="fm-rename"
          keys="F2"
          disabled={off}
          onClick={() => a.rename()}
        />
        <Button
          t={t}
          label="delete"
          class="fm-delete"
          keys="Delete"
          disabled={off}
          onClick={() => a.remove()}
        />
        <Button
          t={t}
          label="edit"
          class="fm-edit"
          keys="F4"
          disabled={off}
          onClick={props.onEdit}
        />
        <Button
          t={t}
          label="hash"
          class="fm-hash"
          disabled={off}
          onClick={() => a.hashSelection()}
        />
      </div>
      <div class="fm-group">
        <Button
          t={t}
          label="selectPattern"
          class="fm-pattern"
          disabled={!props.ready}
          onClick={pick}
        />
        <Button
          t={t}
          label="selectAll"
          class="fm-all"
          keys="Control+A"
          disabled={!props.ready}
          onClick={() => nav.select(id, { op: "all" })}
        />
        <Button
          t={t}
          label="selectNone"
          class="fm-none"
          disabled={!props.ready}
          onClick={() => nav.select(id, { op: "none" })}
        />
        <Button
          t={t}
          label="invert"
          class="fm-invert"
          disabled={!props.ready}
          onClick={() => nav.select(id, { op: "invert" })}
        />
      </div>
      <div class="fm-group fm-group-end">
        <Button t={t} label="help" class="fm-help-button" keys="?" onClick={props.onHelp} />
        {!props.detached && (
          <Button t={t} label="detach" class="fm-detach" onClick={props.onDetach} />
        )}
      </div>
    </div>
  );
}

export function LocalTools(props: { t: Translate; nav: Navigator; mode: FmState["localMode"] }) {
  const { t, nav, mode } = props;
  const choose = (
    <>
      {canPickFolder() && (
        <Button
          t={t}
          label="chooseFolder"
          class="fm-pick"
          onClick={() => void nav.useLocal("picked")}
          text={t(mode === "picked" ? "changeFolder" : "chooseFolder")}
        />
      )}
      {hasPrivateStorage() && mode !== "private" && (
        <Button
          t={t}
          label="useStorage"
          class="fm-storage"
          onClick={() => void nav.useLocal("private")}
        />
      )}
    </>
  );
  if (mode !== "private") return <div class="fm-side-tools">{choose}</div>;
  const take = (e: Event) => {
    const input = e.currentTarget as HTMLInputElement;
    if (input.files?.length) void importFiles(nav, [...input.files]);
    input.value = "";
  };
  return (
    <div class="fm-side-tools">
      {choose}
      <label class="button secondary small fm-upload">
        {t("uploadFiles")}
        <input type="file" multiple hidden onChange={take} />
      </label>
      <label class="button secondary small fm-upload-folder">
        {t("uploadFolder")}
        <input type="file" multiple hidden {...{ webkitdirectory: "" }} onChange={take} />
      </label>
      <Button t={t} label="download" class="fm-download" onClick={() => void exportFiles(nav)} />
    </div>
  );
}

export function RemoteTools(
  props: { t: Translate; nav: Navigator; places: Roots | null; showUsers: boolean },
) {
  const { t, nav, places } = props;
  if (!places) return null;
  const users = places.users.length > 0;
  return (
    <div class="fm-side-tools">
      <select
        class="fm-places"
        aria-label={t("places")}
        onChange={(e) => {
          const select = e.currentTarget as HTMLSelectElement;
          if (select.value) void nav.openPlace(select.value);
          select.value = "";
        }}
      >
        <option value="">{t("goTo")}</option>
        <optgroup label={t("drives")}>
          {places.roots.map((p) => <option value={p.path}>{p.label}</option>)}
        </optgroup>
        <optgroup label={t("common")}>
          {places.common.map((p) => <option value={p.path}>{p.label}</option>)}
        </optgroup>
        {props.showUsers && users && (
          <optgroup label={t("users")}>
            {places.users.map((p) => <option value={p.path}>{p.label}</option>)}
          </optgroup>
        )}
      </select>
      {users && (
        <label class="fm-users-toggle">
          <input
            type="checkbox"
            checked={props.showUsers}
            onChange={(e) =>
              nav.host.set({ showUsers: (e.currentTarget as HTMLInputElement).checked })}
          />
          {t("allUsers")}
        </label>
      )}
    </div>
  );
}
