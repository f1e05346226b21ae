// `deno task bench:failover [--interval=8] [--deadlines=10]`: an instance is SIGKILLed in the
// middle of a burst of work, and nothing may be lost or doubled (issue 15, "Failure").
//
// Two real instances on a fresh PostgreSQL database (from DATABASE_URL's server, or
// postgres://postgres@127.0.0.1:5432; dropped after) behind HAProxy (tools/cluster/harness.ts).
// Through the load balancer only, with plain HTTP clients: the technician signs in and has 5
// Active sessions whose customers hold their `/s/<token>/events` streams open (reconnecting
// with Last-Event-ID after a drop, as the page does); 10 more sessions wait in Connecting with
// their connecting timeout moved to fall due during the burst. Then 200 numbered chat lines and
// 50 Holds/Resumes, one request every `interval` ms, and after a third of them the instance
// holding most customer streams (`customer_stream_holds`) is SIGKILLed. No request is retried
// (a retry could double a line whose first attempt committed); each is acknowledged (2xx/303),
// refused (4xx) or failed (5xx or no answer). Afterwards the database and the customers'
// streams are read: every acknowledged line once in `session_log` and once on its stream, each
// session's status what its last acknowledged Hold/Resume left, every deadline fired once.
// Exits 1 when a line is lost or doubled (in the log or on a stream) or a deadline fired twice.
import postgres from "postgres";
import { CLUSTER_ADMIN, freshDatabase, startCluster } from "./cluster/harness.ts";

