/**
 * The device socket (`GET /agent/device`, protocol/device.ts) and the customer's local
 * command (`POST /agent/device/challenge|status|revoke`). A device says `deviceHello`, gets
 * a fresh challenge, signs it with its device key; a good proof makes it online here (this
 * instance in `devices.online_instance`) until the socket closes. A bad proof, an unknown
 * or a removed device is refused (`deviceRefused`, close 4403), audited, nothing else
 * changes. Removing access closes the device's socket with `removed`. The hello's sealing
 * key (X25519, signed by the proof) is kept on the device's row for the instances that do not
 * hold its socket. A Connect on another instance reaches the device through a `deviceJoin`
 * live notice, with the credentials typed at Connect sealed to that key (never in the clear).
 */
import { Hono } from "hono";
import { upgradeWebSocket } from "hono/deno";
import type { WSContext } from "hono/ws";
import { and, desc, eq, isNull } from "drizzle-orm";
import {
  Channel,
  type DeviceAgentMessage,
  DeviceAgentMessageSchema,
  DeviceCommandSchema,
  type DeviceServerMessage,
  type DeviceStatus,
  type GreeterId,
  SealedCredentialsSchema,
} from "../../protocol/mod.ts";
import { users } from "../auth/mod.ts";
import { type AppDeps, type AppEnv, clientAddress, socketOrigin } from "../http/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import { loadSession, logSessionEvent } from "../support/mod.ts";
import { consumeChallenge, issueChallenge, newNonce, verifyDeviceHello } from "./device_proof.ts";
import { type Device, DEVICE_REMOVED_CLOSE, revokeFromDevice } from "./devices.ts";
import { deviceHub, type DeviceLink } from "./device_hub.ts";
import { devices, unattendedConnections, unattendedGrants } from "./schema.ts";
import { describeWindow } from "./describe.ts";
import { lanDisconnected, lanReceived } from "./lan.ts";

export const DEVICE_HEARTBEAT_MS = 15_000;
const HELLO_TIMEOUT_MS = 10_000;
/** A session older than this is not joined from its notice (a late or repeated notice). */
const JOIN_FRESH_MS = 60_000;
/** Every device message is small: nothing larger is read. */
const MAX_DEVICE_FRAME = 4 * 1024;
/** Sign-in lines a device may add to one session's log (signing in, then the result). */
const SIGN_IN_LINES_MAX = 4;
/** The greeters' product names (not translated). */
const GREETER_NAMES: Record<GreeterId, string> = {
  lightdm_gtk: "LightDM GTK",
  gdm_xorg: "GDM",
  sddm: "SDDM",
  generic: "X11",
};
/** Close code of a refused device (the agent does not retry a `removed`). */
const DEVICE_REFUSED = DEVICE_REMOVED_CLOSE;

class DeviceConnection {
  readonly channel = new Channel<DeviceAgentMessage, DeviceServerMessage>(
    DeviceAgentMessageSchema,
  );
  #hello: Extract<DeviceAgentMessage, { type: "deviceHello" }> | null = null;
  #nonce: string | null = null;
  device: Device | null = null;
  link: DeviceLink | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  #lastHeard = Date.now();
  #joined = new Set<string>();
  #signInLines = new Map<string, number>();
  #unsubscribe = () => {};

  constructor(private deps: AppDeps, private ip: string) {}

  opened(ws: WSContext) {
    this.#timer = setTimeout(() => ws.close(4408, "hello expected"), HELLO_TIMEOUT_MS);
  }

  send(ws: WSContext, message: DeviceServerMessage) {
    if (ws.readyState === 1) ws.send(this.channel.encode(message));
  }

  refuse(ws: WSContext, code: string, reason: string) {
    this.send(ws, { type: "deviceRefused", code, reason });
    ws.close(DEVICE_REFUSED, code);
  }

