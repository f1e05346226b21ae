/**
 * Test kit for the file manager's agent side: a temporary folder, the real handlers (Linux
 * layer, home and trash inside the folder), requests checked against their specs as the
 * runner does, and a stand-in for the server's data endpoint (`/agent/file-data/:ticket`, a
 * WebSocket) on loopback that takes a download's bytes or serves an upload's — optionally
 * cutting the connection after some bytes, as a network cut would.
 */
import { opSpec } from "../../protocol/mod.ts";
import type { FILE_OPS } from "../../protocol/files.ts";
import type { z } from "zod";
import { OpFailure } from "../ops/mod.ts";
import { fileHandlers } from "./handlers.ts";
import { linuxFiles } from "./linux.ts";
import { ACK_EVERY } from "./data_leg.ts";

type Spec = typeof FILE_OPS[number];
type Kind = Spec["kind"];
type Of<K extends Kind> = Extract<Spec, { kind: K }>;
export type Params<K extends Kind> = Omit<z.infer<Of<K>["request"]>, "kind">;
type Result<K extends Kind> = z.infer<Of<K>["result"]>;

export const TOKEN = "test-session-token-0123456789";

interface Served {
  /** Download: the bytes that arrived. */
  received: Uint8Array[];
  done: Promise<void>;
}

export interface FileTestKit {
  root: string;
  home: string;
  /** A new agent run (same data folder), with its own clock when given. */
  restart(now?: () => number): void;
  call<K extends Kind>(
    kind: K,
    params: Params<K>,
    options?: { signal?: AbortSignal; events?: unknown[] },
  ): Promise<Result<K>>;
  names(dir: string): Promise<string[]>;
  /** Expects the agent to push a download under `ticket`; `cutAfter` bytes then cut. */
  acceptPush(ticket: string, cutAfter?: number): Served;
  /** Serves `body` to the agent's pull under `ticket`; `cutAfter` bytes then cut. */
  servePull(ticket: string, body: Uint8Array, cutAfter?: number): void;
  openUpload(
    folder: string,
    name: string,
    size: number,
    options?: { overwrite?: boolean; sha256?: string | null; id?: string },
  ): Promise<Result<"files.open">>;
  /** Opens and fully sends a file download; resolves with the bytes and the agent's result. */
  download(path: string): Promise<{ bytes: Uint8Array; result: Result<"files.send"> }>;
  close(): Promise<void>;
}

/**
 * A download's `files.open` parameters: `path` and, for a bundle, the `names` in it; every other
 * field at its plain value (a fresh id, no name, size, time, hash, no overwrite, no hidden).
 */
export function downloadParams(
  path: string,
  options: { mode?: "file" | "bundle"; names?: string[]; id?: string } = {},
): Params<"files.open"> {
  return {
    id: options.id ?? newId(options.mode === "bundle" ? "b" : "d"),
    direction: "download",
    mode: options.mode ?? "file",
    path,
    names: options.names ?? [],
    name: null,
    size: null,
    mtime: null,
    sha256: null,
    overwrite: false,
    hidden: false,
  };
}

let counter = 0;
export function newId(prefix = "t"): string {
  return `${prefix}${Date.now().toString(36)}${(counter++).toString(36)}`.padEnd(20, "0");
}

export function newTicket(): string {
  return crypto.randomUUID().replaceAll("-", "") + "abcd";
}

/**
 * `system: "windows"` (windows_files_fixture.ts, under Wine): the handlers pick their OS layer
 * themselves, as the support app's do, instead of a Linux one kept inside the folder.
 */
