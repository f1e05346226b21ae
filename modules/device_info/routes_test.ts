// The device dashboard's routes (routes.tsx) on a real app and database: the technician's
// permission and session, the customer's consent as the only way values arrive, strict
// checks of what the page posts (a clear 400 naming the field, nothing lost), another
// session's customer reaching nothing here, and the log and audit lines.
import assert from "node:assert/strict";
import { startTestApp, type TestApp, type TestClient } from "../../tests/support/app.ts";
import { carolSession, technician, workingSession } from "../../tests/support/sessions.ts";
import { TECH_PASSWORD } from "../../tests/support/org.ts";
import { auditActions } from "../../tests/support/app.ts";
import { defaultPermissions } from "../permissions/mod.ts";
import { endSession, readLog } from "../support/mod.ts";
import { toolConsent } from "../remote/mod.ts";
import type { DeviceReport } from "./report.ts";
import { deviceBoard } from "./board.ts";

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

async function signedIn(t: TestApp, email: string) {
  const client = t.client();
  await client.signIn(email, TECH_PASSWORD);
  await client.get("/console");
  return client;
}

/** The customer's page opened (its CSRF token kept), as the browser has it. */
async function customer(t: TestApp, token: string) {
  const client = t.client();
  await client.get(`/s/${token}`);
  return client;
}

function postJson(client: TestClient, path: string, body: string) {
  return client.send(path, {
    method: "POST",
    body,
    headers: { "content-type": "application/json", "x-csrf-token": client.csrf },
  });
}

const lines = async (t: TestApp, sessionId: string) =>
  (await readLog(t.deps.db, sessionId)).map((l) => l.body).filter((b) =>
    b.startsWith("log.device")
  );

