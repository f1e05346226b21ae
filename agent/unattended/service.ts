/**
 * The service's line to the server (`/agent/device`, protocol/device.ts): it says who it is,
 * signs the server's fresh challenge with the device key, and then waits for technicians —
 * a `join` names a new session, which the caller joins like any support app. Lost
 * connections come back by themselves with exponential back-off (0.5 s doubling to 30 s,
 * with jitter); a refusal other than `removed` (a server that does not know the device yet,
 * a key it does not accept) is retried slowly; `removed` — the customer or a technician took
 * unattended access away — ends the service for good.
 *
 * With a sealing key (sealing_key.ts) the hello announces its public half, signed with the
 * device key in the proof, and credentials typed at Connect arrive sealed to it for the
 * session (protocol/sealed_credentials.ts): they are opened here, just before the join.
 */
import {
  Channel,
  type DeviceAgentMessage,
  deviceProofText,
  type DeviceServerMessage,
  DeviceServerMessageSchema,
} from "../../protocol/mod.ts";
import { base64url } from "../consent.ts";
import type { DeviceKey } from "./device_key.ts";
import type { SealingKey } from "./sealing_key.ts";

export interface JoinRequest {
  sessionId: string;
  token: string;
  technician: string;
  /** Typed by the technician at Connect ("asked at every connection"): used once. */
  credentials?: { user: string; password: string };
  /** Why credentials sealed for this connection could not be opened here (never them). */
  credentialsProblem?: string;
}

export type LanRequest = Extract<
  DeviceServerMessage,
  { type: "lanScan" | "lanStop" | "lanHostKey" | "lanPush" }
>;
export type LanReply = Extract<
  DeviceAgentMessage,
  { type: "lanHost" | "lanScanDone" | "lanHostKeyResult" | "lanPushResult" }
>;

export type ServiceStatus = "connecting" | "online" | "reconnecting" | "removed" | "stopped";

export interface DeviceServiceOptions {
  /** ws(s)://host/agent/device */
  url: string;
  deviceId: string;
  os: "linux" | "windows" | "darwin";
  name: string;
  agentVersion: string;
  key: DeviceKey;
  /** The X25519 key credentials are sealed to (none: the server sends none sealed). */
  sealing?: SealingKey;
  log: (line: string) => void;
  onJoin: (join: JoinRequest) => Promise<void>;
  /**
   * LAN connect (protocol/lan.ts): a scan, a stop, a host key to read, a push — asked only
   * on this socket; `reply` answers on it. None: this service does no LAN connect.
   */
  onLan?: (message: LanRequest, reply: (message: LanReply) => void) => void;
  onStatus?: (status: ServiceStatus, detail?: string) => void;
}

const BACKOFF_START_MS = 500;
const BACKOFF_MAX_MS = 30_000;
/** After a refusal (unknown device, bad proof): no hammering. */
const REFUSED_RETRY_MS = 60_000;

export class DeviceService {
  #ws: WebSocket | null = null;
  #attempt = 0;
  #retry: ReturnType<typeof setTimeout> | undefined;
  #watchdog: ReturnType<typeof setTimeout> | undefined;
  #ended = false;
  #refusedWith: string | null = null;
  #send: (message: DeviceAgentMessage) => void = () => {};
  readonly done: Promise<"removed" | "stopped">;
  #finish!: (how: "removed" | "stopped") => void;
  /** Welcomes so far (each reconnect adds one). */
  welcomes = 0;

