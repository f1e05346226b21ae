// Device information across two instances on one PostgreSQL database: the technician's Device
// tab on A, the customer's page on B. The first request claims the session's device home (A,
// where the tab asked), the customer's question, answer and report on B are relayed there, and
// the values are shown on A; B's own board never holds them. Then A dies (its `instances` row
// reaped): B claims the board, the customer's page hears at once that nothing is shared, the
// technician's tab on B says the values went with the server, and asking again works on B.
import assert from "node:assert/strict";
import { beat } from "../cluster/mod.ts";
import { type ClusterTestApp, startClusterApps } from "../../tests/support/cluster.ts";
import { TECH_PASSWORD } from "../../tests/support/org.ts";
import { technician, workingSession } from "../../tests/support/sessions.ts";
import { defaultPermissions } from "../permissions/mod.ts";
import type { TestClient } from "../../tests/support/app.ts";
import { deviceBoard } from "./board.ts";
import { deviceHome } from "./device_home.ts";
import type { DeviceReport } from "./report.ts";

const REPORT: DeviceReport = {
  hints: {
    platform: "Android",
    platformVersion: "14.0.0",
    model: "Pixel 8",
    mobile: true,
    brands: [{ brand: "Not_A Brand", version: "8" }, { brand: "Google Chrome", version: "131" }],
  },
  battery: null,
  network: { effectiveType: "4g", downlinkMbps: 9.5, rttMs: 50, saveData: false },
  online: true,
  screen: {
    width: 412,
    height: 915,
    pixelRatio: 2.625,
    orientation: "portrait-primary",
    angle: 0,
    touchPoints: 5,
    viewportWidth: 412,
    viewportHeight: 780,
  },
  languages: ["nl-NL", "en"],
  timeZone: "Europe/Amsterdam",
  memoryGb: 8,
  cores: 8,
  storage: { usageBytes: 1_200_000, quotaBytes: 60_000_000_000 },
  serverRttMs: 23,
};

function postJson(client: TestClient, path: string, body: unknown) {
  return client.send(path, {
    method: "POST",
    body: JSON.stringify(body),
    headers: { "content-type": "application/json", "x-csrf-token": client.csrf },
  });
}

async function signedIn(app: ClusterTestApp, email: string) {
  const client = app.client();
  await client.signIn(email, TECH_PASSWORD);
  await client.get("/console");
  return client;
}

Deno.test({
  name: "device info in a cluster: the tab on A, the customer on B; A dies and B says so",
  ignore: !Deno.env.get("DATABASE_URL"),
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const cluster = await startClusterApps(2);
    const [a, b] = cluster.apps;
    try {
      const ann = await technician(a, {
        name: "Ann",
        permissions: [...defaultPermissions(), "mobileTools"],
      });
      const session = await workingSession(a, ann);
      const base = `/console/sessions/${session.id}/device`;
      const tech = await signedIn(a, ann.email);
      const page = b.client();
      await page.get(`/s/${session.token}`);

      // The tab opened on A claims the session's device home there (no agent: the instance
      // that got the first request); the customer's held question on B waits on A's board.
      assert.equal((await tech.get(base)).status, 200);
      const held = page.get(`/s/${session.token}/device?after=0`);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const asked = await tech.post(`${base}/ask`);
      assert.equal(asked.status, 200);
      assert.deepEqual(await deviceHome(b.deps, session.id), {
        kind: "elsewhere",
        instanceId: a.deps.instance.id,
        url: a.url,
      });
      const heard = await (await held).json();
      assert.equal(heard.consent, "asked", "B's page heard A's ask");
      assert.equal(heard.askedBy, "Ann");

      // Allow and the values, sent to B, are on A's board and in A's tab.
      const allowed = await page.post(`/s/${session.token}/device/answer`, { decision: "allow" });
      assert.equal(allowed.status, 200);
      const reported = await postJson(page, `/s/${session.token}/device/report`, REPORT);
      assert.equal(reported.status, 200);
      const board = await (await tech.get(`${base}/board`)).text();
      assert.match(board, /Pixel 8/, "the report from B is shown on A");
      assert.match(board, /Europe\/Amsterdam/);
      assert.equal(deviceBoard(b.deps).get(session.id).consent, "off", "nothing held on B");
      // A bad report through B is refused by A, naming the field.
      const bad = await postJson(page, `/s/${session.token}/device/report`, {
        ...REPORT,
        cores: 1.5,
      });
      assert.equal(bad.status, 400);
      assert.match(await bad.text(), /cores/);
      // The tab on B, too, is A's.
      const techB = await signedIn(b, ann.email);
      assert.match(await (await techB.get(`${base}/board`)).text(), /Pixel 8/);

      // A dies: B reaps it, claims the board, and says what happened.
      const version = deviceBoard(a.deps).get(session.id).version;
      a.clock.advance(10_000);
      assert.deepEqual(await beat(b.deps.db, b.deps.instance, b.clock.now()), [a.deps.instance.id]);
      const after = await (await page.get(`/s/${session.token}/device?after=${version}`)).json();
      assert.equal(after.consent, "off", "the customer's page shares nothing now");
      assert.ok(after.version > version, "and hears it at once");
      assert.deepEqual(await deviceHome(b.deps, session.id), { kind: "here" });
      const lost = await (await techB.get(`${base}/board`)).text();
      assert.match(lost, /data-consent="lost"/);
      assert.match(
        lost,
        /The server that held this device&#39;s information stopped|The server that held this device's information stopped/,
      );
      assert.doesNotMatch(lost, /Pixel 8/);
      const again = await techB.post(`${base}/ask`);
      assert.equal(again.status, 200);
      assert.match(await again.text(), /data-consent="asked"/);
    } finally {
      await cluster.close();
    }
  },
});

Deno.test({
  name: "device info in a cluster: the session ended on B wakes the question held on A at once",
  ignore: !Deno.env.get("DATABASE_URL"),
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const cluster = await startClusterApps(2);
    const [a, b] = cluster.apps;
    try {
      const ann = await technician(a, {
        name: "Ann",
        permissions: [...defaultPermissions(), "mobileTools"],
      });
      const session = await workingSession(a, ann);
      const base = `/console/sessions/${session.id}/device`;
      const tech = await signedIn(a, ann.email);
      const page = a.client();
      await page.get(`/s/${session.token}`);
      // The board's home is A (the tab asked there); the customer shares.
      assert.equal((await tech.post(`${base}/ask`)).status, 200);
      const allowed = await page.post(`/s/${session.token}/device/answer`, { decision: "allow" });
      assert.equal(allowed.status, 200);
      const { version } = await allowed.json();

      // The customer's page holds its question on A's board; the technician ends on B.
      const held = page.get(`/s/${session.token}/device?after=${version}`);
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(deviceBoard(a.deps).waiting(session.id), 1, "the question waits on A");
      const techB = await signedIn(b, ann.email);
      const started = performance.now();
      const ended = await techB.post(`/console/sessions/${session.id}/end`, {}, {
        "HX-Request": "true",
      });
      assert.equal(ended.status, 204);
      const answer = await held;
      const ms = Math.round(performance.now() - started);
      console.log(`the held question heard the end on B after ${ms} ms`);
      assert.equal(answer.status, 404, "the page hears that the session is over");
      // Not the 25 s timeout: the bus's notice, a database read and the answer.
      assert.ok(ms < 3_000, `woken after ${ms} ms`);
      assert.equal(deviceBoard(a.deps).waiting(session.id), 0);
      assert.equal(deviceBoard(a.deps).get(session.id).consent, "off", "nothing kept on A");
    } finally {
      await cluster.close();
    }
  },
});
