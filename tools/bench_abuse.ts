// `deno task bench:abuse [server-dir]`: the body and frame attacks of issue 11 item 1 against
// the real server (`main.ts` of `server-dir`, default this tree; PGlite in a temp DATA_DIR,
// a random port), one fresh server per attack. Per attack it prints the HTTP status (or what
// the client saw), whether the server survived, its peak RSS (/proc/<pid>/status VmRSS) and
// the longest /healthz stall while the attack ran. Bodies are streamed, never built in memory.
//
//   deno task bench:abuse                       # this tree
//   git worktree add /tmp/before <commit> && ln -s $PWD/node_modules /tmp/before/
//   deno run -A tools/bench_abuse.ts /tmp/before  # the same attacks against the old code
import { freePort, rssMiB } from "./bench_common.ts";

const deno = Deno.execPath();
const MIB = 1024 * 1024;
const dir = Deno.args.find((a) => !a.startsWith("--")) ?? new URL("..", import.meta.url).pathname;
const only = Deno.args.find((a) => a.startsWith("--only="))?.slice(7).split(",");
const ADMIN = { email: "bench@example.test", password: "correct horse battery staple" };

interface Server {
  pid: number;
  port: number;
  alive(): boolean;
  stop(): Promise<void>;
}

async function startServer(): Promise<Server> {
  const port = freePort();
  const dataDir = await Deno.makeTempDir({ prefix: "rescue-abuse-" });
  const child = new Deno.Command(deno, {
    args: ["run", "-A", "main.ts"],
    cwd: dir,
    env: {
      DATA_DIR: dataDir,
      PORT: String(port),
      HOST: "127.0.0.1",
      RESCUE_LOG: "off",
      RESCUE_ADMIN_EMAIL: ADMIN.email,
      RESCUE_ADMIN_PASSWORD: ADMIN.password,
    },
    stdout: "null",
    stderr: "null",
  }).spawn();
  let exited = false;
  child.status.then(() => exited = true);
  const started = performance.now();
  while (performance.now() - started < 120_000) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/healthz`);
      await res.body?.cancel();
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    pid: child.pid,
    port,
    alive: () => !exited,
    stop: async () => {
      if (!exited) child.kill("SIGKILL");
      await child.status;
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    },
  };
}

/** Samples RSS every 100 ms and probes /healthz back to back until stopped. */
function watch(server: Server) {
  let peak = 0;
  let stall = 0;
  let running = true;
  const sampler = (async () => {
    while (running) {
      peak = Math.max(peak, await rssMiB(server.pid));
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  const prober = (async () => {
    while (running && server.alive()) {
      const t0 = performance.now();
      try {
        const res = await fetch(`http://127.0.0.1:${server.port}/healthz`, {
          signal: AbortSignal.timeout(30_000),
        });
        await res.body?.cancel();
      } catch {
        // a dead server shows as "survived: no"
      }
      stall = Math.max(stall, performance.now() - t0);
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  return async () => {
    running = false;
    await Promise.all([sampler, prober]);
    return { peakMiB: peak, stallMs: Math.round(stall) };
  };
}

/**
 * A raw HTTP/1.1 POST: the head, then `size` bytes in 64 KiB pieces (chunked when no length
 * is declared), while the answer is read; sending stops when the server answers or hangs up.
 */
async function rawPost(
  port: number,
  path: string,
  options: {
    size: number;
    declare: boolean;
    headers?: Record<string, string>;
    prefix?: string;
    suffix?: string;
  },
): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  const enc = new TextEncoder();
  const head = [
    `POST ${path} HTTP/1.1`,
    `host: 127.0.0.1:${port}`,
    ...(options.headers?.["content-type"]
      ? []
      : ["content-type: application/x-www-form-urlencoded"]),
    options.declare ? `content-length: ${options.size}` : "transfer-encoding: chunked",
    ...Object.entries(options.headers ?? {}).map(([k, v]) => `${k}: ${v}`),
    "",
    "",
  ].join("\r\n");
  let answered = "";
  const reader = (async () => {
    const buf = new Uint8Array(4096);
    try {
      const n = await conn.read(buf);
      if (n) answered = new TextDecoder().decode(buf.subarray(0, n)).split("\r\n")[0];
    } catch (error) {
      answered ||= `read failed: ${(error as Error).name}`;
    }
  })();
  const piece = new Uint8Array(64 * 1024).fill(0x61);
  try {
    await conn.write(enc.encode(head));
    let sent = 0;
    if (options.prefix) {
      const p = enc.encode(options.prefix);
      await write(conn, p, options.declare);
      sent += p.byteLength;
    }
    while (sent < options.size && !answered) {
      const n = Math.min(piece.byteLength, options.size - sent);
      await write(conn, piece.subarray(0, n), options.declare);
      sent += n;
    }
    if (options.suffix && !answered) await write(conn, enc.encode(options.suffix), options.declare);
    if (!options.declare && !answered) await conn.write(enc.encode("0\r\n\r\n"));
  } catch (error) {
    answered ||= `write failed: ${(error as Error).name}`;
  }
  await Promise.race([reader, new Promise((r) => setTimeout(r, 60_000))]);
  try {
    conn.close();
  } catch {
    // already closed
  }
  return answered || "no answer";
}

