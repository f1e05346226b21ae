// `deno task bench:queue [consoles] [sessions] [changes]`: how fast a status change reaches
// every technician console that can see it. Starts the real server (its own process, on a
// freshly seeded PGlite data directory, or DATABASE_URL), signs in N technicians and opens
// their live consoles (/console/events), has M customers come through the channel form and
// keep their Instant Chat pages open (/s/<token>/events), then lets technicians pick up
// sessions one after another and records, per console, the delay from the Start request
// until that console's stream carries the session's new rows. Prints median / p95 / p99 of
// all deliveries and of "the last console to see it", the server's resident memory, and the
// same figures for 1 console × 1 session in the same run as the baseline.
import { BenchBrowser, freePort, rssMiB } from "./bench_common.ts";
import { takeSseEvents } from "./sse_events.ts";

const deno = Deno.execPath();
const PASSWORD = "bench password 123";
const [consoles = 100, sessions = 500, changes = 200] = Deno.args.map(Number);

/** Reads a server-sent event stream, calling `onEvent` with each event as it arrives. */
async function listen(
  browser: BenchBrowser,
  path: string,
  onEvent: (event: string, data: string) => void,
  signal: AbortSignal,
): Promise<void> {
  const res = await browser.request(path, { signal, headers: { accept: "text/event-stream" } });
  if (!res.ok || !res.body) throw new Error(`${path}: ${res.status}`);
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        const { events, rest } = takeSseEvents(buffer + value);
        buffer = rest;
        for (const { event, data } of events) onEvent(event, data);
      }
    } catch {
      // aborted at the end of the run
    }
  })();
}