export async function fileTestKit(
  options: { system?: "linux" | "windows" } = {},
): Promise<FileTestKit> {
  const system = options.system ?? "linux";
  const root = await Deno.makeTempDir({ prefix: "files-" });
  const base = await Deno.makeTempDir({ prefix: "files-base-" });
  const home = `${base}/home`;
  await Deno.mkdir(home);
  const pushes = new Map<string, { served: Served; cutAfter: number; finish: () => void }>();
  const pulls = new Map<string, { body: Uint8Array; cutAfter: number }>();
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen: () => {},
    onError: () => new Response(null, { status: 502 }),
  }, (req) => {
    const ticket = new URL(req.url).pathname.split("/").pop() ?? "";
    if (req.headers.get("authorization") !== `Bearer ${TOKEN}`) {
      return new Response("no", { status: 401 });
    }
    const push = pushes.get(ticket);
    const pull = pulls.get(ticket);
    pushes.delete(ticket);
    pulls.delete(ticket);
    if (req.headers.get("upgrade") !== "websocket" || (!push && !pull)) {
      return new Response("unknown ticket", { status: 404 });
    }
    const { socket, response } = Deno.upgradeWebSocket(req);
    socket.binaryType = "arraybuffer";
    if (push) {
      // The server's side of a download (modules/filemgr/socket_leg.ts): acknowledge, answer
      // `ok` after `end`; a cut closes the connection without a word.
      let seen = 0;
      socket.onmessage = (event) => {
        if (event.data === "end") {
          socket.send("ok");
          push.finish();
          return;
        }
        if (typeof event.data === "string") return;
        const value = new Uint8Array(event.data);
        const room = push.cutAfter - seen;
        if (value.byteLength >= room && push.cutAfter !== Infinity) {
          push.served.received.push(value.slice(0, room));
          seen += room;
          push.finish();
          socket.close(1001, "cut");
          return;
        }
        push.served.received.push(value);
        seen += value.byteLength;
        socket.send(`a${seen}`);
      };
      socket.onclose = () => push.finish();
      return response;
    }
    const { body, cutAfter } = pull!;
    const stop = Math.min(body.byteLength, cutAfter);
    const cut = () => socket.readyState === WebSocket.OPEN && socket.close(1001, "cut");
    // A cut comes once the agent has acknowledged all it will of what was sent (each whole
    // ACK_EVERY). Deno's server socket, once closing, drops the connection at the next message
    // it reads — an acknowledgement — with a reset that loses the bytes still in flight: the
    // agent then held 3.25 of the 4 MiB sent (1 run in 20 under load; a real cut may lose them
    // too, and the upload resumes from what the agent wrote, but here the offset is checked).
    socket.onmessage = (event) => {
      if (typeof event.data !== "string" || !event.data.startsWith("a")) return;
      if (stop < body.byteLength && Number(event.data.slice(1)) + ACK_EVERY > stop) cut();
    };
    socket.onopen = () => {
      // Small messages, unacknowledged (the bodies are small); `end`, or a cut.
      for (let at = 0; at < stop; at += 256 * 1024) {
        socket.send(body.slice(at, Math.min(at + 256 * 1024, stop)));
      }
      if (stop === body.byteLength) socket.send("end");
      else if (stop < ACK_EVERY) cut();
    };
    return response;
  });
  const port = (server.addr as Deno.NetAddr).port;
  const start = (now?: () => number) =>
    fileHandlers(
      {
        os: system,
        serverUrl: `http://127.0.0.1:${port}`,
        token: TOKEN,
        dataDir: `${base}/data`,
        log: () => {},
      },
      {
        os: system === "linux" ? linuxFiles({ home, dataHome: `${home}/.local/share` }) : undefined,
        now,
      },
    ) as Record<string, (request: unknown, ctx: unknown) => Promise<unknown>>;
  let handlers = start();

  const kit: FileTestKit = {
    root,
    home,
    restart(now) {
      handlers = start(now);
    },
    call(kind, params, options = {}) {
      const request = { kind, ...params };
      const parsed = opSpec(kind)!.request.safeParse(request);
      if (!parsed.success) {
        return Promise.reject(new OpFailure("invalid", parsed.error.issues[0].message));
      }
      return handlers[kind](parsed.data, {
        signal: options.signal ?? new AbortController().signal,
        emit: (event: unknown) => options.events?.push(event),
        confirm: () => Promise.resolve(true),
        log: () => {},
      }) as Promise<never>;
    },
    async names(dir) {
      const out: string[] = [];
      for await (const item of Deno.readDir(dir)) out.push(item.name);
      return out.sort();
    },
    acceptPush(ticket, cutAfter = Infinity) {
      let finish = () => {};
      const served: Served = {
        received: [],
        done: new Promise<void>((resolve) => (finish = resolve)),
      };
      pushes.set(ticket, { served, cutAfter, finish });
      return served;
    },
    servePull(ticket, body, cutAfter = Infinity) {
      pulls.set(ticket, { body, cutAfter });
    },
    openUpload(folder, name, size, options = {}) {
      return kit.call("files.open", {
        id: options.id ?? newId("u"),
        direction: "upload",
        mode: "file",
        path: folder,
        names: [],
        name,
        size,
        mtime: null,
        sha256: options.sha256 ?? null,
        overwrite: options.overwrite ?? false,
        hidden: false,
      });
    },
    async download(path) {
      const opened = await kit.call("files.open", downloadParams(path));
      const ticket = newTicket();
      const served = kit.acceptPush(ticket);
      const result = await kit.call("files.send", { id: opened.id, ticket, from: 0 });
      await served.done;
      return { bytes: concat(served.received), result };
    },
    async close() {
      await server.shutdown();
      await Deno.remove(root, { recursive: true }).catch(() => {});
      await Deno.remove(base, { recursive: true }).catch(() => {});
    },
  };
  return kit;
}

export function concat(pieces: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(pieces.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const piece of pieces) (out.set(piece, at), at += piece.byteLength);
  return out;
}