async function write(conn: Deno.Conn, bytes: Uint8Array, declared: boolean) {
  if (declared) {
    let off = 0;
    while (off < bytes.byteLength) off += await conn.write(bytes.subarray(off));
    return;
  }
  await write(conn, new TextEncoder().encode(`${bytes.byteLength.toString(16)}\r\n`), true);
  await write(conn, bytes, true);
  await write(conn, new TextEncoder().encode("\r\n"), true);
}

/** A customer link (through the API) and the customer page's CSRF cookie and token. */
async function customerSession(port: number) {
  const base = `http://127.0.0.1:${port}`;
  const tokenRes = await fetch(`${base}/api/v1/auth/token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(ADMIN),
  });
  const { token } = await tokenRes.json();
  const created = await fetch(`${base}/api/v1/sessions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ method: "link", customerName: "Bench" }),
  });
  const { link } = await created.json();
  const path = new URL(link).pathname;
  const page = await fetch(`${base}${path}`);
  const cookie = page.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  const html = await page.text();
  const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ??
    /X-CSRF-Token&quot;:&quot;([^&]+)&quot;/.exec(html)?.[1] ?? "";
  return { path, cookie, csrf };
}

async function wsFlood(port: number, sockets: number, size: number): Promise<string> {
  const frame = new Uint8Array(size).fill(0x62);
  const outcomes = await Promise.all(Array.from({ length: sockets }, async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/agent/ws`);
    const opened = await new Promise<boolean>((resolve) => {
      ws.onopen = () => resolve(true);
      ws.onerror = () => resolve(false);
    });
    if (!opened) return "refused";
    const closed = new Promise<number>((resolve) => ws.onclose = (e) => resolve(e.code));
    ws.send(frame);
    const code = await Promise.race([closed, new Promise<number>((r) => setTimeout(r, 15_000))]);
    if (ws.readyState === WebSocket.OPEN) ws.close();
    return code === undefined ? "open" : `closed ${code}`;
  }));
  const counts = new Map<string, number>();
  for (const o of outcomes) counts.set(o, (counts.get(o) ?? 0) + 1);
  return [...counts].map(([k, n]) => `${n}× ${k}`).join(", ");
}

const attacks: { name: string; run: (s: Server) => Promise<string> }[] = [
  {
    name: "600 MiB urlencoded POST /nope (declared length)",
    run: (s) => rawPost(s.port, "/nope", { size: 600 * MIB, declare: true }),
  },
  {
    name: "600 MiB urlencoded POST /pin (chunked)",
    run: (s) => rawPost(s.port, "/pin", { size: 600 * MIB, declare: false }),
  },
  {
    name: "256 MiB urlencoded POST /nope (declared length)",
    run: (s) => rawPost(s.port, "/nope", { size: 256 * MIB, declare: true }),
  },
  {
    name: "300 MiB customer upload, chunked, no Content-Length",
    run: async (s) => {
      const customer = await customerSession(s.port);
      return await rawPost(s.port, `${customer.path}/files`, {
        size: 300 * MIB,
        declare: false,
        headers: {
          "content-type": "multipart/form-data; boundary=b",
          cookie: customer.cookie,
          "x-csrf-token": customer.csrf,
          "x-requested-with": "XMLHttpRequest",
        },
        prefix: '--b\r\ncontent-disposition: form-data; name="file"; filename="x.bin"\r\n\r\n',
        suffix: "\r\n--b--\r\n",
      });
    },
  },
  {
    name: "24 parallel 60 MiB frames on /agent/ws before hello",
    run: (s) => wsFlood(s.port, 24, 60 * MIB),
  },
];

console.log(`server: ${dir}`);
console.log("attack | answer | survived | peak RSS MiB | max /healthz stall ms");
for (const attack of attacks) {
  if (only && !only.some((o) => attack.name.includes(o))) continue;
  const server = await startServer();
  const idle = await rssMiB(server.pid);
  const stop = watch(server);
  let answer: string;
  try {
    answer = await attack.run(server);
  } catch (error) {
    answer = `client error: ${(error as Error).message}`;
  }
  await new Promise((r) => setTimeout(r, 1000)); // let a slow death show
  const { peakMiB, stallMs } = await stop();
  const survived = server.alive() &&
    await fetch(`http://127.0.0.1:${server.port}/healthz`).then((r) => r.ok, () => false);
  console.log(
    `${attack.name} | ${answer} | ${
      survived ? "yes" : "NO"
    } | ${peakMiB} (idle ${idle}) | ${stallMs}`,
  );
  await server.stop();
}