Deno.test("device routes: ask → allow → report → refresh → stop, checked at every step", async () => {
  const t = await startTestApp();
  try {
    const ann = await technician(t, {
      name: "Ann",
      permissions: [...defaultPermissions(), "mobileTools"],
    });
    const session = await workingSession(t, ann);
    const tech = await signedIn(t, ann.email);
    const base = `/console/sessions/${session.id}/device`;
    const page = await customer(t, session.token);

    // Nothing asked: the tab offers Ask; the customer's page has nothing to show.
    const tab = await tech.get(base);
    assert.equal(tab.status, 200);
    assert.match(await tab.text(), /data-consent="off"[\s\S]*data-device-action="ask"/);
    const quiet = await (await page.get(`/s/${session.token}/device`)).json();
    assert.deepEqual(quiet, { version: 0, consent: "off", askedBy: null, refresh: 0 });
    assert.equal(
      (await page.post(`/s/${session.token}/device/answer`, { decision: "allow" }))
        .status,
      409,
      "nobody asked",
    );
    assert.equal(
      (await postJson(page, `/s/${session.token}/device/report`, JSON.stringify(REPORT)))
        .status,
      409,
      "values before consent are refused",
    );

    // The page's held question wakes when the technician asks.
    const held = page.get(`/s/${session.token}/device?after=0`);
    const asked = await tech.post(`${base}/ask`);
    assert.equal(asked.status, 200);
    assert.match(await asked.text(), /data-consent="asked"/);
    const heard = await (await held).json();
    assert.equal(heard.consent, "asked");
    assert.equal(heard.askedBy, "Ann");
    assert.equal((await tech.post(`${base}/ask`)).status, 409, "already asked");

    // Bad answers and values are refused, clearly.
    assert.equal(
      (await page.post(`/s/${session.token}/device/answer`, { decision: "maybe" }))
        .status,
      400,
    );
    assert.equal(
      (await page.post(`/s/${session.token}/device/answer`, { decision: "allow" }))
        .status,
      200,
    );
    const cases: [unknown, string][] = [
      [{ ...REPORT, screen: { ...REPORT.screen, width: -1 } }, "screen.width"],
      [{ ...REPORT, cores: 1.5 }, "cores"],
      [
        {
          ...REPORT,
          battery: { level: 2, charging: true, chargingTime: 0, dischargingTime: null },
        },
        "battery.level",
      ],
      [{ ...REPORT, timeZone: "x".repeat(65) }, "timeZone"],
      [{ ...REPORT, languages: ["en", ""] }, "languages.1"],
      [{ ...REPORT, network: { ...REPORT.network, effectiveType: "6g" } }, "network.effectiveType"],
      [{ ...REPORT, secret: "x" }, "secret"],
      [[], "body"],
    ];
    for (const [body, field] of cases) {
      const res = await postJson(page, `/s/${session.token}/device/report`, JSON.stringify(body));
      assert.equal(res.status, 400, field);
      assert.ok((await res.text()).includes(field), `the refusal names ${field}`);
    }
    const notJson = await postJson(page, `/s/${session.token}/device/report`, "{");
    assert.equal(notJson.status, 400);
    const huge = await postJson(page, `/s/${session.token}/device/report`, " ".repeat(20_000));
    assert.equal(huge.status, 400);
    // Waiting for values, truthfully.
    assert.match(await (await tech.get(`${base}/board`)).text(), /waiting for the first values/i);

    const sent = await postJson(page, `/s/${session.token}/device/report`, JSON.stringify(REPORT));
    assert.equal(sent.status, 200);
    // A bad report after a good one loses nothing: the good one stays.
    await postJson(
      page,
      `/s/${session.token}/device/report`,
      JSON.stringify({ ...REPORT, cores: 0 }),
    );
    const board = await (await tech.get(`${base}/board`)).text();
    assert.match(board, /data-field="model"[^>]*>\s*<dt>Model<\/dt><dd>Pixel 8/);
    assert.match(board, /Android 14\.0\.0/);
    assert.match(board, /Google Chrome 131/);
    assert.doesNotMatch(board, /Not_A Brand/);
    assert.match(board, /data-field="cores" data-available="1"><dt>[^<]+<\/dt><dd>8</);
    assert.match(board, /412 × 915 px/);
    assert.match(board, /Europe\/Amsterdam/);
    assert.match(board, /23 ms/);
    // No battery in this browser: said, not invented.
    assert.match(
      board,
      /data-field="level" data-available="0"><dt>[^<]+<\/dt><dd><span class="device-na">not available in this browser/,
    );

    // 204 while nothing changed; Refresh wakes the page with a new refresh count.
    const version = /data-version="(\d+)"/.exec(board)![1];
    assert.equal((await tech.get(`${base}/board?after=${version}`)).status, 204);
    const before = await (await page.get(`/s/${session.token}/device`)).json();
    const waiting = page.get(`/s/${session.token}/device?after=${before.version}`);
    assert.equal((await tech.post(`${base}/refresh`)).status, 200);
    assert.equal((await (await waiting).json()).refresh, before.refresh + 1);

    // The customer stops: the values are gone, the tab says so and may ask again.
    assert.equal((await page.post(`/s/${session.token}/device/stop`)).status, 200);
    const stopped = await (await tech.get(`${base}/board`)).text();
    assert.match(stopped, /stopped sharing/);
    assert.doesNotMatch(stopped, /Pixel 8/);
    assert.equal(
      (await postJson(page, `/s/${session.token}/device/report`, JSON.stringify(REPORT)))
        .status,
      409,
    );
    assert.equal((await tech.post(`${base}/refresh`)).status, 409);

    // Asked again and declined.
    await tech.post(`${base}/ask`);
    assert.equal(
      (await page.post(`/s/${session.token}/device/answer`, { decision: "deny" }))
        .status,
      200,
    );
    assert.match(await (await tech.get(`${base}/board`)).text(), /The customer declined/);

    assert.deepEqual(await lines(t, session.id), [
      "log.device.asked",
      "log.device.shared",
      "log.device.stopped",
      "log.device.asked",
      "log.device.declined",
    ]);
    assert.equal(
      (await auditActions(t.deps)).filter((a) => a === "session.device_info_shared").length,
      1,
    );

    // The session ends: what was kept goes at once, a waiting page wakes, and the customer's
    // routes know the session no more.
    const last = await (await page.get(`/s/${session.token}/device`)).json();
    const woken = page.get(`/s/${session.token}/device?after=${last.version}`);
    await endSession(t.deps, ann, session.id);
    assert.equal(deviceBoard(t.deps).get(session.id).version, 0, "forgotten");
    assert.equal((await woken).status, 404);
    assert.equal((await page.get(`/s/${session.token}/device`)).status, 404);
  } finally {
    await t.close();
  }
});

