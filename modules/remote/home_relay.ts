/**
 * Relaying to the agent's home. A viewer socket or a customer's remote stream (or revoke) that
 * lands on an instance other than the one holding the session's agent is passed to that
 * instance, which runs it as if the browser were there: one signed internal request per
 * relayed connection (`X-Rescue-Relay`, modules/cluster), the browser's own headers, its
 * address in `X-Forwarded-For` and the origin it addressed in `X-Forwarded-Host`/`-Proto`.
 * The answer streams back (server-sent events are not buffered); a WebSocket is upgraded here
 * and piped both ways, in order. The WebRTC media does not come through here: it flows from
 * the home instance straight to the browser; only the JSON socket takes the extra hop.
 *
 * A request that came relayed (its signature verified by `relayedRequests`, modules/http) is
 * handled where it lands, never relayed again. When the home cannot be reached (it just
 * died), the request is handled here: the agent shows as absent until it reconnects, and
 * that reconnection's `remote` notice moves the viewer again (home_watch.ts).
 */
import type { Context, MiddlewareHandler } from "hono";
import { clusterSecret, RELAY_HEADER, signRelay } from "../cluster/mod.ts";
import { type AppDeps, type AppEnv, clientAddress, RELAY_FORWARDED } from "../http/mod.ts";
import { homeOf } from "./agent_home.ts";
import { checkHome, MOVED, watchHome } from "./home_watch.ts";

/** The session a relayable request is about, or null (then it is handled here, refused). */
export type FindTarget = (c: Context<AppEnv>) => Promise<{ id: string; orgId: string } | null>;

/** The browser's headers the home instance needs to treat the request as the browser's. */
const PASSED = [
  "cookie",
  // The agent's file-data connection authenticates with its session token (modules/filemgr).
  "authorization",
  "origin",
  "user-agent",
  "accept",
  "accept-language",
  "last-event-id",
  "content-type",
  "x-csrf-token",
  "x-request-id",
];

/** The event that tells a customer's page its stream moved (static/customer_remote.js). */
const MOVED_EVENT = "event: moved\ndata: 1\n\n";

/** How long the home instance may take to accept a relayed socket before it counts as gone. */
const CONNECT_TIMEOUT_MS = 5_000;

/**
 * The headers of a relayed request: the browser's own (those in `PASSED`, every
 * `sec-fetch-*` and htmx's `hx-*`), the signature of `method path` from instance `from`, the
 * client's address as the relaying instance saw it and the origin the browser addressed there.
 * Nothing else the browser sent passes (no `X-Forwarded-For`, no `X-Rescue-Relay` of its own).
 */
export async function relayHeaders(
  incoming: Headers,
  relay: {
    secret: string;
    from: string;
    method: string;
    path: string;
    client: string;
    url: string;
    now: Date;
  },
): Promise<Headers> {
  const out = new Headers();
  for (const [name, value] of incoming) {
    // htmx's own (`hx-request`, `hx-target`…): the home answers a fragment, as here.
    const passed = PASSED.includes(name) || name.startsWith("sec-fetch-") ||
      name.startsWith("hx-");
    if (passed) out.set(name, value);
  }
  const { secret, from, method, path, now } = relay;
  out.set(RELAY_HEADER, await signRelay(secret, { from, method, path }, now));
  out.set(RELAY_FORWARDED.for, relay.client);
  const addressed = new URL(relay.url);
  out.set(RELAY_FORWARDED.host, addressed.host);
  out.set(RELAY_FORWARDED.proto, addressed.protocol.replace(":", ""));
  // The answer is passed on byte for byte: no compression between instances.
  out.set("accept-encoding", "identity");
  return out;
}

/** Hop-by-hop and re-encoded headers of the home's answer, not passed on to the browser. */
const NOT_PASSED_BACK = new Set([
  "connection",
  "keep-alive",
  "transfer-encoding",
  "content-encoding",
  "content-length",
  "upgrade",
]);

/**
 * Middleware: when the session's agent lives on another live instance, the request goes
 * there and its answer comes back; otherwise (home here or none, or a relayed request) the
 * route handles it.
 */
