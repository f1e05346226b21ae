/**
 * The agent's connection to the server: one WebSocket at a time to `/agent/ws`, `hello`
 * first, numbered frames both ways (`protocol/`), and reconnecting by itself after any loss
 * with exponential back-off (0.5 s doubling to 10 s, with jitter) for as long as the
 * session lives. A server that stops pinging for two heartbeats is treated as gone. Bad
 * frames from the server are logged and skipped; the connection stays.
 */
import {
  type AgentMessage,
  Channel,
  type ServerMessage,
  ServerMessageSchema,
} from "../protocol/mod.ts";
import type { Agent, Link } from "./agent.ts";

/** What the agent says first on every connection (the protocol's `hello`). */
export type Hello = Omit<Extract<AgentMessage, { type: "hello" }>, "type">;

export interface ConnectionOptions {
  /** ws(s)://host/agent/ws */
  url: string;
  hello: Hello;
  agent: Agent;
  log: (message: string) => void;
  /** Called on each welcome (tests and the status line use it). */
  onWelcome?: () => void;
  onStatus?: (status: "connecting" | "connected" | "reconnecting" | "ended") => void;
}

const BACKOFF_START_MS = 500;
const BACKOFF_MAX_MS = 10_000;

export class AgentConnection {
  #ws: WebSocket | null = null;
  #ended = false;
  #attempt = 0;
  #watchdog: ReturnType<typeof setTimeout> | undefined;
  #retry: ReturnType<typeof setTimeout> | undefined;
  #chain = Promise.resolve();
  readonly done: Promise<string>;
  #finish!: (reason: string) => void;
  serverErrors = 0;
  connects = 0;

  constructor(private options: ConnectionOptions) {
    this.done = new Promise((resolve) => this.#finish = resolve);
  }

  start() {
    this.options.onStatus?.("connecting");
    this.#open();
  }

  /** Ends for good (the session ended or the customer quit). */
  end(reason: string, bye = false) {
    if (this.#ended) return;
    this.#ended = true;
    clearTimeout(this.#watchdog);
    clearTimeout(this.#retry);
    const ws = this.#ws;
    if (bye && ws?.readyState === WebSocket.OPEN) {
      ws.send(this.#channel.encode({ type: "bye", reason }));
    }
    ws?.close(1000, reason.slice(0, 100));
    this.options.agent.detach();
    this.options.onStatus?.("ended");
    this.#finish(reason);
  }

  #channel = new Channel<ServerMessage, AgentMessage>(ServerMessageSchema);

  #open() {
    if (this.#ended) return;
    const ws = new WebSocket(this.options.url);
    ws.binaryType = "arraybuffer";
    this.#ws = ws;
    const channel = new Channel<ServerMessage, AgentMessage>(ServerMessageSchema);
    this.#channel = channel;
    const link: Link = {
      send: (message) => {
        if (ws.readyState === WebSocket.OPEN) ws.send(channel.encode(message));
      },
      sendMedia: (bytes) => {
        if (ws.readyState === WebSocket.OPEN) ws.send(bytes);
      },
      buffered: () => ws.bufferedAmount,
    };
    let heartbeatMs = 15_000;
    const alive = () => {
      clearTimeout(this.#watchdog);
      this.#watchdog = setTimeout(() => {
        this.options.log("the server went quiet; reconnecting");
        ws.close(4000, "server silent");
      }, 2 * heartbeatMs + 5_000);
    };
    ws.onopen = () => {
      alive();
      link.send({ type: "hello", ...this.options.hello });
    };
    ws.onmessage = (event) => {
      alive();
      const decoded = channel.decode(typeof event.data === "string" ? event.data : null);
      if (!decoded.ok) {
        this.serverErrors++;
        this.options.log(`refused a server frame: ${decoded.code}: ${decoded.reason}`);
        return;
      }
      const message = decoded.message;
      this.#chain = this.#chain.then(async () => {
        if (message.type === "welcome") {
          this.#attempt = 0;
          this.connects++;
          heartbeatMs = Math.max(1_000, Math.min(message.heartbeatMs, 120_000));
          alive();
          this.options.agent.attach(link);
          this.options.onStatus?.("connected");
          this.options.onWelcome?.();
          return;
        }
        if (message.type === "error") {
          this.serverErrors++;
          this.options.log(`server: ${message.code}: ${message.reason}`);
          return;
        }
        if (message.type === "end") {
          await this.options.agent.handle(message);
          this.end(message.reason);
          return;
        }
        await this.options.agent.handle(message);
      }).catch((error) => this.options.log(`handling ${message.type} failed: ${error}`));
    };
    ws.onerror = () => {};
    ws.onclose = (event) => {
      clearTimeout(this.#watchdog);
      if (this.#ws === ws) this.options.agent.detach();
      if (this.#ended) return;
      if (event.code === 4404) {
        this.end("the session is over");
        return;
      }
      this.options.onStatus?.("reconnecting");
      const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_START_MS * 2 ** this.#attempt++);
      const jittered = delay * (0.75 + Math.random() * 0.5);
      this.options.log(
        `connection lost (${event.code} ${event.reason}); retrying in ${Math.round(jittered)} ms`,
      );
      this.#retry = setTimeout(() => this.#open(), jittered);
    };
  }
}
