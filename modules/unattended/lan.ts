/**
 * LAN connect (SPEC C9): a browser cannot look at a network, so a computer with unattended
 * access does it for the technician — on its own networks, only when asked on its device
 * socket (protocol/lan.ts). The technician must be allowed that computer (a grant of theirs,
 * inside its access window: the same checks as Connect) and hold `lanConnect`; the computer's
 * socket must be held by this instance (the scan streams back on it).
 *
 * A scan (one per computer at a time) lives in the memory of the instance holding the
 * computer's socket (other instances relay LAN requests there, lan_relay.ts): its hosts as
 * they come, its end, the pages following it; it is audited (`unattended.lan_scan`). A push
 * to a host the scan found with SSH open reads the host's key first (`readHostKey`: its
 * fingerprint is shown and must be accepted), then makes a PIN session for the technician
 * (method "lan", in their queue), seals the administrator's credentials to the computer for
 * that push (sealed_credentials.ts; never stored, logged nor audited) and waits for the agent.
 * A failed push ends the session it made; either way the session's log and the audit say it.
 * Pushes: a few a minute per computer.
 */
import { recordAudit } from "../audit/mod.ts";
import type { AppDeps, CurrentUser } from "../http/mod.ts";
import type { TranslationKey } from "../i18n/mod.ts";
import { can } from "../permissions/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import {
  createPrivateSession,
  expireConnecting,
  logSessionEvent,
  type SupportSession,
} from "../support/mod.ts";
import {
  type DeviceAgentMessage,
  type LanHost,
  type LanPushError,
  sealCredentials,
} from "../../protocol/mod.ts";
import type { Device } from "./devices.ts";
import { grantsFor } from "./devices.ts";
import { deviceHub, type DeviceLink } from "./device_hub.ts";
import { accessWindowAllows } from "./window.ts";

/** A scan the agent stops answering for this long is over. */
export const LAN_SCAN_TIMEOUT_MS = 3 * 60_000;
export const LAN_HOST_KEY_TIMEOUT_MS = 20_000;
export const LAN_PUSH_TIMEOUT_MS = 120_000;
export const LAN_PUSHES_PER_MINUTE = 3;
const MAX_HOSTS = 1024;

export type ScanEnd = { scanned: number; stopped: boolean; error?: string };
export type LanScanEvent = { kind: "host"; host: LanHost } | { kind: "end"; end: ScanEnd };

export interface LanScan {
  id: string;
  deviceRef: string;
  userId: string;
  startedAt: Date;
  hosts: LanHost[];
  end: ScanEnd | null;
  listeners: Set<(event: LanScanEvent) => void>;
}

type Reply = Extract<DeviceAgentMessage, { type: "lanHostKeyResult" | "lanPushResult" }>;

class LanHub {
  readonly scans = new Map<string, LanScan>();
  /** The running scan of each computer. */
  readonly running = new Map<string, string>();
  /** The last scan of each computer (its hosts are what a push may aim at). */
  readonly latest = new Map<string, string>();
  readonly waiting = new Map<string, { deviceRef: string; done: (reply: Reply) => void }>();
  readonly pushes = new Map<string, number[]>();
  readonly timers = new Map<string, ReturnType<typeof setTimeout>>();

  finish(scan: LanScan, end: ScanEnd) {
    if (scan.end) return;
    scan.end = end;
    clearTimeout(this.timers.get(scan.id));
    this.timers.delete(scan.id);
    if (this.running.get(scan.deviceRef) === scan.id) this.running.delete(scan.deviceRef);
    for (const listener of scan.listeners) listener({ kind: "end", end });
  }
}

const hubs = new WeakMap<AppDeps, LanHub>();
function _hub(deps: AppDeps): LanHub {
  let hub = hubs.get(deps);
  if (!hub) hubs.set(deps, hub = new LanHub());
  return hub;
}

/**
 * The computer `deviceRef` as `user` may use it for LAN connect, with its socket here — or
 * the refusal: 403 without the permissions, 404 not one of theirs, 409 outside its access
 * window or offline here.
 */
export async function lanComputer(
  deps: AppDeps,
  user: CurrentUser,
  deviceRef: string,
): Promise<{ device: Device; link: DeviceLink }> {
  for (const permission of ["unattendedAccess", "lanConnect"] as const) {
    if (!can(user, permission)) {
      throw new Refusal(403, "errors.permissionMissing", { params: { permission } });
    }
  }
  const rows = await grantsFor(deps.db, user, deviceRef);
  if (rows.length === 0) throw new Refusal(404, "unattended.unknownDevice");
  const now = deps.clock.now();
  const verdicts = rows.map((row) => accessWindowAllows(row.grant, now));
  const allowed = verdicts.find((v) => v.ok);
  if (!allowed) {
    const first = verdicts[0];
    const reason = first.ok ? "no_access" : first.reason;
    throw new Refusal(409, `unattended.refused.${reason}` as TranslationKey, { reason });
  }
  const link = deviceHub(deps).find(deviceRef);
  if (!link) throw new Refusal(409, "lan.offline", { reason: "offline" });
  return { device: rows[0].device, link };
}

