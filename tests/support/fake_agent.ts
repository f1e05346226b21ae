/**
 * A support app on a real WebSocket, for tests: says hello with a session's token, keeps
 * every frame the server sends and can answer for the customer (`consent`), as the agent
 * does after the customer's answer in its own window.
 */
import {
  type AgentMessage,
  Channel,
  type ServerMessage,
  ServerMessageSchema,
} from "../../protocol/mod.ts";
import { agentHello } from "./sockets.ts";

export interface FakeAgent {
  /** Every frame the server sent, in order. */
  got: ServerMessage[];
  send(message: AgentMessage): void;
  /** The first frame of `type`, waited for up to `timeoutMs`. */
  until(type: ServerMessage["type"], timeoutMs?: number): Promise<ServerMessage>;
  /** The close code, once the socket closed. */
  closed: Promise<number>;
  close(): void;
}

/** An agent attached to the session of `token` on the app served at `base` (http://…). */
export async function attachFakeAgent(base: string, token: string): Promise<FakeAgent> {
  const ws = new WebSocket(`${base.replace(/^http/, "ws")}/agent/ws`);
  const channel = new Channel<ServerMessage, AgentMessage>(ServerMessageSchema);
  const got: ServerMessage[] = [];
  let notify = () => {};
  ws.onmessage = (event) => {
    const decoded = channel.decode(event.data);
    if (decoded.ok) got.push(decoded.message);
    notify();
  };
  const closed = new Promise<number>((resolve) =>
    ws.addEventListener("close", (event) => resolve(event.code))
  );
  await new Promise((resolve, reject) => {
    ws.onopen = resolve;
    ws.onerror = reject;
  });
  const until = async (type: ServerMessage["type"], timeoutMs = 2_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = got.find((m) => m.type === type);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(`no ${type} in ${timeoutMs} ms; got ${got.map((m) => m.type)}`);
      }
      await new Promise<void>((r) => {
        notify = r;
        setTimeout(r, left);
      });
    }
  };
  const send = (message: AgentMessage) => ws.send(channel.encode(message));
  send(agentHello(token, { width: 1280, height: 800 }));
  await until("welcome");
  return { got, send, until, closed, close: () => ws.close() };
}
