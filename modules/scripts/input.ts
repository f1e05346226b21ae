/**
 * What a script in a library may be (SPEC R10): its fields checked the same way for the
 * form, the XML import and the admin's nested scripts, each problem a code the page words.
 * The contents' limits are the protocol's, so nothing stored is refused by the agent later.
 */
import {
  RESOURCE_MAX_BYTES,
  SCRIPT_FILE_NAME,
  SCRIPT_MAX_BYTES,
  SCRIPT_OS,
  SCRIPT_TIMEOUT_MAX_S,
  type ScriptOs,
} from "../../protocol/scripts.ts";

export { RESOURCE_MAX_BYTES, SCRIPT_MAX_BYTES, SCRIPT_OS, SCRIPT_TIMEOUT_MAX_S, type ScriptOs };

export const NAME_MAX = 120;
/** Scripts in one technician's library, and the organisation's nested scripts. */
export const MAX_SCRIPTS = 100;
export const MAX_FAVOURITES = 5;
export const DEFAULT_TIMEOUT_S = 300;

export type ScriptProblemCode =
  | "nameRequired"
  | "nameTooLong"
  | "fileNameInvalid"
  | "osInvalid"
  | "timeoutInvalid"
  | "scriptRequired"
  | "scriptTooLarge"
  | "scriptNotText"
  | "resourceTooLarge"
  | "resourceNameInvalid"
  | "resourceSameName";

export interface ScriptProblem {
  field: "name" | "fileName" | "targetOs" | "timeoutSeconds" | "script" | "resource";
  code: ScriptProblemCode;
}

/** The settings of a script, as typed (strings) or read from a file. */
export interface ScriptSettingsDraft {
  name: string;
  targetOs: string;
  timeoutSeconds: string | number;
  runAtStart: boolean;
  favourite: boolean;
}

export interface ScriptSettings {
  name: string;
  targetOs: ScriptOs;
  timeoutSeconds: number;
  runAtStart: boolean;
  favourite: boolean;
}

/** A file given with a script: its name as uploaded and its bytes. */
export interface GivenFile {
  name: string;
  bytes: Uint8Array;
}

export function isScriptOs(value: unknown): value is ScriptOs {
  return typeof value === "string" && (SCRIPT_OS as readonly string[]).includes(value);
}

/** The settings, or every problem with them. */
export function checkSettings(
  draft: ScriptSettingsDraft,
): { ok: true; settings: ScriptSettings } | { ok: false; problems: ScriptProblem[] } {
  const problems: ScriptProblem[] = [];
  const name = draft.name.trim();
  if (name === "") problems.push({ field: "name", code: "nameRequired" });
  else if (name.length > NAME_MAX) problems.push({ field: "name", code: "nameTooLong" });
  if (!isScriptOs(draft.targetOs)) problems.push({ field: "targetOs", code: "osInvalid" });
  const timeout = Number(draft.timeoutSeconds);
  if (!Number.isInteger(timeout) || timeout < 1 || timeout > SCRIPT_TIMEOUT_MAX_S) {
    problems.push({ field: "timeoutSeconds", code: "timeoutInvalid" });
  }
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    settings: {
      name,
      targetOs: draft.targetOs as ScriptOs,
      timeoutSeconds: timeout,
      runAtStart: draft.runAtStart,
      favourite: draft.favourite,
    },
  };
}

/**
 * The script file and the optional resource file: names the agent can write as they are
 * (a plain name, no path), sizes within the protocol's, the script UTF-8 text.
 */
export function checkFiles(
  script: GivenFile | undefined,
  resource: GivenFile | undefined,
  options: { scriptRequired: boolean },
): ScriptProblem[] {
  const problems: ScriptProblem[] = [];
  if (!script) {
    if (options.scriptRequired) problems.push({ field: "script", code: "scriptRequired" });
  } else if (script.bytes.length === 0) {
    problems.push({ field: "script", code: "scriptRequired" });
  } else if (script.bytes.length > SCRIPT_MAX_BYTES) {
    problems.push({ field: "script", code: "scriptTooLarge" });
  } else if (!isFileName(script.name)) {
    problems.push({ field: "fileName", code: "fileNameInvalid" });
  } else if (!isUtf8(script.bytes)) {
    problems.push({ field: "script", code: "scriptNotText" });
  }
  if (resource) {
    if (resource.bytes.length > RESOURCE_MAX_BYTES) {
      problems.push({ field: "resource", code: "resourceTooLarge" });
    } else if (!isFileName(resource.name)) {
      problems.push({ field: "resource", code: "resourceNameInvalid" });
    } else if (script && resource.name === script.name) {
      problems.push({ field: "resource", code: "resourceSameName" });
    }
  }
  return problems;
}

export function isFileName(name: string): boolean {
  return SCRIPT_FILE_NAME.test(name) && name !== "." && name !== "..";
}

function isUtf8(bytes: Uint8Array): boolean {
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}