export function relayToHome(find: FindTarget): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (c.get("relayed")) return await next();
    const deps = c.get("deps");
    const session = await find(c);
    if (!session) return await next();
    const home = await homeOf(deps, session.id);
    if (home.kind !== "elsewhere") return await next();
    // The home did not answer (it just died): handled here until the agent is back somewhere.
    return await relayTo(c, home, session) ?? await next();
  };
}

/**
 * Passes the request to the live instance `home` and returns its answer, or null when it did
 * not answer (then the caller handles it here). With `watched`, the session whose agent's home
 * this is: the relayed connection closes (a viewer with 4012, a stream with a `moved` event)
 * once that home changes. Without it (Lens: a home that never moves) a relayed connection
 * ends only when either side does.
 */
export async function relayTo(
  c: Context<AppEnv>,
  home: { instanceId: string; url: string },
  watched?: { id: string; orgId: string },
): Promise<Response | null> {
  const deps = c.get("deps");
  const url = new URL(c.req.url);
  const path = url.pathname + url.search;
  const headers = await relayHeaders(c.req.raw.headers, {
    secret: clusterSecret(deps.config),
    from: deps.instance.id,
    method: c.req.method,
    path,
    client: clientAddress(c),
    url: c.req.url,
    now: deps.clock.now(),
  });
  const target = new URL(path, home.url);
  const relay = { deps, session: watched, instanceId: home.instanceId };
  return c.req.header("upgrade")?.toLowerCase() === "websocket"
    ? await _relaySocket(c, target, headers, relay)
    : await _relayHttp(c, target, headers, relay);
}

interface WatchedRelay {
  deps: AppDeps;
  /** The session whose agent's home is followed, or none (the home never moves). */
  session?: { id: string; orgId: string };
  instanceId: string;
}

/** Follows the agent's home while a relayed connection lasts (nothing without a session). */
function _follow(watched: WatchedRelay, close: () => void): () => void {
  const { deps, session } = watched;
  if (!session) return () => {};
  const unwatch = watchHome(deps, session, { relayedTo: watched.instanceId, close });
  checkHome(deps, session);
  return unwatch;
}

async function _body(c: Context<AppEnv>, headers: Headers): Promise<BodyInit | undefined> {
  if (c.req.method === "GET" || c.req.method === "HEAD") return undefined;
  const type = (c.req.header("content-type") ?? "").split(";")[0].trim().toLowerCase();
  // Forms were parsed (and cleaned) already (cleanTextInputs): they are sent as parsed.
  if (type === "application/x-www-form-urlencoded") {
    const form = await c.req.formData();
    const fields = [...form].filter((e): e is [string, string] => typeof e[1] === "string");
    return new URLSearchParams(fields);
  }
  if (type === "multipart/form-data") {
    headers.delete("content-type"); // fetch writes the new boundary
    return await c.req.formData();
  }
  // Raw data (file-manager transfers, any size) streams through, never held here.
  if (type === "application/octet-stream" || type.startsWith("application/vnd.")) {
    return c.req.raw.body ?? undefined;
  }
  return await c.req.arrayBuffer();
}

