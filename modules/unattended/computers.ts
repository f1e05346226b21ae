/**
 * The Computers list: every device `user` may reach (own grants and those shared with them,
 * not removed for them), with what the list shows — name, OS, online/offline, last seen,
 * the access window and whether it allows a connection now — filtered by name and status.
 */
import type { AppDeps, CurrentUser } from "../http/mod.ts";
import { type Device, type Grant, grantsFor } from "./devices.ts";
import { accessWindowAllows, type WindowVerdict } from "./window.ts";

export type ComputerStatus = "online" | "offline";

export interface ComputerFilter {
  name?: string;
  status?: ComputerStatus | "all";
}

export interface ComputerRow {
  device: Device;
  online: boolean;
  /** The grant the window is shown for: one that allows now, else the first. */
  grant: Grant;
  verdict: WindowVerdict;
  /** Others reach it too (so "remove just for me" means something). */
  shared: boolean;
  /** This user owns a grant on it (may remove it for everyone). */
  owner: boolean;
}

export async function computersFor(
  deps: AppDeps,
  user: CurrentUser,
  filter: ComputerFilter = {},
  now: Date = deps.clock.now(),
): Promise<ComputerRow[]> {
  const rows = await grantsFor(deps.db, user);
  const byDevice = new Map<string, { device: Device; grants: Grant[] }>();
  for (const { device, grant } of rows) {
    const entry = byDevice.get(device.id) ?? { device, grants: [] };
    entry.grants.push(grant);
    byDevice.set(device.id, entry);
  }
  const name = (filter.name ?? "").trim().toLowerCase();
  const out: ComputerRow[] = [];
  for (const { device, grants } of byDevice.values()) {
    const online = device.onlineInstance !== null;
    if (name && !device.name.toLowerCase().includes(name)) continue;
    if (filter.status === "online" && !online) continue;
    if (filter.status === "offline" && online) continue;
    const judged = grants.map((grant) => ({ grant, verdict: accessWindowAllows(grant, now) }));
    const best = judged.find((j) => j.verdict.ok) ?? judged[0];
    out.push({
      device,
      online,
      grant: best.grant,
      verdict: best.verdict,
      shared: grants.some((g) =>
        g.ownerUserId !== user.id || g.sharedUserIds.length > 0 || g.sharedGroupIds.length > 0
      ),
      owner: grants.some((g) => g.ownerUserId === user.id),
    });
  }
  return out.sort((a, b) =>
    Number(b.online) - Number(a.online) || a.device.name.localeCompare(b.device.name)
  );
}