const flags = new Map(Deno.args.map((a) => a.replace(/^--/, "").split("=") as [string, string]));
const INTERVAL_MS = Number(flags.get("interval") ?? 8);
const DEADLINES = Number(flags.get("deadlines") ?? 10);
const SESSIONS = 5, CHATS = 200, STATUS_CHANGES = 50;
const HTMX = { "hx-request": "true" };
const SERVER = Deno.env.get("DATABASE_URL") ?? "postgres://postgres@127.0.0.1:5432/postgres";
const began = performance.now();
const say = (m: string) =>
  console.error(`[bench:failover] ${((performance.now() - began) / 1000).toFixed(1)} s · ${m}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Outcome = "acknowledged" | "refused" | "failed";

/** A browser-like client: a cookie jar and the CSRF token of the last page. */
class Client {
  cookies = new Map<string, string>();
  csrf = "";
  constructor(private base: string) {}
  async send(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) {
      headers.set("cookie", [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; "));
    }
    const res = await fetch(`${this.base}${path}`, { ...init, headers, redirect: "manual" });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const eq = pair.indexOf("=");
      const value = pair.slice(eq + 1).trim();
      if (value) this.cookies.set(pair.slice(0, eq).trim(), value);
      else this.cookies.delete(pair.slice(0, eq).trim());
    }
    return res;
  }
  async page(path: string): Promise<string> {
    const text = await (await this.send(path)).text();
    const match = /name="_csrf" value="([^"]+)"/.exec(text) ??
      /X-CSRF-Token&quot;:&quot;([^&]+)&quot;/.exec(text);
    if (match) this.csrf = match[1];
    return text;
  }
  post(path: string, fields: Record<string, string>, headers: Record<string, string> = {}) {
    return this.send(path, {
      method: "POST",
      body: new URLSearchParams({ _csrf: this.csrf, ...fields }),
      headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    });
  }
  /** One request of the burst: never retried; its outcome and, when refused, why. */
  async attempt(path: string, fields: Record<string, string>): Promise<[Outcome, string]> {
    try {
      const res = await this.post(path, fields, HTMX);
      const body = await res.text();
      if (res.status < 400) return ["acknowledged", String(res.status)];
      if (res.status < 500) return ["refused", `${res.status} ${body.replace(/<[^>]*>/g, "")}`];
      return ["failed", String(res.status)];
    } catch (error) {
      return ["failed", String(error).split("\n")[0]];
    }
  }
}

/** A customer's page: its event stream, reopened after a drop with Last-Event-ID. */
class CustomerStream {
  lastId = "";
  /** How many times each burst line (by number) arrived on the stream. */
  seen = new Map<number, number>();
  opens: number[] = [];
  /** The log ids received, in order (a missing line's neighbours say whether it was skipped). */
  ids: number[] = [];
  up = false;
  #stop = new AbortController();
  constructor(private url: string, private marker: RegExp) {
    this.#run();
  }
  async #run() {
    while (!this.#stop.signal.aborted) {
      try {
        const headers: Record<string, string> = this.lastId ? { "last-event-id": this.lastId } : {};
        const res = await fetch(this.url, { headers, signal: this.#stop.signal });
        if (!res.ok || !res.body) throw new Error(`status ${res.status}`);
        this.up = true;
        this.opens.push(performance.now());
        let buffer = "";
        for await (const chunk of res.body.pipeThrough(new TextDecoderStream())) {
          buffer += chunk;
          let end;
          while ((end = buffer.indexOf("\n\n")) >= 0) {
            this.#event(buffer.slice(0, end));
            buffer = buffer.slice(end + 2);
          }
        }
      } catch {
        // dropped (its instance died) or refused: open again, as the page does
      }
      this.up = false;
      if (!this.#stop.signal.aborted) await sleep(500);
    }
  }
  #event(block: string) {
    let event = "", data = "";
    for (const line of block.split("\n")) {
      if (line.startsWith("id:")) this.lastId = line.slice(3).trim();
      else if (line.startsWith("event:")) event = line.slice(6).trim();
      else if (line.startsWith("data:")) data += line.slice(5).trimStart();
    }
    if (event !== "log") return;
    if (this.lastId) this.ids.push(Number(this.lastId));
    for (const m of data.matchAll(this.marker)) {
      const n = Number(m[1]);
      this.seen.set(n, (this.seen.get(n) ?? 0) + 1);
    }
  }
  close() {
    this.#stop.abort();
  }
}

async function waitFor(what: string, ok: () => Promise<boolean> | boolean, ms = 20_000) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await ok()) return true;
    await sleep(100);
  }
  say(`not within ${ms} ms: ${what}`);
  return false;
}

const db = await freshDatabase(SERVER, "rescue_bench_failover");
const sql = postgres(db.url, { max: 2, onnotice: () => {} });
// BENCH_FAILOVER_LOGS=<dir>: the instances' JSON logs are kept there, to see who got what.
const KEEP_LOGS = Deno.env.get("BENCH_FAILOVER_LOGS");
const cluster = await startCluster({
  instances: 2,
  databaseUrl: db.url,
  lb: true,
  log: Boolean(KEEP_LOGS),
}).catch(
  async (error) => {
    await sql.end();
    await db.drop();
    throw error;
  },
);
const streams: CustomerStream[] = [];
let failedChecks = 0;
try {
  const lb = cluster.lbUrl!;
  say(`2 instances and HAProxy up (${lb})`);
  const tech = new Client(lb);
  await tech.page("/signin");
  const signin = await tech.post("/signin", CLUSTER_ADMIN);
  if (signin.status !== 303) throw new Error(`sign-in answered ${signin.status}`);
  await tech.page("/console");

  const create = async (name: string) => {
    const res = await tech.post("/console/sessions", { method: "pin", name }, HTMX);
    const token = /\/s\/([A-Za-z0-9_-]{32})</.exec(await res.text())?.[1];
    if (res.status !== 201 || !token) throw new Error(`creating a session answered ${res.status}`);
    const [{ id }] = await sql`select id from support_sessions where token = ${token}`;
    return { id: id as string, token };
  };
  const run = crypto.randomUUID().slice(0, 6);
  const marker = new RegExp(`fo${run}-(\\d+)-end`, "g");
  const text = (n: number) => `fo${run}-${n}-end`;

  // The 5 working sessions: each customer's stream open through the balancer, then Start.
  const work: { id: string; token: string }[] = [];
  for (let i = 0; i < SESSIONS; i++) {
    const s = await create(`Customer ${i + 1}`);
    const customer = new Client(lb);
    await customer.page(`/s/${s.token}`);
    streams.push(new CustomerStream(`${lb}/s/${s.token}/events`, marker));
    work.push(s);
  }
  await waitFor("5 customers connected", async () => {
    const ids = work.map((s) => s.id);
    const rows = await sql`select count(*)::int as n from queue_entries
      where session_id in ${sql(ids)} and status = 'waiting' and removed_at is null`;
    return rows[0].n === SESSIONS;
  });
  for (const s of work) {
    const res = await tech.post(`/console/sessions/${s.id}/start`, {}, HTMX);
    if (res.status >= 400) throw new Error(`Start answered ${res.status}`);
  }
  // Sessions left in Connecting, their connecting timeout moved into the burst.
  const burstMs = (CHATS + STATUS_CHANGES) * INTERVAL_MS;
  const planted: { session: string; deadline: string; at: Date }[] = [];
  const start = Date.now() + 500;
  for (let i = 0; i < DEADLINES; i++) {
    const s = await create(`Late ${i + 1}`);
    const at = new Date(start + Math.round((i + 0.5) * (burstMs + 1500) / DEADLINES));
    const rows = await sql`update session_deadlines d set at = ${at}
      from queue_entries e where d.entry_id = e.id and e.session_id = ${s.id}
        and d.kind = 'connecting_timeout' and d.fired_at is null and d.cancelled_at is null
      returning d.id`;
    if (rows.length !== 1) throw new Error(`${rows.length} connecting timeouts for a new session`);
    planted.push({ session: s.id, deadline: rows[0].id, at });
  }
  say(`${SESSIONS} Active sessions with their customers' streams, ${DEADLINES} deadlines planted`);

  // The burst. Every 5th request changes a status (Hold, then Resume, per session in turn).
  const holds = await sql`select instance_id, sum(streams)::int as n from customer_stream_holds
    where session_id in ${sql(work.map((s) => s.id))} group by instance_id order by n desc`;
  const victim = cluster.instances.find((i) => i.id === holds[0]?.instance_id) ??
    cluster.instances[1];
  type Op = { kind: "chat" | "hold" | "resume"; session: number; n: number };
  const ops: Op[] = [];
  let chat = 0, change = 0;
  for (let i = 0; i < CHATS + STATUS_CHANGES; i++) {
    if (i % 5 === 4 && change < STATUS_CHANGES) {
      const session = change % SESSIONS;
      ops.push({
        kind: Math.floor(change / SESSIONS) % 2 ? "resume" : "hold",
        session,
        n: change++,
      });
    } else ops.push({ kind: "chat", session: chat % SESSIONS, n: chat++ });
  }
  const killAt = Math.floor(ops.length / 3);
  let killedAt = 0;
  await sleep(Math.max(0, start - Date.now()));
  const results: Promise<[Outcome, string]>[] = [];
  const changes = work.map(() => Promise.resolve());
  for (const [i, op] of ops.entries()) {
    if (i === killAt) {
      victim.kill("SIGKILL");
      killedAt = performance.now();
      say(`killed instance ${cluster.instances.indexOf(victim) + 1} (${holds[0]?.n} streams)`);
    }
    const id = work[op.session].id;
    if (op.kind === "chat") {
      // Each line carries its own key, as the workspace's form does: a resend is stored once.
      const chatKey = `failover-${run}-${op.n}`;
      results.push(tech.attempt(`/console/sessions/${id}/chat`, { text: text(op.n), chatKey }));
    } else {
      // A technician clicks Resume after the Hold came back: one session's changes in order.
      const path = `/console/sessions/${id}/${op.kind === "hold" ? "hold" : "start"}`;
      const done = changes[op.session].then(() => tech.attempt(path, {}));
      changes[op.session] = done.then(() => {});
      results.push(done);
    }
    await sleep(INTERVAL_MS);
  }
  const outcomes = await Promise.all(results);
  const count = (o: Outcome) => outcomes.filter(([x]) => x === o).length;
  say(`burst done: ${count("acknowledged")} acknowledged, ${count("refused")} refused`);
  for (const [[o, why], op] of outcomes.map((r, i) => [r, ops[i]] as const)) {
    if (o !== "acknowledged") say(`  ${op.kind} #${op.n}: ${o} ${why.slice(0, 120)}`);
  }

  // The customers come back (a stream reopened after the kill, connected in the database).
  const back = await waitFor("every customer connected again", async () => {
    if (!streams.every((s) => s.up)) return false;
    const rows = await sql`select count(*)::int as n from support_sessions
      where id in ${sql(work.map((s) => s.id))} and customer_state = 'connected'`;
    return rows[0].n === SESSIONS;
  });
  const reopened = streams.map((s) => s.opens.find((t) => t > killedAt)).filter((t) => t);
  const backMs = reopened.length ? Math.max(...reopened.map((t) => t! - killedAt)) : NaN;

  // The log: every line of the burst, by number, how often.
  const rows = await sql`select body from session_log where kind = 'chat'
    and session_id in ${sql(work.map((s) => s.id))}`;
  const inLog = new Map<number, number>();
  for (const { body } of rows) {
    const m = new RegExp(`^fo${run}-(\\d+)-end$`).exec(body);
    if (m) inLog.set(Number(m[1]), (inLog.get(Number(m[1])) ?? 0) + 1);
  }
  const chats = ops.map((op, i) => ({ op, outcome: outcomes[i][0] })).filter((x) =>
    x.op.kind === "chat"
  );
  const lost = chats.filter((c) => c.outcome === "acknowledged" && !inLog.has(c.op.n));
  const doubled = [...inLog].filter(([, k]) => k > 1);
  const failedCommitted = chats.filter((c) => c.outcome === "failed" && inLog.has(c.op.n));
  // Every line in the log reaches its customer's stream once (waited for, then counted).
  const committed = chats.filter((c) => inLog.has(c.op.n));
  await waitFor(
    "every stored line on its customer's stream",
    () => committed.every((c) => streams[c.op.session].seen.has(c.op.n)),
    10_000,
  );
  const missing = committed.filter((c) => !streams[c.op.session].seen.has(c.op.n));
  const twice = committed.filter((c) => (streams[c.op.session].seen.get(c.op.n) ?? 0) > 1);

  // Status: what each session's last acknowledged Hold/Resume left (or a later failed one).
  let statusRight = 0;
  const statusWrong: string[] = [];
  for (const [k, s] of work.entries()) {
    let expected = new Set(["active"]);
    for (const [i, op] of ops.entries()) {
      if (op.kind === "chat" || op.session !== k) continue;
      const to = op.kind === "hold" ? "on_hold" : "active";
      if (outcomes[i][0] === "acknowledged") expected = new Set([to]);
      else if (outcomes[i][0] === "failed") expected.add(to);
    }
    const [{ status }] = await sql`select status from queue_entries
      where session_id = ${s.id} and removed_at is null`;
    if (expected.has(status)) statusRight++;
    else statusWrong.push(`session ${k + 1}: ${status}, expected ${[...expected].join("/")}`);
  }

  // Deadlines: each due one fired once, with one log line.
  await waitFor("every planted deadline fired", async () => {
    const [{ n }] = await sql`select count(*)::int as n from session_deadlines
      where id in ${sql(planted.map((p) => p.deadline))} and fired_at is not null`;
    return n === planted.length;
  }, 15_000);
  let firedOnce = 0, firedTwice = 0, notFired = 0;
  for (const p of planted) {
    const [{ fired }] = await sql`select fired_at as fired from session_deadlines
      where id = ${p.deadline}`;
    const [{ n }] = await sql`select count(*)::int as n from session_log
      where session_id = ${p.session} and body = 'log.deadline_connecting_timeout'`;
    if (!fired || n === 0) notFired++;
    else if (n === 1) firedOnce++;
    else firedTwice++;
  }

  const split = (...kinds: string[]) =>
    (["acknowledged", "refused", "failed"] as const).map((o) =>
      ops.filter((op, i) => kinds.includes(op.kind) && outcomes[i][0] === o).length
    ).join(" / ");
  console.log(
    `bench:failover — 2 instances + HAProxy, ${CHATS} chat lines and ${STATUS_CHANGES} ` +
      `Holds/Resumes over ${SESSIONS} sessions, one request every ${INTERVAL_MS} ms; ` +
      `instance killed (SIGKILL) after request ${killAt}`,
  );
  console.table({
    "requests acknowledged": count("acknowledged"),
    "requests refused (4xx)": count("refused"),
    "requests failed (5xx / no answer)": count("failed"),
    "chat: acknowledged / refused / failed": split("chat"),
    "Hold/Resume: acknowledged / refused / failed": split("hold", "resume"),
    "lines lost (acknowledged, not in the log)": lost.length,
    "lines duplicated in the log": doubled.length,
    "failed but committed": failedCommitted.length,
    "stream deliveries missing": missing.length,
    "stream deliveries duplicated": twice.length,
    "Hold/Resume status right": `${statusRight}/${SESSIONS}`,
    "deadlines due": planted.length,
    "deadlines fired once": firedOnce,
    "deadlines fired twice": firedTwice,
    "deadlines not fired": notFired,
    "customers back (connected)": `${back ? SESSIONS : "not all"}/${SESSIONS}`,
    "customers back after kill (ms, slowest)": Math.round(backMs),
  });
  for (const w of statusWrong) say(`status wrong: ${w}`);
  for (const c of lost) say(`lost: line ${c.op.n} (session ${c.op.session + 1})`);
  for (const [n, k] of doubled) {
    const rows = await sql`select id::int, at from session_log where body = ${text(n)} order by id`;
    const how = rows.map((r) => `id ${r.id} at ${r.at.toISOString().slice(11)}`).join(", ");
    const i = ops.findIndex((op) => op.kind === "chat" && op.n === n);
    say(`line ${n} ${k}× in the log (${how}); its one request: ${outcomes[i].join(" ")}`);
  }
  for (const c of missing) {
    const [line] = await sql`select id::int, at from session_log
      where body = ${text(c.op.n)}`;
    const ids = streams[c.op.session].ids;
    const after = ids.filter((id) => id > line.id).slice(0, 3);
    say(
      `not on the stream: line ${c.op.n} (session ${c.op.session + 1}, log id ${line.id}); ` +
        `the stream received ${after.join(", ")} after it, then ${ids.at(-1)} last`,
    );
  }
  for (const c of twice) say(`twice on the stream: line ${c.op.n}`);
  failedChecks = lost.length + doubled.length + missing.length + twice.length + firedTwice +
    notFired +
    statusWrong.length;
} finally {
  for (const s of streams) s.close();
  if (KEEP_LOGS) {
    await Deno.mkdir(KEEP_LOGS, { recursive: true });
    for (const [i, instance] of cluster.instances.entries()) {
      await Deno.copyFile(instance.logFile, `${KEEP_LOGS}/instance-${i + 1}.log`).catch(() => {});
    }
  }
  await cluster.stop();
  await sql.end();
  await db.drop();
}
if (failedChecks > 0) Deno.exit(1);