Deno.test("device routes: refused without mobileTools, off the session, and to another session's customer", async () => {
  const t = await startTestApp();
  try {
    const ann = await technician(t, {
      name: "Ann",
      permissions: [...defaultPermissions(), "mobileTools"],
    });
    const session = await workingSession(t, ann);
    const base = `/console/sessions/${session.id}/device`;

    // A technician of a group without the permission: 403, whether or not the session exists.
    const bob = await technician(t, { name: "Bob" });
    const own = await workingSession(t, bob);
    const noPermission = await signedIn(t, bob.email);
    for (const path of [`/console/sessions/${own.id}/device`, base]) {
      assert.equal((await noPermission.get(path)).status, 403);
      assert.equal((await noPermission.post(`${path}/ask`)).status, 403);
    }
    // One with it who does not work this session: not found (it cannot see it).
    const cleo = await technician(t, {
      name: "Cleo",
      permissions: [...defaultPermissions(), "mobileTools"],
    });
    const stranger = await signedIn(t, cleo.email);
    assert.equal((await stranger.post(`${base}/ask`)).status, 404);
    // Nobody signed in: sent to sign in, nothing asked.
    const anonymous = t.client();
    const res = await anonymous.send(`${base}/ask`, { method: "POST" });
    assert.ok([302, 303, 401, 403].includes(res.status), `anonymous got ${res.status}`);

    // The customer of another session answers and posts with its own token: this session's
    // consent is not its to give, and nothing reaches this session's board.
    const tech = await signedIn(t, ann.email);
    await tech.post(`${base}/ask`);
    const other = await carolSession(t, ann);
    const intruder = await customer(t, other.token);
    const state = await (await intruder.get(`/s/${other.token}/device`)).json();
    assert.equal(state.consent, "off");
    assert.equal(
      (await intruder.post(`/s/${other.token}/device/answer`, { decision: "allow" }))
        .status,
      409,
    );
    const sent = await postJson(
      intruder,
      `/s/${other.token}/device/report`,
      JSON.stringify(REPORT),
    );
    assert.equal(sent.status, 409);
    assert.match(await (await tech.get(`${base}/board`)).text(), /data-consent="asked"/);
    // A made-up token is simply not found.
    assert.equal((await intruder.get(`/s/${"x".repeat(32)}/device`)).status, 404);
  } finally {
    await t.close();
  }
});

Deno.test("device routes: no client hints → the User-Agent read here; the support app → a pointer to System information", async () => {
  const t = await startTestApp();
  try {
    const ann = await technician(t, {
      name: "Ann",
      permissions: [...defaultPermissions(), "mobileTools"],
    });
    const session = await workingSession(t, ann);
    const tech = await signedIn(t, ann.email);
    const base = `/console/sessions/${session.id}/device`;
    assert.doesNotMatch(await (await tech.get(base)).text(), /System information shows far more/);

    const page = await customer(t, session.token);
    await tech.post(`${base}/ask`);
    await page.post(`/s/${session.token}/device/answer`, { decision: "allow" });
    // Firefox on an iPhone sends no client hints: the server reads what its User-Agent says.
    const firefox = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 " +
      "(KHTML, like Gecko) FxiOS/127.0 Mobile/15E148 Safari/605.1.15";
    page.headers["user-agent"] = firefox;
    const sent = await postJson(
      page,
      `/s/${session.token}/device/report`,
      JSON.stringify({ ...REPORT, hints: null, network: null }),
    );
    assert.equal(sent.status, 200);
    const board = await (await tech.get(`${base}/board`)).text();
    assert.match(
      board,
      /Read from the browser&#39;s user-agent string|Read from the browser's user-agent string/,
    );
    assert.match(board, /data-field="system" data-available="1"><dt>[^<]+<\/dt><dd>iOS 17\.5</);
    assert.match(board, /data-field="model" data-available="1"><dt>[^<]+<\/dt><dd>iPhone</);
    assert.match(
      board,
      /data-field="browser" data-available="1"><dt>[^<]+<\/dt><dd>Firefox 127\.0</,
    );
    assert.match(board, /data-field="kind" data-available="1"><dt>[^<]+<\/dt><dd>Phone or tablet</);
    assert.match(board, /data-field="effectiveType" data-available="0"/);

    // The support app joins: the tab says System information is the richer tool.
    const link = { send: () => {}, close: () => {} } as unknown as Parameters<
      ReturnType<typeof toolConsent>["attached"]
    >[0];
    toolConsent(t.deps, session).attached(link, "linux");
    assert.match(await (await tech.get(base)).text(), /System information shows far more/);
  } finally {
    await t.close();
  }
});