async function _relayHttp(
  c: Context<AppEnv>,
  target: URL,
  headers: Headers,
  watched: WatchedRelay,
): Promise<Response | null> {
  // The browser leaving cancels the body below, which ends the request to the home.
  const abort = new AbortController();
  let upstream: Response;
  try {
    upstream = await fetch(target, {
      method: c.req.method,
      headers,
      body: await _body(c, headers),
      redirect: "manual",
      signal: abort.signal,
      duplex: "half",
    } as RequestInit);
  } catch (error) {
    watched.deps.log.warn("relay to the home failed", {
      target: target.origin,
      error: String(error),
    });
    return null;
  }
  const back = new Headers();
  for (const [name, value] of upstream.headers) {
    if (!NOT_PASSED_BACK.has(name) && name !== "set-cookie") back.set(name, value);
  }
  for (const cookie of upstream.headers.getSetCookie()) back.append("set-cookie", cookie);
  if (!upstream.body) {
    return new Response(null, { status: upstream.status, headers: back });
  }
  // A stream that outlives its home's move says so and ends here; the page reconnects at once.
  const reader = upstream.body.getReader();
  // Cancelling the reader ends the request to the home at once (an abort alone may leave the
  // connection open while nothing reads).
  const stop = () => {
    abort.abort();
    reader.cancel().catch(() => {});
  };
  let moved = false;
  const done = _follow(watched, () => (moved = true, stop()));
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const { done: end, value } = await reader.read();
        if (!end) return controller.enqueue(value);
      } catch {
        // aborted: the browser left, or the home moved
      }
      done();
      if (moved) controller.enqueue(new TextEncoder().encode(MOVED_EVENT));
      controller.close();
    },
    cancel() {
      done();
      stop();
    },
  });
  return new Response(body, { status: upstream.status, headers: back });
}

/** A close code a socket may be closed with; anything else (1005, 1006…) becomes `fallback`. */
function _code(code: number, fallback: number): number {
  return code === 1000 || (code >= 3000 && code <= 4999) ? code : fallback;
}

type Frame = string | ArrayBuffer | Blob | ArrayBufferView;

/** Sends what was queued before the socket opened, then passes on directly, in order. */
function _sender(ws: WebSocket): { send(data: Frame): void; flush(): void } {
  const queued: Frame[] = [];
  return {
    send(data) {
      if (ws.readyState === WebSocket.OPEN && queued.length === 0) ws.send(data as string);
      else if (ws.readyState <= WebSocket.OPEN) queued.push(data);
    },
    flush() {
      while (queued.length > 0 && ws.readyState === WebSocket.OPEN) {
        ws.send(queued.shift() as string);
      }
    },
  };
}

async function _relaySocket(
  c: Context<AppEnv>,
  target: URL,
  headers: Headers,
  watched: WatchedRelay,
): Promise<Response | null> {
  target.protocol = target.protocol === "https:" ? "wss:" : "ws:";
  // Deno's WebSocket takes headers in its second argument; the DOM type does not know it.
  const inner = new WebSocket(target, { headers } as unknown as string[]);
  inner.binaryType = "arraybuffer";
  const toBrowser: Frame[] = [];
  inner.onmessage = (event) => toBrowser.push(event.data);
  const opened = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), CONNECT_TIMEOUT_MS);
    inner.onopen = () => (clearTimeout(timer), resolve(true));
    inner.onerror = () => (clearTimeout(timer), resolve(false));
    inner.onclose = () => (clearTimeout(timer), resolve(false));
  });
  if (!opened) {
    try {
      inner.close();
    } catch {
      // never opened
    }
    watched.deps.log.warn("relay to the home failed", { target: target.origin });
    return null;
  }
  const { socket: outer, response } = Deno.upgradeWebSocket(c.req.raw);
  outer.binaryType = "arraybuffer";
  const browser = _sender(outer);
  const home = _sender(inner);
  for (const frame of toBrowser.splice(0)) browser.send(frame);
  inner.onmessage = (event) => browser.send(event.data);
  outer.onmessage = (event) => home.send(event.data);
  const close = (ws: WebSocket, code: number, reason: string) => {
    if (ws.readyState === WebSocket.OPEN) ws.close(code, reason);
    else if (ws.readyState === WebSocket.CONNECTING) {
      ws.addEventListener("open", () => ws.close(code, reason));
    }
  };
  const unwatch = _follow(watched, () => {
    close(outer, MOVED, "moved");
    close(inner, 1000, "moved");
  });
  outer.onopen = () => browser.flush();
  // The home gone without a word (1006): the viewer reconnects at once and lands right.
  inner.onclose = (event) => (unwatch(), close(outer, _code(event.code, MOVED), event.reason));
  inner.onerror = () => {};
  outer.onclose = (event) => (unwatch(), close(inner, _code(event.code, 1000), event.reason));
  outer.onerror = () => {};
  return response;
}
