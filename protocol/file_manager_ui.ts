/**
 * The technician's file-manager island (islands/file_manager/) and the server page that mounts
 * it: the props it gets on its mount element and the names of its strings (locales
 * `fileManager.ui.*`). Plain data and types, no zod: the island imports this file. The HTTP API
 * it calls is docs/files_api.md.
 */

/** The island's strings; each is `fileManager.ui.<key>` in locales/*.json. */
export const FILE_UI_KEYS = [
  "toolbar",
  "yourSide",
  "customerSide",
  "connecting",
  "agentAbsent",
  "notOffered",
  "consent_off",
  "consent_asked",
  "consent_granted",
  "consent_denied",
  "consent_revoked",
  "ask",
  "askAgain",
  "endAccess",
  "needsConsent",
  "chooseLocal",
  "chooseLocalFirst",
  "chooseFolder",
  "changeFolder",
  "useStorage",
  "browserStorage",
  "uploadFiles",
  "uploadFolder",
  "download",
  "places",
  "goTo",
  "drives",
  "common",
  "users",
  "allUsers",
  "up",
  "go",
  "refresh",
  "pathLabel",
  "showHidden",
  "colName",
  "colType",
  "colSize",
  "colDate",
  "colHash",
  "typeFolder",
  "typeFile",
  "typeLink",
  "emptyFolder",
  "loading",
  "truncated",
  "selectedCount",
  "copy",
  "copyToCustomer",
  "copyToYou",
  "move",
  "synchronise",
  "replicate",
  "replicateToCustomer",
  "replicateToYou",
  "newFolder",
  "rename",
  "delete",
  "edit",
  "hash",
  "selectPattern",
  "selectAll",
  "selectNone",
  "invert",
  "help",
  "detach",
  "pattern",
  "select",
  "deselect",
  "folderName",
  "create",
  "newName",
  "renameTitle",
  "deleteTitle",
  "replicateTitle",
  "replicateGo",
  "cancel",
  "close",
  "save",
  "saving",
  "saved",
  "unsaved",
  "discardChanges",
  "editTitle",
  "opening",
  "helpTitle",
  "key_otherPane",
  "key_leftPane",
  "key_rightPane",
  "key_next",
  "key_toggle",
  "key_open",
  "key_up",
  "key_rename",
  "key_edit",
  "key_transfer",
  "key_move",
  "key_newFolder",
  "key_delete",
  "key_selectAll",
  "key_copy",
  "key_cut",
  "key_paste",
  "key_help",
  "key_close",
  "transfers",
  "noTransfers",
  "totals",
  "timeLeft",
  "cancelAll",
  "clearFinished",
  "dirDown",
  "dirUp",
  "state_queued",
  "state_running",
  "state_done",
  "state_failed",
  "state_cancelled",
  "working",
  "failed",
  "pasteOtherSide",
  "conflicts",
] as const;

/** Strings with a count: `<key>_one` and `<key>_other` in the locales and on the mount. */
export const FILE_UI_PLURALS = [
  "copiedCount",
  "failedCount",
  "unchangedCount",
  "removedCount",
  "importedCount",
  "copyCount",
  "cutCount",
  "deleteRemote",
  "deleteLocal",
  "replicateConfirm",
  "bundleFiles",
  "andMore",
] as const;

export type FileUiKey = typeof FILE_UI_KEYS[number] | typeof FILE_UI_PLURALS[number];
export type FileUiLabel =
  | typeof FILE_UI_KEYS[number]
  | `${typeof FILE_UI_PLURALS[number]}_${"one" | "other"}`;

/** The island's props, written as `data-*` by the server and read back by the island. */
export interface FileManagerMount {
  session: string;
  csrf: string;
  /** `/console/sessions/<id>/agent`: the consent's state, events, request and revoke. */
  agent: string;
  /**
   * `/console/sessions/<id>/file-manager`: the HTTP API (docs/files_api.md) — the same
   * routes under `/x` for an external technician.
   */
  files: string;
  /** The detached window's address; empty where there is none (a guest's console). */
  window: string;
  detached: boolean;
  labels: Partial<Record<FileUiLabel, string>>;
}

export function fileManagerAttributes(props: FileManagerMount): Record<`data-${string}`, string> {
  return {
    "data-session": props.session,
    "data-csrf": props.csrf,
    "data-agent": props.agent,
    "data-files": props.files,
    "data-window": props.window,
    "data-detached": props.detached ? "1" : "0",
    "data-labels": JSON.stringify(props.labels),
  };
}

export function readFileManagerMount(
  data: Readonly<Record<string, string | undefined>>,
): FileManagerMount {
  let labels: FileManagerMount["labels"] = {};
  try {
    const parsed: unknown = JSON.parse(data.labels || "{}");
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) {
      labels = Object.fromEntries(
        Object.entries(parsed).filter(([, value]) => typeof value === "string"),
      );
    }
  } catch { /* no labels: the keys show */ }
  return {
    session: data.session ?? "",
    csrf: data.csrf ?? "",
    agent: data.agent ?? "",
    files: data.files ?? "",
    window: data.window ?? "",
    detached: data.detached === "1",
    labels,
  };
}
