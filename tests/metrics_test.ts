// GET /metrics (issue 12): the token guard, and every figure moving with real traffic —
// requests by route and status, live consoles, waiting sessions, deadline lag, the outbox
// backlog, agents, viewers and frames — read from the running app at scrape time.
import assert from "node:assert/strict";
import { enqueueMail } from "../modules/mail/mod.ts";
import { remoteHub } from "../modules/remote/mod.ts";
import { createPrivateSession, customerConnected, findByToken } from "../modules/support/mod.ts";
import { startTestApp, type TestApp } from "./support/app.ts";
import { makePerson, TECH_PASSWORD } from "./support/org.ts";
import { technician } from "./support/sessions.ts";

const TOKEN = "metrics-token-for-the-test";

async function scrape(t: TestApp): Promise<string> {
  const res = await t.app.request("http://localhost/metrics", {
    headers: { authorization: `Bearer ${TOKEN}` },
  });
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
  return await res.text();
}

/** The value of one sample: `name` with exactly these labels (in any order). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split("\n")) {
    const match = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries(
      [...(match[2] ?? "").matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]),
    );
    const wanted = Object.entries(labels);
    if (wanted.every(([k, v]) => found[k] === v)) return Number(match[3]);
  }
  return 0; // a labelled counter not yet incremented has no line
}

Deno.test("GET /metrics answers only with METRICS_TOKEN when one is set", async () => {
  const t = await startTestApp({ env: { METRICS_TOKEN: TOKEN } });
  try {
    const none = await t.app.request("http://localhost/metrics");
    assert.equal(none.status, 401);
    assert.match(none.headers.get("www-authenticate") ?? "", /^Bearer/);
    await none.body?.cancel();
    const wrong = await t.app.request("http://localhost/metrics", {
      headers: { authorization: `Bearer ${TOKEN}x` },
    });
    assert.equal(wrong.status, 401);
    await wrong.body?.cancel();
    assert.match(await scrape(t), /# TYPE rescue_http_requests_total counter/);
  } finally {
    await t.close();
  }
});

Deno.test("GET /metrics without a token answers a direct loopback scraper only", async () => {
  const t = await startTestApp();
  try {
    const local = { remoteAddr: { transport: "tcp" as const, hostname: "127.0.0.1", port: 5 } };
    const far = { remoteAddr: { transport: "tcp" as const, hostname: "192.0.2.7", port: 5 } };
    const ask = async (info: unknown, headers: Record<string, string> = {}) => {
      const res = await t.app.fetch(new Request("http://localhost/metrics", { headers }), info);
      await res.body?.cancel();
      return res.status;
    };
    assert.equal(await ask(local), 200);
    assert.equal(await ask(far), 403);
    assert.equal(await ask(local, { "x-forwarded-for": "192.0.2.7" }), 403, "via a proxy");
    assert.equal(await ask(undefined), 403, "no socket to vouch for it");
  } finally {
    await t.close();
  }
});

Deno.test("GET /metrics: the figures follow the traffic", async () => {
  const t = await startTestApp({ env: { METRICS_TOKEN: TOKEN } });
  try {
    const before = await scrape(t);
    const healthz = { method: "GET", route: "/healthz", status: "200" };
    for (let i = 0; i < 3; i++) await (await t.app.request("http://localhost/healthz")).text();
    await (await t.app.request("http://localhost/no/such/page")).text();
    const tech = await technician(t);
    const { session } = await createPrivateSession(t.deps, tech, {
      method: "link",
      customerName: "Carol",
      fields: {},
    });
    await customerConnected(t.deps, (await findByToken(t.deps, session.token))!);
    await enqueueMail(t.deps.db, {
      kind: "invitation",
      to: "x@example.test",
      subject: "s",
      text: "t",
    }, {
      now: t.clock.now(),
      smtpConfigured: false,
    });

    // A technician's console with its live stream open.
    const person = await makePerson(t, { groupId: tech.groupId! });
    const browser = t.client();
    await browser.signIn(person.email, TECH_PASSWORD);
    const stream = await browser.get("/console/events");
    const reader = stream.body!.getReader();
    await reader.read(); // the stream has started (and subscribed)

    // An agent on the session, a viewer, and two frames from the agent.
    const remote = remoteHub(t.deps).session(tech.orgId, session.id);
    remote.agentAttached({ send: () => {}, close: () => {} }, { width: 640, height: 480 });
    remote.join({ userId: tech.id, name: "Ann", watching: false, peer: null, send: () => {} });
    const frame = { codec: "vp8", keyframe: true, width: 640, height: 480, capturedAt: 0 };
    remote.media({ ...frame, data: new Uint8Array(300) } as never);
    remote.media({ ...frame, data: new Uint8Array(200) } as never);

    let after = await scrape(t);
    const grew = (name: string, labels?: Record<string, string>) =>
      sample(after, name, labels) - sample(before, name, labels);
    assert.equal(grew("rescue_http_requests_total", healthz), 3);
    assert.equal(
      grew("rescue_http_requests_total", { method: "GET", route: "/*", status: "404" }),
      1,
      "an unknown path counts under the catch-all, not its own label",
    );
    assert.equal(sample(after, "rescue_live_consoles"), 1);
    assert.equal(sample(after, "rescue_waiting_sessions"), 1);
    assert.equal(sample(after, "rescue_deadline_lag_seconds"), 0);
    assert.equal(sample(after, "rescue_outbox_backlog", { outbox: "mail", status: "held" }), 1);
    assert.equal(sample(after, "rescue_outbox_backlog", { outbox: "sms", status: "held" }), 0);
    assert.equal(sample(after, "rescue_agents_connected"), 1);
    assert.equal(sample(after, "rescue_viewers"), 1);
    assert.equal(sample(after, "rescue_frames_received_total"), 2);
    assert.equal(sample(after, "rescue_frame_bytes_received_total"), 500);

    // The console closes; the waiting deadline (30 minutes) passes unfired; the agent goes.
    await reader.cancel();
    t.clock.advance(31 * 60_000);
    remoteHub(t.deps).drop(session.id);
    after = await scrape(t);
    assert.equal(sample(after, "rescue_live_consoles"), 0);
    assert.equal(
      sample(after, "rescue_deadline_lag_seconds"),
      60,
      "31 min after a 30 min deadline",
    );
    assert.equal(sample(after, "rescue_agents_connected"), 0);
    assert.equal(sample(after, "rescue_viewers"), 0);
    assert.equal(sample(after, "rescue_frames_received_total"), 2, "a counter never goes back");
  } finally {
    await t.close();
  }
});
