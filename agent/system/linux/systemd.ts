/**
 * systemd through `systemctl` (argument arrays, never a shell): services and their state,
 * timers and when they next fire, units enabled at start-up, and start/stop/restart. Whether
 * systemd runs at all is its own test (sd_booted(3): /run/systemd/system exists) — on a
 * machine without it the sections say so instead of failing.
 */
import type { ScheduledTask, Section, ServiceRow } from "../../../protocol/system.ts";
import { runTool, ToolMissing } from "../run.ts";

export async function systemdRunning(root = "/run/systemd/system"): Promise<boolean> {
  try {
    return (await Deno.stat(root)).isDirectory;
  } catch {
    return false;
  }
}

export const NO_SYSTEMD = {
  available: false,
  why: "no_systemd",
  about: "missing",
  detail: "/run/systemd/system",
} as const;

/** `systemctl list-units --plain --no-legend`: UNIT LOAD ACTIVE SUB DESCRIPTION… */
export function parseListUnits(text: string): Omit<ServiceRow, "enabled">[] {
  const out: Omit<ServiceRow, "enabled">[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.replace(/^[\s●*]+/, "");
    const match = /^(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s*(.*)$/.exec(line);
    if (!match) continue;
    out.push({
      name: match[1].slice(0, 256),
      load: match[2].slice(0, 32),
      active: match[3].slice(0, 32),
      sub: match[4].slice(0, 32),
      description: match[5].trim().slice(0, 500),
    });
  }
  return out;
}

/** `systemctl list-unit-files --plain --no-legend`: UNIT-FILE STATE [PRESET]. */
export function parseUnitFiles(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split("\n")) {
    const [name, state] = line.trim().split(/\s+/);
    if (name && state) out.set(name, state);
  }
  return out;
}

async function _systemctl(args: string[], signal?: AbortSignal) {
  return await runTool("systemctl", ["--no-pager", "--no-ask-password", ...args], { signal });
}

function _failed(error: unknown): Section<never> {
  if (error instanceof ToolMissing) {
    return { available: false, why: "no_tool", about: "not_installed", detail: "systemctl" };
  }
  return { available: false, why: "failed", about: "message", detail: String(error).slice(0, 500) };
}

export async function listServices(signal?: AbortSignal): Promise<Section<ServiceRow[]>> {
  if (!await systemdRunning()) return NO_SYSTEMD;
  try {
    const [units, files] = await Promise.all([
      _systemctl(["list-units", "--type=service", "--all", "--plain", "--no-legend"], signal),
      _systemctl(["list-unit-files", "--type=service", "--plain", "--no-legend"], signal),
    ]);
    if (units.code !== 0) {
      return {
        available: false,
        why: "failed",
        about: "message",
        detail: units.stderr.trim().slice(0, 500),
      };
    }
    const enabled = parseUnitFiles(files.stdout);
    const listed = parseListUnits(units.stdout).slice(0, 3000);
    const can = await _canStartStop(listed.map((row) => row.name), signal);
    const rows = listed.map((row) => ({
      ...row,
      enabled: (enabled.get(row.name) ?? enabled.get(_template(row.name)) ?? null)?.slice(0, 32) ??
        null,
      ...can.get(row.name),
    }));
    return { available: true, value: rows };
  } catch (error) {
    return _failed(error);
  }
}

/**
 * `systemctl show --property=Id,CanStart,CanStop` blocks: whether each unit may be started and
 * stopped by hand (CanStop is "no" with RefuseManualStop=yes, CanStart with RefuseManualStart
 * or a masked unit).
 */
export function parseCanStartStop(
  text: string,
): Map<string, { canStart: boolean; canStop: boolean }> {
  const out = new Map<string, { canStart: boolean; canStop: boolean }>();
  for (const block of text.split(/\n\s*\n/)) {
    const props: Record<string, string> = {};
    for (const line of block.split("\n")) {
      const at = line.indexOf("=");
      if (at > 0) props[line.slice(0, at)] = line.slice(at + 1).trim();
    }
    if (!props.Id || !props.CanStart || !props.CanStop) continue;
    out.set(props.Id, { canStart: props.CanStart === "yes", canStop: props.CanStop === "yes" });
  }
  return out;
}