/** Starts a scan on the computer (one at a time per computer), audited. */
export async function startLanScan(
  deps: AppDeps,
  user: CurrentUser,
  deviceRef: string,
  ip: string | null,
): Promise<LanScan> {
  const { device, link } = await lanComputer(deps, user, deviceRef);
  const hub = _hub(deps);
  if (hub.running.has(device.id)) throw new Refusal(409, "lan.busy", { reason: "busy" });
  const scan: LanScan = {
    id: crypto.randomUUID(),
    deviceRef: device.id,
    userId: user.id,
    startedAt: deps.clock.now(),
    hosts: [],
    end: null,
    listeners: new Set(),
  };
  hub.scans.set(scan.id, scan);
  hub.running.set(device.id, scan.id);
  const previous = hub.latest.get(device.id);
  if (previous) hub.scans.delete(previous);
  hub.latest.set(device.id, scan.id);
  hub.timers.set(
    scan.id,
    setTimeout(
      () => hub.finish(scan, { scanned: 0, stopped: false, error: "timeout" }),
      LAN_SCAN_TIMEOUT_MS,
    ),
  );
  await recordAudit(deps.db, {
    orgId: user.orgId,
    actorId: user.id,
    actorEmail: user.email,
    action: "unattended.lan_scan",
    target: device.id,
    ip,
    details: { name: device.name, scan: scan.id },
    at: scan.startedAt,
  });
  link.send({ type: "lanScan", scanId: scan.id });
  return scan;
}

/** The scan `scanId` of the computer, for the technician who started it; else a 404. */
export function lanScanOf(deps: AppDeps, user: CurrentUser, deviceRef: string, scanId: string) {
  const scan = _hub(deps).scans.get(scanId);
  if (!scan || scan.userId !== user.id || scan.deviceRef !== deviceRef) {
    throw new Refusal(404, "lan.unknownScan");
  }
  return scan;
}

/** Stop: the agent is told; the scan ends when it says so (or here if it is gone). */
export async function stopLanScan(
  deps: AppDeps,
  user: CurrentUser,
  deviceRef: string,
  scanId: string,
) {
  const scan = lanScanOf(deps, user, deviceRef, scanId);
  if (scan.end) return scan;
  const link = deviceHub(deps).find(deviceRef);
  if (link) link.send({ type: "lanStop", scanId });
  else _hub(deps).finish(scan, { scanned: 0, stopped: true });
  await Promise.resolve();
  return scan;
}

/**
 * What a computer's agent says about LAN connect (device_gateway.ts hands it here): taken
 * only for a scan or push asked of that very computer.
 */
export function lanReceived(deps: AppDeps, deviceRef: string, message: DeviceAgentMessage) {
  const hub = _hub(deps);
  if (message.type === "lanHost" || message.type === "lanScanDone") {
    const scan = hub.scans.get(message.scanId);
    if (!scan || scan.deviceRef !== deviceRef || scan.end) return;
    if (message.type === "lanScanDone") {
      const { scanned, stopped, error } = message;
      return hub.finish(scan, { scanned, stopped, ...(error && { error }) });
    }
    if (scan.hosts.length >= MAX_HOSTS) return;
    if (scan.hosts.some((h) => h.address === message.host.address)) return;
    scan.hosts.push(message.host);
    for (const listener of scan.listeners) listener({ kind: "host", host: message.host });
    return;
  }
  if (message.type === "lanHostKeyResult" || message.type === "lanPushResult") {
    const waiting = hub.waiting.get(message.pushId);
    if (!waiting || waiting.deviceRef !== deviceRef) return;
    hub.waiting.delete(message.pushId);
    waiting.done(message);
  }
}

/** The computer's socket here closed: its running scan ends now and says so. */
export function lanDisconnected(deps: AppDeps, deviceRef: string) {
  const hub = _hub(deps);
  const scan = hub.scans.get(hub.running.get(deviceRef) ?? "");
  if (scan) hub.finish(scan, { scanned: 0, stopped: false, error: "disconnected" });
}

/** A host of the computer's last scan with SSH open, or a 404 (409 without SSH). */
export function scannedSshHost(deps: AppDeps, deviceRef: string, address: string): LanHost {
  const hub = _hub(deps);
  const scan = hub.scans.get(hub.latest.get(deviceRef) ?? "");
  const host = scan?.hosts.find((h) => h.address === address);
  if (!host) throw new Refusal(404, "lan.unknownHost");
  if (!host.ports.includes(22)) throw new Refusal(409, "lan.noSsh");
  return host;
}

function _ask<T extends Reply["type"]>(
  deps: AppDeps,
  deviceRef: string,
  pushId: string,
  timeoutMs: number,
  send: () => void,
): Promise<Extract<Reply, { type: T }> | null> {
  const hub = _hub(deps);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      hub.waiting.delete(pushId);
      resolve(null);
    }, timeoutMs);
    hub.waiting.set(pushId, {
      deviceRef,
      done: (reply) => {
        clearTimeout(timer);
        resolve(reply as Extract<Reply, { type: T }>);
      },
    });
    send();
  });
}

