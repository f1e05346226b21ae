/**
 * What is installed and what starts with the user on Windows, from the registry: the
 * Uninstall keys (HKLM in its 64-bit and 32-bit views, and HKCU — what "Apps & features"
 * lists) and the Run/RunOnce keys plus the Startup folders, each entry's on/off state from
 * Explorer's StartupApproved keys.
 */
import type { Applications, AppRow, Startup } from "../../../protocol/system.ts";
import { APPS_MAX, STARTUP_MAX } from "../../../protocol/system_limits.ts";
import {
  HKCU,
  HKLM,
  KEY_WOW64_32KEY,
  KEY_WOW64_64KEY,
  openKey,
  type RegValue,
  rootName,
} from "./registry.ts";

const UNINSTALL = "SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Uninstall";
const RUN_KEYS = ["Run", "RunOnce"].map((k) =>
  `SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\${k}`
);
const APPROVED = "SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Explorer\\StartupApproved";

/** The views searched: HKLM 64-bit, HKLM 32-bit (WOW6432Node), HKCU. */
const VIEWS = [
  { root: HKLM, view: KEY_WOW64_64KEY, label: "" },
  { root: HKLM, view: KEY_WOW64_32KEY, label: " (32-bit)" },
  { root: HKCU, view: 0, label: "" },
];

/** "20240131" (InstallDate) → "2024-01-31"; anything else as it is. */
export function installDate(value: string): string {
  const m = /^(\d{4})(\d{2})(\d{2})$/.exec(value.trim());
  return m ? `${m[1]}-${m[2]}-${m[3]}` : value.trim();
}

/** One Uninstall subkey's values as a row; undefined for what "Apps & features" hides. */
export function appRow(values: Map<string, RegValue>): AppRow | undefined {
  const text = (name: string) => {
    const v = values.get(name);
    return typeof v === "string" ? v.trim() : typeof v === "number" ? String(v) : "";
  };
  const name = text("DisplayName");
  if (name === "" || values.get("SystemComponent") === 1) return undefined;
  const publisher = text("Publisher");
  const date = installDate(text("InstallDate"));
  const size = values.get("EstimatedSize"); // KiB
  return {
    source: "registry",
    name: name.slice(0, 256),
    version: text("DisplayVersion").slice(0, 256),
    summary: [publisher, date && `installed ${date}`].filter(Boolean).join(" · ").slice(0, 300),
    sizeBytes: typeof size === "number" && size > 0 ? size * 1024 : null,
  };
}

export function listApplications(signal: AbortSignal): Applications {
  const apps: AppRow[] = [];
  const seen = new Set<string>();
  let found = 0;
  for (const { root, view } of VIEWS) {
    using key = openKey(root, UNINSTALL, view);
    if (!key) continue;
    found++;
    for (const sub of key.subkeys()) {
      if (signal.aborted) break;
      using app = openKey(root, `${UNINSTALL}\\${sub}`, view);
      if (!app) continue;
      const row = appRow(new Map(app.values(200).map((v) => [v.name, v.value])));
      if (!row) continue;
      const id = `${row.name}\0${row.version}`;
      if (seen.has(id)) continue; // the same key seen through both views
      seen.add(id);
      apps.push(row);
    }
  }
  apps.sort((a, b) => a.name.localeCompare(b.name));
  return {
    sources: [{
      source: "registry",
      status: found > 0 ? { available: true, value: { count: apps.length } } : {
        available: false,
        why: "no_source",
        about: "none_found",
        detail: `HKEY_LOCAL_MACHINE\\${UNINSTALL}, HKEY_CURRENT_USER\\${UNINSTALL}`,
      },
    }],
    apps: apps.slice(0, APPS_MAX),
    truncated: apps.length > APPS_MAX,
  };
}

/** StartupApproved's bytes: the first one even (02, 06) is on, odd (03, 07) is off. */
export function approvedOn(value: RegValue | undefined): boolean {
  return !(value instanceof Uint8Array && value.length > 0 && (value[0] & 1) === 1);
}

function _approved(root: bigint, sub: string): Map<string, RegValue> {
  using key = openKey(root, `${APPROVED}\\${sub}`);
  return new Map(key ? key.values().map((v) => [v.name, v.value]) : []);
}

type AutostartRow = { name: string; command: string; file: string; enabled: boolean };

function _runEntries(tried: string[]): { rows: AutostartRow[]; found: number } {
  const rows: AutostartRow[] = [];
  let found = 0;
  for (const { root, view, label } of VIEWS) {
    const approved = _approved(root, view === KEY_WOW64_32KEY ? "Run32" : "Run");
    for (const path of RUN_KEYS) {
      const where = `${rootName(root)}\\${path}${label}`;
      tried.push(where);
      using key = openKey(root, path, view);
      if (!key) continue;
      found++;
      for (const { name, value } of key.values(STARTUP_MAX)) {
        if (typeof value !== "string") continue;
        rows.push({
          name: name.slice(0, 300),
          command: value.slice(0, 1000),
          file: where.slice(0, 1000),
          enabled: approvedOn(approved.get(name)),
        });
      }
    }
  }
  return { rows, found };
}

function _startupFolders(tried: string[]): { rows: AutostartRow[]; found: number } {
  const rows: AutostartRow[] = [];
  let found = 0;
  const folders = [
    { base: Deno.env.get("APPDATA"), root: HKCU },
    { base: Deno.env.get("ProgramData"), root: HKLM },
  ];
  for (const { base, root } of folders) {
    if (!base) continue;
    const dir = `${base}\\Microsoft\\Windows\\Start Menu\\Programs\\Startup`;
    tried.push(dir);
    const approved = _approved(root, "StartupFolder");
    try {
      for (const entry of Deno.readDirSync(dir)) {
        if (!entry.isFile || entry.name.toLowerCase() === "desktop.ini") continue;
        rows.push({
          name: entry.name.replace(/\.lnk$/i, "").slice(0, 300),
          command: `${dir}\\${entry.name}`.slice(0, 1000),
          file: dir.slice(0, 1000),
          enabled: approvedOn(approved.get(entry.name)),
        });
      }
      found++;
    } catch { /* no such folder */ }
  }
  return { rows, found };
}

export function autostartSection(): Startup["autostart"] {
  const tried: string[] = [];
  const run = _runEntries(tried);
  const folders = _startupFolders(tried);
  if (run.found + folders.found === 0) {
    return {
      available: false,
      why: "no_source",
      about: "none_found",
      detail: tried.join(", ").slice(0, 500),
    };
  }
  return { available: true, value: [...run.rows, ...folders.rows].slice(0, STARTUP_MAX) };
}
