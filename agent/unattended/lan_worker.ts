/**
 * What the service does for LAN connect (SPEC C9) when — and only when — the server asks on
 * its device socket (service.ts `onLan`): one scan at a time (lan_scan.ts; a second while one
 * runs is answered `busy`), stopped by `lanStop`; and pushes through a `LanPusher` per method
 * — SSH (lan_push_ssh.ts) beside Windows (SMB/WinRM), which is not built: it answers
 * `unsupported`. The networks are this computer's own (`scanNetworks`); `testNetworks` (a
 * test's explicit list such as `127.0.0.1/32`) replaces them.
 */
import type { LanReply, LanRequest } from "./service.ts";
import { LAN_PORTS, type LanPort, type LanPushError } from "../../protocol/mod.ts";
import { parseCidr, scanLan, type ScanNetwork, scanNetworks } from "./lan_scan.ts";

/** A push's outcome. */
export type PushOutcome = { ok: true } | { ok: false; error: LanPushError; detail?: string };

/** One way to put the support app on another computer (SSH now; SMB/WinRM later). */
export interface LanPusher {
  /** The host's key fingerprint for the technician to accept (`SHA256:…`). */
  hostKey(address: string): Promise<
    { fingerprint: string; keyType: string } | { error: LanPushError }
  >;
  push(request: {
    address: string;
    fingerprint: string;
    pin: string;
    /** The session's download (`/s/<token>/agent`) of the portable app on the server. */
    packagePath: string;
    credentials: { user: string; password: string };
  }): Promise<PushOutcome>;
}

/** Windows hosts (SMB/WinRM): not built — every call says so. */
export const windowsPusher: LanPusher = {
  hostKey: () => Promise.resolve({ error: "unsupported" }),
  push: () => Promise.resolve({ ok: false, error: "unsupported" }),
};

export interface LanWorkerOptions {
  log: (line: string) => void;
  /** Replaces this computer's networks (tests only: e.g. ["127.0.0.1/32"]). */
  testNetworks?: string[];
  pushers?: { ssh?: LanPusher; windows?: LanPusher };
  /** Opens the credentials sealed to this device for a push (sealing_key.ts). */
  unseal?: (pushId: string, sealed: string) => Promise<{ user: string; password: string }>;
}

export class LanWorker {
  #scan: { id: string; stop: AbortController } | null = null;
  #pushing = false;

  constructor(private options: LanWorkerOptions) {}

  networks(): ScanNetwork[] {
    if (this.options.testNetworks) {
      return this.options.testNetworks.map(parseCidr).filter((n): n is ScanNetwork => !!n);
    }
    return scanNetworks(Deno.networkInterfaces());
  }

  handle(message: LanRequest, reply: (message: LanReply) => void): void {
    switch (message.type) {
      case "lanScan":
        return void this.#startScan(message.scanId, reply);
      case "lanStop":
        if (this.#scan?.id === message.scanId) this.#scan.stop.abort();
        return;
      case "lanHostKey":
        return void this.#hostKey(message, reply);
      case "lanPush":
        return void this.#push(message, reply);
    }
  }

  async #startScan(scanId: string, reply: (message: LanReply) => void) {
    if (this.#scan) {
      reply({ type: "lanScanDone", scanId, scanned: 0, stopped: false, error: "busy" });
      return;
    }
    const networks = this.networks();
    if (networks.length === 0) {
      reply({ type: "lanScanDone", scanId, scanned: 0, stopped: false, error: "no_networks" });
      return;
    }
    const stop = new AbortController();
    this.#scan = { id: scanId, stop };
    this.options.log(`LAN scan asked by the server: ${networks.map((n) => n.cidr).join(", ")}`);
    try {
      const scanned = await scanLan({
        networks,
        signal: stop.signal,
        onHost: (host) =>
          reply({
            type: "lanHost",
            scanId,
            host: {
              ...host,
              ports: host.ports.filter((p): p is LanPort => LAN_PORTS.includes(p as LanPort)),
            },
          }),
      });
      this.options.log(
        `LAN scan ${stop.signal.aborted ? "stopped" : "done"}: ${scanned} looked at`,
      );
      reply({ type: "lanScanDone", scanId, scanned, stopped: stop.signal.aborted });
    } catch (error) {
      this.options.log(`LAN scan failed: ${error instanceof Error ? error.message : error}`);
      reply({ type: "lanScanDone", scanId, scanned: 0, stopped: false, error: "failed" });
    } finally {
      this.#scan = null;
    }
  }

  #pusher(method: "ssh" | "windows"): LanPusher {
    return (method === "ssh" ? this.options.pushers?.ssh : this.options.pushers?.windows) ??
      windowsPusher;
  }

  async #hostKey(
    message: Extract<LanRequest, { type: "lanHostKey" }>,
    reply: (message: LanReply) => void,
  ) {
    const { pushId } = message;
    const key = await this.#pusher("ssh").hostKey(message.address)
      .catch(() => ({ error: "failed" as const }));
    reply({ type: "lanHostKeyResult", pushId, ...key });
  }

  async #push(
    message: Extract<LanRequest, { type: "lanPush" }>,
    reply: (message: LanReply) => void,
  ) {
    const { pushId } = message;
    if (this.#pushing) return reply({ type: "lanPushResult", pushId, ok: false, error: "busy" });
    this.#pushing = true;
    try {
      let credentials: { user: string; password: string };
      try {
        if (!this.options.unseal) throw new Error("no sealing key");
        credentials = await this.options.unseal(pushId, message.sealedCredentials);
      } catch {
        return reply({ type: "lanPushResult", pushId, ok: false, error: "sealed_unreadable" });
      }
      this.options.log(`LAN push to ${message.address} (${message.method}) asked by the server`);
      const outcome = await this.#pusher(message.method).push({
        address: message.address,
        fingerprint: message.fingerprint,
        pin: message.pin,
        packagePath: message.packagePath,
        credentials,
      }).catch((): PushOutcome => ({ ok: false, error: "failed" }));
      this.options.log(
        `LAN push to ${message.address}: ${outcome.ok ? "started" : outcome.error}`,
      );
      reply({
        type: "lanPushResult",
        pushId,
        ok: outcome.ok,
        ...(!outcome.ok && { error: outcome.error }),
        ...(!outcome.ok && outcome.detail && { detail: outcome.detail.slice(0, 300) }),
      });
    } finally {
      this.#pushing = false;
    }
  }
}