const PUSH_ERROR_KEYS: Record<LanPushError | "timeout", TranslationKey> = {
  busy: "lan.pushError.busy",
  no_ssh_client: "lan.pushError.no_ssh_client",
  unreachable: "lan.pushError.unreachable",
  host_key_changed: "lan.pushError.host_key_changed",
  auth_failed: "lan.pushError.auth_failed",
  copy_failed: "lan.pushError.copy_failed",
  start_failed: "lan.pushError.start_failed",
  sealed_unreadable: "lan.pushError.sealed_unreadable",
  unsupported: "lan.pushError.unsupported",
  failed: "lan.pushError.failed",
  timeout: "lan.pushError.timeout",
};

/** A push that did not go through: the reason, and the OS's own words when it gave some. */
export class LanPushRefusal extends Refusal {
  constructor(key: TranslationKey, code: string, readonly detail?: string) {
    super(409, key, { reason: code });
  }
}

/** The host's SSH key as the computer reads it: its fingerprint for the technician. */
export async function readHostKey(
  deps: AppDeps,
  user: CurrentUser,
  deviceRef: string,
  address: string,
): Promise<{ host: LanHost; fingerprint: string; keyType: string }> {
  const { link } = await lanComputer(deps, user, deviceRef);
  const host = scannedSshHost(deps, deviceRef, address);
  const pushId = crypto.randomUUID();
  const reply = await _ask<"lanHostKeyResult">(
    deps,
    deviceRef,
    pushId,
    LAN_HOST_KEY_TIMEOUT_MS,
    () => link.send({ type: "lanHostKey", pushId, address }),
  );
  if (!reply?.fingerprint) {
    const error = reply?.error ?? "timeout";
    throw new Refusal(409, PUSH_ERROR_KEYS[error], { reason: error });
  }
  return { host, fingerprint: reply.fingerprint, keyType: reply.keyType ?? "" };
}

export interface PushRequest {
  address: string;
  /** The fingerprint the technician saw and accepted. */
  fingerprint: string;
  credentials: { user: string; password: string };
  ip: string | null;
}

/**
 * Pushes the support app to a host the last scan found with SSH open and starts it with a
 * new PIN session's code: the session (method "lan") is returned when the agent says the app
 * was started; a failure ends that session and is refused with the reason in words.
 */
export async function pushToHost(
  deps: AppDeps,
  user: CurrentUser,
  deviceRef: string,
  request: PushRequest,
): Promise<SupportSession> {
  const { device, link } = await lanComputer(deps, user, deviceRef);
  const host = scannedSshHost(deps, deviceRef, request.address);
  if (!link.sealingKey) throw new Refusal(409, "lan.pushError.sealed_unreadable");
  const hub = _hub(deps);
  const now = deps.clock.now().getTime();
  const recent = (hub.pushes.get(deviceRef) ?? []).filter((at) => now - at < 60_000);
  if (recent.length >= LAN_PUSHES_PER_MINUTE) {
    const wait = Math.ceil((recent[0] + 60_000 - now) / 1000);
    throw new Refusal(429, "lan.tooManyPushes", {
      params: { seconds: wait },
      headers: { "Retry-After": String(wait) },
    });
  }
  hub.pushes.set(deviceRef, [...recent, now]);
  const name = host.name ?? host.address;
  const { session } = await createPrivateSession(deps, user, {
    method: "lan",
    customerName: name.slice(0, 120),
    fields: {},
    ip: request.ip,
  });
  const pushId = crypto.randomUUID();
  const sealed = await sealCredentials(link.sealingKey, pushId, request.credentials);
  await logSessionEvent(deps, session, "log.lanPushStarted", {
    host: name,
    address: host.address,
    computer: device.name,
    fingerprint: request.fingerprint,
  }, { userId: user.id, name: user.name, author: "technician" });
  const reply = await _ask<"lanPushResult">(
    deps,
    deviceRef,
    pushId,
    LAN_PUSH_TIMEOUT_MS,
    () =>
      link.send({
        type: "lanPush",
        pushId,
        address: host.address,
        method: "ssh",
        fingerprint: request.fingerprint,
        pin: session.pin ?? "",
        packagePath: `/s/${session.token}/agent`,
        sealedCredentials: sealed,
      }),
  );
  const error = reply?.ok ? null : reply?.error ?? "timeout";
  const audit = {
    actor: { id: user.id, email: user.email },
    action: error ? "unattended.lan_push_failed" as const : "unattended.lan_pushed" as const,
    details: {
      device: device.id,
      host: host.address,
      error,
      fingerprint: request.fingerprint,
      ip: request.ip,
    },
  };
  if (!error) {
    await logSessionEvent(deps, session, "log.lanPushed", { host: name }, {
      author: "system",
    }, audit);
    return session;
  }
  await logSessionEvent(
    deps,
    session,
    "log.lanPushFailed",
    {
      host: name,
      reason: error,
    },
    { author: "system" },
    audit,
  );
  // Nobody can come with its PIN now: the wait ends as its deadline would (PIN freed).
  await expireConnecting(deps, session.id);
  throw new LanPushRefusal(PUSH_ERROR_KEYS[error], error, reply?.detail);
}