function progress(message: string) {
  console.error(`[bench:queue] ${message}`);
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

interface Result {
  label: string;
  deliveries: number[];
  lastConsole: number[];
  rssIdle: number;
  rssLoaded: number;
  missed: number;
}

async function run(label: string, nConsoles: number, nSessions: number, nChanges: number) {
  const dataDir = await Deno.makeTempDir({ prefix: "rescue-bench-" });
  const seed = await new Deno.Command(deno, {
    args: ["run", "-A", "tools/bench_seed.ts", dataDir, String(nConsoles), PASSWORD],
    stderr: "inherit",
  }).output();
  if (!seed.success) throw new Error("seeding failed");
  const { slug } = JSON.parse(new TextDecoder().decode(seed.stdout).trim().split("\n").at(-1)!);
  const port = freePort();
  const base = `http://127.0.0.1:${port}`;
  const server = new Deno.Command(deno, {
    args: ["run", "-A", "main.ts"],
    env: {
      DATA_DIR: dataDir,
      PORT: String(port),
      HOST: "127.0.0.1",
      RESCUE_TRUST_PROXY: "1",
      PUBLIC_URL: base,
      RESCUE_LOG: "off",
    },
    stdout: "null",
    stderr: "inherit",
  }).spawn();
  const abort = new AbortController();
  try {
    for (let i = 0; i < 600; i++) {
      try {
        if ((await fetch(`${base}/healthz`)).ok) break;
      } catch { /* not yet */ }
      await new Promise((r) => setTimeout(r, 100));
    }
    const rssIdle = await rssMiB(server.pid);
    progress(`${label}: server up`);
    // Technicians sign in and open their consoles.
    const seen = new Map<string, Map<number, number>>(); // sessionId → console → time
    const techs: BenchBrowser[] = [];
    for (let i = 0; i < nConsoles; i++) {
      const b = new BenchBrowser(base);
      await b.page("/signin");
      const res = await b.post("/signin", { email: `bench-${i}@example.test`, password: PASSWORD });
      if (res.status !== 303) throw new Error(`sign-in ${i}: ${res.status}`);
      await b.page("/console");
      techs.push(b);
      await listen(b, "/console/events", (event, data) => {
        if (event !== "rows") return;
        const at = performance.now();
        for (const m of data.matchAll(/data-session="([0-9a-f-]{36})"/g)) {
          let byConsole = seen.get(m[1]);
          if (!byConsole) seen.set(m[1], byConsole = new Map());
          byConsole.set(i, at);
        }
      }, abort.signal);
    }
    progress(`${label}: ${nConsoles} consoles open`);
    // Customers arrive through the channel form and keep their pages open.
    const ids: string[] = [];
    for (let i = 0; i < nSessions; i++) {
      // Customers come from their own addresses (the channel form allows 10 per address).
      const customer = new BenchBrowser(base, `10.${i >> 16 & 255}.${i >> 8 & 255}.${i & 255}`);
      await customer.page(`/c/${slug}`);
      const res = await customer.post(`/c/${slug}`, { name: `Customer ${i}` });
      const token = /\/s\/([A-Za-z0-9_-]+)/.exec(res.headers.get("location") ?? "")?.[1];
      if (!token) throw new Error(`channel form ${i}: ${res.status}`);
      const page = await customer.page(`/s/${token}`);
      const id = /data-session-id="([0-9a-f-]{36})"/.exec(page)?.[1];
      await listen(customer, `/s/${token}/events`, () => {}, abort.signal);
      ids.push(id ?? token);
    }
    progress(`${label}: ${nSessions} customers waiting`);
    await new Promise((r) => setTimeout(r, 1000)); // let the Waiting updates drain
    const rssLoaded = await rssMiB(server.pid);
    // Technicians pick sessions up, one change at a time.
    const deliveries: number[] = [];
    const lastConsole: number[] = [];
    let missed = 0;
    const queuePage = await techs[0].page("/console");
    const waiting = [...queuePage.matchAll(/data-session="([0-9a-f-]{36})"/g)].map((m) => m[1]);
    const targets = [...new Set(waiting)].slice(0, nChanges);
    progress(`${label}: ${targets.length} sessions to pick up`);
    for (let k = 0; k < targets.length; k++) {
      const sessionId = targets[k];
      const tech = techs[k % nConsoles];
      seen.delete(sessionId);
      const started = performance.now();
      const res = await tech.post(`/console/sessions/${sessionId}/start`);
      if (res.status >= 400) throw new Error(`start ${sessionId}: ${res.status}`);
      const deadline = started + 5000;
      while ((seen.get(sessionId)?.size ?? 0) < nConsoles && performance.now() < deadline) {
        await new Promise((r) => setTimeout(r, 1));
      }
      const times = [...(seen.get(sessionId)?.values() ?? [])].map((t) => t - started);
      missed += nConsoles - times.length;
      deliveries.push(...times);
      if (times.length > 0) lastConsole.push(Math.max(...times));
    }
    progress(`${label}: done`);
    return { label, deliveries, lastConsole, rssIdle, rssLoaded, missed } satisfies Result;
  } finally {
    abort.abort();
    server.kill("SIGTERM");
    await server.status;
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  }
}

function row(r: Result) {
  const d = [...r.deliveries].sort((a, b) => a - b);
  const l = [...r.lastConsole].sort((a, b) => a - b);
  const ms = (v: number) => `${v.toFixed(1)} ms`;
  return {
    run: r.label,
    deliveries: d.length,
    "missed": r.missed,
    "median": ms(quantile(d, 0.5)),
    "p95": ms(quantile(d, 0.95)),
    "p99": ms(quantile(d, 0.99)),
    "last console p50": ms(quantile(l, 0.5)),
    "last console p95": ms(quantile(l, 0.95)),
    "RSS idle": `${r.rssIdle} MiB`,
    "RSS loaded": `${r.rssLoaded} MiB`,
  };
}

const baseline = await run("baseline 1 console × 10 sessions", 1, 10, 10);
const loaded = await run(
  `${consoles} consoles × ${sessions} sessions`,
  consoles,
  sessions,
  changes,
);
console.table([row(baseline), row(loaded)]);
const p95 = quantile([...loaded.deliveries].sort((a, b) => a - b), 0.95);
console.log(
  `target p95 < 200 ms at ${consoles} consoles × ${sessions} sessions: ${
    p95 < 200 ? "met" : "NOT met"
  } (${p95.toFixed(1)} ms; ${
    (p95 / quantile(baseline.deliveries, 0.5)).toFixed(1)
  }× the baseline median)`,
);