/** Each unit's CanStart/CanStop; none where systemctl could not say (the state decides then). */
async function _canStartStop(names: string[], signal?: AbortSignal) {
  if (names.length === 0) return new Map();
  const show = await _systemctl(
    ["show", "--property=Id,CanStart,CanStop", "--", ...names],
    signal,
  );
  return show.code === 0 ? parseCanStartStop(show.stdout) : new Map();
}

/** getty@tty1.service → getty@.service (its unit file). */
function _template(name: string): string {
  return name.replace(/@[^.]*\./, "@.");
}

/** Units enabled at start-up (reads the unit files: works whether systemd runs or not). */
export async function enabledUnits(
  signal?: AbortSignal,
): Promise<Section<{ name: string; state: string }[]>> {
  try {
    const out = await _systemctl(
      ["list-unit-files", "--state=enabled,enabled-runtime", "--plain", "--no-legend"],
      signal,
    );
    if (out.code !== 0 && !out.stdout.trim()) {
      return {
        available: false,
        why: "failed",
        about: "message",
        detail: out.stderr.trim().slice(0, 500),
      };
    }
    const rows = [...parseUnitFiles(out.stdout)].map(([name, state]) => ({
      name: name.slice(0, 256),
      state: state.slice(0, 32),
    }));
    return { available: true, value: rows.slice(0, 1000) };
  } catch (error) {
    return _failed(error);
  }
}

/**
 * `systemctl show` blocks (blank-line separated KEY=value). NextElapseUSecRealtime comes as
 * `@<seconds>` with --timestamp=unix.
 */
export function parseTimers(text: string): ScheduledTask[] {
  const out: ScheduledTask[] = [];
  for (const block of text.split(/\n\s*\n/)) {
    const props: Record<string, string> = {};
    for (const line of block.split("\n")) {
      const at = line.indexOf("=");
      if (at > 0) props[line.slice(0, at)] = line.slice(at + 1);
    }
    if (!props.Id) continue;
    const next = /^@(\d+)$/.exec(props.NextElapseUSecRealtime ?? "");
    const calendar = /OnCalendar=([^;]+)/.exec(props.TimersCalendar ?? "")?.[1]?.trim();
    out.push({
      source: "timer",
      name: props.Id.slice(0, 300),
      schedule: (calendar ?? props.TimersMonotonic ?? "").slice(0, 300),
      next: next ? new Date(Number(next[1]) * 1000).toISOString() : null,
      command: (props.Unit ?? "").slice(0, 1000),
    });
  }
  return out;
}

export async function listTimers(signal?: AbortSignal): Promise<Section<ScheduledTask[]>> {
  if (!await systemdRunning()) return NO_SYSTEMD;
  try {
    const list = await _systemctl(
      ["list-units", "--type=timer", "--all", "--plain", "--no-legend"],
      signal,
    );
    const names = parseListUnits(list.stdout).map((u) => u.name).slice(0, 200);
    if (names.length === 0) return { available: true, value: [] };
    const show = await _systemctl([
      "show",
      "--timestamp=unix",
      "--property=Id,NextElapseUSecRealtime,TimersCalendar,TimersMonotonic,Unit",
      "--",
      ...names,
    ], signal);
    return { available: true, value: parseTimers(show.stdout) };
  } catch (error) {
    return _failed(error);
  }
}

/** start/stop/restart one (validated) service; its ActiveState after. */
export async function serviceAction(
  unit: string,
  action: "start" | "stop" | "restart",
  signal?: AbortSignal,
): Promise<{ ok: true; active: string } | { ok: false; reason: string }> {
  if (!await systemdRunning()) return { ok: false, reason: NO_SYSTEMD.detail };
  const done = await _systemctl([action, "--", unit], signal);
  if (done.code !== 0) {
    return {
      ok: false,
      reason: (done.stderr.trim() || `systemctl exited ${done.code}`).slice(0, 500),
    };
  }
  const state = await _systemctl(["show", "--property=ActiveState", "--value", "--", unit], signal);
  return { ok: true, active: state.stdout.trim().slice(0, 32) };
}