  async received(ws: WSContext, data: unknown) {
    this.#lastHeard = Date.now();
    if (typeof data !== "string" || data.length > MAX_DEVICE_FRAME) {
      this.refuse(ws, "bad_frame", "Device frames are small JSON text");
      return;
    }
    const decoded = this.channel.decode(data);
    if (!decoded.ok) {
      this.refuse(ws, "bad_frame", decoded.reason.slice(0, 300));
      return;
    }
    const message = decoded.message;
    if (message.type === "deviceHello") {
      if (this.#hello) return this.refuse(ws, "bad_frame", "Hello was said");
      this.#hello = message;
      this.#nonce = newNonce();
      this.send(ws, { type: "challenge", nonce: this.#nonce });
      return;
    }
    if (message.type === "deviceProof") {
      if (!this.#hello || !this.#nonce || this.device) {
        return this.refuse(ws, "bad_frame", "Hello first, one proof");
      }
      const nonce = this.#nonce;
      this.#nonce = null; // one proof per challenge
      const verdict = await verifyDeviceHello(
        this.deps,
        {
          deviceId: this.#hello.deviceId,
          signature: message.signature,
          purpose: "connect",
          sealingKey: this.#hello.sealingKey,
        },
        nonce,
        this.ip,
      );
      if (!verdict.ok) return this.refuse(ws, verdict.code, verdict.reason);
      await this.#online(ws, verdict.device);
      return;
    }
    if (!this.device) return this.refuse(ws, "bad_frame", "Prove the device key first");
    if (message.type === "joined" && message.error) {
      this.deps.log.warn("device could not join", {
        device: this.device.id,
        session: message.sessionId,
        error: message.error,
      });
    }
    if (message.type === "signIn") await this.#signIn(message);
    else if (message.type.startsWith("lan")) lanReceived(this.deps, this.device.id, message);
  }

  /**
   * How the service's sign-in on the login screen went, as a line in the session's log —
   * only for a session this device was told to join, and a few lines per session at most
   * (a device cannot fill a log).
   */
  async #signIn(message: Extract<DeviceAgentMessage, { type: "signIn" }>) {
    const told = this.#signInLines.get(message.sessionId) ?? 0;
    if (!this.#joined.has(message.sessionId) || told >= SIGN_IN_LINES_MAX) return;
    this.#signInLines.set(message.sessionId, told + 1);
    const session = await loadSession(this.deps.db, message.sessionId).catch(() => null);
    if (!session || session.endedAt) return;
    await logSessionEvent(this.deps, session, `log.unattendedSignIn.${message.code}`, {
      greeter: message.greeter ? GREETER_NAMES[message.greeter] : "",
    }, { author: "system" });
  }

  async #online(ws: WSContext, device: Device) {
    clearTimeout(this.#timer);
    const now = this.deps.clock.now();
    await this.deps.db.update(devices).set({
      onlineInstance: this.deps.instance.id,
      onlineSince: now,
      lastSeenAt: now,
      os: this.#hello!.os,
      // The key this very agent announced; none from an older one (it could not open them).
      sealingKey: this.#hello!.sealingKey ?? null,
    }).where(eq(devices.id, device.id));
    this.device = device;
    this.link = {
      sealingKey: this.#hello!.sealingKey ?? null,
      send: (message) => this.send(ws, message),
      close: (code, reason) => ws.close(code, reason),
      join: (message) => {
        // Checked and marked in one synchronous step: the Connect here and the session's
        // notice both arrive, the device joins once.
        if (this.#joined.has(message.sessionId)) return;
        this.#joined.add(message.sessionId);
        this.send(ws, { type: "join", ...message });
      },
    };
    // A Connect on another instance: its `deviceJoin` notice reaches every instance.
    this.#unsubscribe = this.deps.live.subscribe(device.orgId, (event) => {
      if (event.kind !== "deviceJoin" || event.deviceRef !== device.id) return;
      this.#joinIfOurs(event).catch((error) =>
        this.deps.log.error("device join check failed", { error: String(error) })
      );
    });
    const replaced = deviceHub(this.deps).attach(device.id, this.link);
    replaced?.close(4409, "replaced by a newer connection");
    this.send(ws, { type: "deviceWelcome", heartbeatMs: DEVICE_HEARTBEAT_MS });
    this.#heartbeat = setInterval(() => {
      if (Date.now() - this.#lastHeard > 2 * DEVICE_HEARTBEAT_MS) {
        ws.close(4408, "device silent");
        return;
      }
      this.send(ws, { type: "ping", at: Date.now() });
    }, DEVICE_HEARTBEAT_MS);
  }

  /**
   * Joins a fresh unattended session made for this device (on any instance), with the
   * credentials sealed to this device's key when the notice carries them. Sealed ones this
   * device cannot take (malformed, or an agent without a sealing key) are left out, said in
   * the log and the session's log; the device still joins.
   */
  async #joinIfOurs(event: { sessionId: string; sealedCredentials?: string }) {
    const { sessionId, sealedCredentials } = event;
    const device = this.device;
    if (!device || !this.link || this.#joined.has(sessionId)) return;
    const session = await loadSession(this.deps.db, sessionId).catch(() => null);
    if (
      !session || session.method !== "unattended" || session.orgId !== device.orgId ||
      session.deviceId !== device.deviceId || session.endedAt ||
      this.deps.clock.now().getTime() - session.createdAt.getTime() > JOIN_FRESH_MS
    ) return;
    const [lead] = session.leadUserId
      ? await this.deps.db.select({ name: users.name }).from(users)
        .where(eq(users.id, session.leadUserId))
      : [];
    const sealed = sealedCredentials === undefined ? undefined : this.#usable(sealedCredentials);
    this.link.join({
      sessionId,
      token: session.token,
      technician: (lead?.name ?? "").slice(0, 200),
      ...(sealed ? { sealedCredentials: sealed } : {}),
    });
    if (sealedCredentials !== undefined && !sealed) {
      await logSessionEvent(this.deps, session, "log.unattendedSignIn.sealed_unreadable", {
        greeter: "",
      }, { author: "system" });
    }
  }

  /** The sealed credentials, when they are well formed and this device can open them. */
  #usable(sealed: string): string | undefined {
    const problem = !SealedCredentialsSchema.safeParse(sealed).success
      ? "malformed"
      : this.link?.sealingKey
      ? null
      : "the device announced no sealing key";
    if (!problem) return sealed;
    this.deps.log.warn("device join: sealed credentials left out", {
      device: this.device?.id,
      problem,
    });
    return undefined;
  }

  async closed() {
    this.#unsubscribe();
    clearTimeout(this.#timer);
    clearInterval(this.#heartbeat);
    if (!this.device || !this.link) return;
    if (!deviceHub(this.deps).detach(this.device.id, this.link)) return;
    lanDisconnected(this.deps, this.device.id);
    await this.deps.db.update(devices).set({
      onlineInstance: null,
      onlineSince: null,
      lastSeenAt: this.deps.clock.now(),
    }).where(
      and(eq(devices.id, this.device.id), eq(devices.onlineInstance, this.deps.instance.id)),
    );
  }
}

/** The proven device of a local command's request, or a 403 (audited by the check). */
async function _provenDevice(
  deps: AppDeps,
  body: unknown,
  purpose: "status" | "revoke",
  ip: string,
): Promise<Device> {
  const parsed = DeviceCommandSchema.safeParse(body);
  if (!parsed.success) throw new Refusal(422, "unattended.badCommand", { reason: "malformed" });
  const { deviceId, nonce, signature } = parsed.data;
  if (!(await consumeChallenge(deps, deviceId, nonce))) {
    throw new Refusal(403, "unattended.badCommand", { reason: "unknown or used challenge" });
  }
  const verdict = await verifyDeviceHello(deps, { deviceId, signature, purpose }, nonce, ip);
  if (!verdict.ok) throw new Refusal(403, "unattended.badCommand", { reason: verdict.code });
  return verdict.device;
}

async function _status(deps: AppDeps, device: Device): Promise<DeviceStatus> {
  const grants = await deps.db.select({ grant: unattendedGrants, owner: users.name })
    .from(unattendedGrants).innerJoin(users, eq(users.id, unattendedGrants.ownerUserId))
    .where(and(eq(unattendedGrants.deviceRef, device.id), isNull(unattendedGrants.revokedAt)));
  const connections = await deps.db.select({ row: unattendedConnections, who: users.name })
    .from(unattendedConnections).leftJoin(users, eq(users.id, unattendedConnections.userId))
    .where(eq(unattendedConnections.deviceRef, device.id))
    .orderBy(desc(unattendedConnections.at)).limit(10);
  return {
    device: device.name,
    removed: device.removedAt !== null,
    grants: grants.map(({ grant, owner }) => ({
      technician: owner.slice(0, 200),
      window: describeWindow(grant.window, grant.timeZone).slice(0, 300),
      timeZone: grant.timeZone,
      approvedAt: grant.approvedAt.toISOString(),
    })),
    lastConnections: connections.map(({ row, who }) => ({
      at: row.at.toISOString(),
      technician: (who ?? "").slice(0, 200),
      outcome: row.outcome,
    })),
  };
}

export const deviceRoutes = new Hono<AppEnv>()
  .post("/agent/device/challenge", async (c) => {
    const body = await c.req.json().catch(() => null) as { deviceId?: unknown } | null;
    const deviceId = typeof body?.deviceId === "string" ? body.deviceId : "";
    if (!/^[A-Za-z0-9_-]{8,64}$/.test(deviceId)) {
      throw new Refusal(422, "unattended.badCommand", { reason: "device id" });
    }
    return c.json({ nonce: await issueChallenge(c.get("deps"), deviceId) });
  })
  .post("/agent/device/status", async (c) => {
    const deps = c.get("deps");
    const body = await c.req.json().catch(() => null);
    const device = await _provenDevice(deps, body, "status", clientAddress(c));
    return c.json(await _status(deps, device));
  })
  .post("/agent/device/revoke", async (c) => {
    const deps = c.get("deps");
    const body = await c.req.json().catch(() => null);
    const device = await _provenDevice(deps, body, "revoke", clientAddress(c));
    return c.json({ revoked: await revokeFromDevice(deps, device) });
  })
  .get(
    "/agent/device",
    socketOrigin({ browser: false }),
    upgradeWebSocket((c) => {
      const deps = c.get("deps");
      const connection = new DeviceConnection(deps, clientAddress(c));
      let chain = Promise.resolve();
      return {
        onOpen: (_event, ws) => connection.opened(ws),
        onMessage: (event, ws) => {
          chain = chain.then(() => connection.received(ws, event.data)).catch((error) => {
            deps.log.error("device frame failed", { error: String(error) });
          });
        },
        onClose: () => {
          chain = chain.then(() => connection.closed()).catch((error) => {
            deps.log.error("device close failed", { error: String(error) });
          });
        },
      };
    }),
  );