  constructor(private options: DeviceServiceOptions) {
    this.done = new Promise((resolve) => this.#finish = resolve);
  }

  start() {
    this.options.onStatus?.("connecting");
    this.#open();
  }

  stop(how: "removed" | "stopped" = "stopped") {
    if (this.#ended) return;
    this.#ended = true;
    clearTimeout(this.#retry);
    clearTimeout(this.#watchdog);
    this.#ws?.close(1000, how);
    this.options.onStatus?.(how);
    this.#finish(how);
  }

  /** Tells the server how signing in on the login screen goes for a session it asked for. */
  reportSignIn(report: Omit<Extract<DeviceAgentMessage, { type: "signIn" }>, "type">) {
    this.#send({ type: "signIn", ...report });
  }

  /** The join with its sealed credentials opened, or the reason they did not open. */
  async #unsealed(message: Extract<DeviceServerMessage, { type: "join" }>): Promise<JoinRequest> {
    const { sealedCredentials, ...join } = message;
    if (sealedCredentials === undefined) return join;
    const request: JoinRequest = { ...join };
    delete request.credentials; // the sealed copy is the one meant for this device
    try {
      if (!this.options.sealing) throw new Error("This service has no sealing key");
      request.credentials = await this.options.sealing.open(join.sessionId, sealedCredentials);
    } catch (error) {
      request.credentialsProblem = error instanceof Error ? error.message : "unknown error";
      this.options.log(
        `the credentials sealed for ${join.sessionId}: ${request.credentialsProblem}`,
      );
    }
    return request;
  }

  #open() {
    if (this.#ended) return;
    this.#refusedWith = null;
    const ws = new WebSocket(this.options.url);
    this.#ws = ws;
    const channel = new Channel<DeviceServerMessage, DeviceAgentMessage>(
      DeviceServerMessageSchema,
    );
    const send = (message: DeviceAgentMessage) => {
      if (ws.readyState === WebSocket.OPEN) ws.send(channel.encode(message));
    };
    this.#send = send;
    let heartbeatMs = 15_000;
    const alive = () => {
      clearTimeout(this.#watchdog);
      this.#watchdog = setTimeout(() => ws.close(4000, "server silent"), 2 * heartbeatMs + 5_000);
    };
    ws.onopen = () => {
      alive();
      send({
        type: "deviceHello",
        deviceId: this.options.deviceId,
        os: this.options.os,
        name: this.options.name.slice(0, 120) || "computer",
        agentVersion: this.options.agentVersion,
        ...(this.options.sealing && { sealingKey: this.options.sealing.publicKey }),
      });
    };
    ws.onmessage = async (event) => {
      alive();
      const decoded = channel.decode(typeof event.data === "string" ? event.data : null);
      if (!decoded.ok) {
        this.options.log(`refused a server frame: ${decoded.code}: ${decoded.reason}`);
        return;
      }
      const message = decoded.message;
      switch (message.type) {
        case "challenge": {
          const text = deviceProofText(
            "connect",
            this.options.deviceId,
            message.nonce,
            this.options.sealing?.publicKey,
          );
          const signature = await this.options.key.sign(new TextEncoder().encode(text));
          send({ type: "deviceProof", signature: base64url(signature) });
          return;
        }
        case "deviceWelcome":
          this.#attempt = 0;
          this.welcomes++;
          heartbeatMs = Math.max(1_000, Math.min(message.heartbeatMs, 120_000));
          alive();
          this.options.onStatus?.("online");
          return;
        case "ping":
          send({ type: "pong", at: message.at });
          return;
        case "join":
          try {
            await this.options.onJoin(await this.#unsealed(message));
            send({ type: "joined", sessionId: message.sessionId });
          } catch (error) {
            send({
              type: "joined",
              sessionId: message.sessionId,
              error: String(error).slice(0, 200),
            });
          }
          return;
        case "lanScan":
        case "lanStop":
        case "lanHostKey":
        case "lanPush":
          if (this.options.onLan) this.options.onLan(message, send);
          else if (message.type === "lanScan") {
            send({
              type: "lanScanDone",
              scanId: message.scanId,
              scanned: 0,
              stopped: false,
              error: "failed",
            });
          }
          return;
        case "deviceRefused":
          this.#refusedWith = message.code;
          this.options.log(`the server refused this device: ${message.code}: ${message.reason}`);
          if (message.code === "removed") this.stop("removed");
          return;
      }
    };
    ws.onerror = () => {};
    ws.onclose = (event) => {
      clearTimeout(this.#watchdog);
      if (this.#ended) return;
      this.options.onStatus?.("reconnecting", this.#refusedWith ?? undefined);
      const delay = this.#refusedWith
        ? REFUSED_RETRY_MS
        : Math.min(BACKOFF_MAX_MS, BACKOFF_START_MS * 2 ** this.#attempt++);
      const jittered = delay * (0.75 + Math.random() * 0.5);
      this.options.log(
        `device connection lost (${event.code} ${event.reason}); retrying in ${
          Math.round(jittered)
        } ms`,
      );
      this.#retry = setTimeout(() => this.#open(), jittered);
    };
  }
}
