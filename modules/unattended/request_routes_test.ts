// The unattended-access request through the routes, against a raw agent socket that speaks
// the protocol and signs with a key made in the test: the dialog knows the customer's zone,
// bad terms are refused (two weeks at most with the customer's credentials), the customer
// page shows the terms and takes one answer, the grant is stored only on a signature that
// checks, and a replay, a decline, a forged signature and an answer after the end change
// nothing but the audit log.
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { startTestApp, type TestApp, type TestClient } from "../../tests/support/app.ts";
import { TECH_PASSWORD } from "../../tests/support/org.ts";
import { technician, workingSession } from "../../tests/support/sessions.ts";
import { agentSocket, agentWithOps, nextOp, withServer } from "../../tests/support/sockets.ts";
import { defaultPermissions } from "../permissions/mod.ts";
import { auditLog } from "../audit/mod.ts";
import { endSession, readLog, type SupportSession } from "../support/mod.ts";
import type { CurrentUser } from "../http/mod.ts";
import { APPROVAL_TOOLS, approvalMessage } from "../../protocol/unattended_request.ts";
import { base64url } from "../tokens/mod.ts";
import { unattendedGrants, unattendedRequests } from "./schema.ts";

type Agent = Awaited<ReturnType<typeof agentSocket>>;

const attached = (port: number, token: string) =>
  agentWithOps(port, token, ["unattended.about", "unattended.install"]);

/** Answers the next `unattended.about` while `request` waits for it. */
async function withAbout(agent: Agent, request: Promise<Response>): Promise<Response> {
  const op = await nextOp(agent, "unattended.about");
  agent.send({
    type: "opDone",
    id: op.id,
    json: JSON.stringify({ timeZone: "Europe/Amsterdam", canInstall: true, unavailable: null }),
  });
  return await request;
}

const KEYS = await crypto.subtle.generateKey("Ed25519", true, ["sign", "verify"]) as CryptoKeyPair;
const PUBLIC = base64url(new Uint8Array(await crypto.subtle.exportKey("spki", KEYS.publicKey)));

/** Plays the agent's part of the install: signs with the test key (or `forge`s it). */
async function install(
  agent: Agent,
  options: { forge?: boolean; keptNothing?: boolean; widen?: boolean } = {},
) {
  const op = await nextOp(agent, "unattended.install");
  const { requestId, nonce, digest } = op.request;
  const deviceId = "device-abcdefgh";
  const message = approvalMessage({
    requestId,
    nonce: options.forge ? "another-nonce" : nonce,
    digest,
    deviceId,
    tools: options.widen ? [...APPROVAL_TOOLS] : op.request.tools,
  });
  const signature = new Uint8Array(
    await crypto.subtle.sign("Ed25519", KEYS.privateKey, message as Uint8Array<ArrayBuffer>),
  );
  agent.send({
    type: "opDone",
    id: op.id,
    json: JSON.stringify({
      deviceId,
      publicKey: PUBLIC,
      signature: base64url(signature),
      unit: "/tmp/root/etc/systemd/system/rescue-agent.service",
      credentialsKept: !options.keptNothing && op.request.terms.authMode === "customer_credentials",
      hostname: "carol-laptop",
      os: "linux",
    }),
  });
  return op.request;
}

async function until(what: string, check: () => Promise<boolean>, ms = 5_000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function requestRow(t: TestApp, sessionId: string) {
  const [row] = await t.deps.db.select().from(unattendedRequests)
    .where(eq(unattendedRequests.sessionId, sessionId));
  return row;
}

async function refusals(t: TestApp): Promise<string[]> {
  const rows = await t.deps.db.select().from(auditLog)
    .where(eq(auditLog.action, "unattended.decision_refused")).orderBy(auditLog.id);
  return rows.map((r) => String((r.details as Record<string, unknown>).why));
}

interface Ctx {
  t: TestApp;
  port: number;
  browser: TestClient;
  customer: TestClient;
  session: SupportSession;
  ann: CurrentUser;
}

function requestTest(name: string, fn: (ctx: Ctx) => Promise<void>) {
  Deno.test({
    name,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const t = await startTestApp();
      try {
        await withServer(t, async (port) => {
          const ann = await technician(t, {
            name: "Ann",
            permissions: [...defaultPermissions(), "unattendedAccess"],
          });
          const browser = t.client();
          assert.equal((await browser.signIn(ann.email, TECH_PASSWORD)).status, 303);
          const session = await workingSession(t, ann);
          await fn({ t, port, browser, customer: t.client(), session, ann });
        });
      } finally {
        await t.close();
      }
    },
  });
}

/** Every tool the request lists, ticked (as the customer page sends them). */
const TICKED = Object.fromEntries(APPROVAL_TOOLS.map((tool) => [`tool_${tool}`, "1"]));

const GOOD = {
  authMode: "customer_credentials",
  kind: "days",
  days: "7",
  zoneOf: "customer",
  technicianZone: "America/New_York",
};

requestTest(
  "unattended request: refused terms, the customer's approval, the agent's signature, one grant; a replay is refused",
  async ({ t, port, browser, customer, session }) => {
    const path = `/console/sessions/${session.id}/unattended`;
    const agent = await attached(port, session.token);
    const dialog = await withAbout(agent, browser.get(path, { "hx-request": "true" }));
    assert.equal(dialog.status, 200);
    const html = await dialog.text();
    assert.match(html, /Europe\/Amsterdam/);
    assert.match(html, /two weeks at most/);

    // Bad terms: each a clear 422, nothing stored.
    const bad: [Record<string, string>, RegExp][] = [
      [{ ...GOOD, days: "15" }, /two weeks at most/],
      [{ ...GOOD, kind: "unlimited" }, /must end/],
      [{ ...GOOD, kind: "range", from: "2020-01-01", until: "2020-01-05" }, /already over/],
      [{ ...GOOD, authMode: "root" }, /how signing in works/],
      [{ ...GOOD, kind: "daily", start: "09:00", end: "09:00", wd1: "1" }, /two different times/],
      [{ ...GOOD, zoneOf: "technician", technicianZone: "Mars/Olympus" }, /time zone is unknown/],
    ];
    for (const [form, reason] of bad) {
      const sent = withAbout(agent, browser.post(path, form, { "hx-request": "true" }));
      const res = await sent;
      assert.equal(res.status, 422, JSON.stringify(form));
      assert.match(await res.text(), reason);
    }
    assert.equal(await requestRow(t, session.id), undefined);

    const sent = await withAbout(agent, browser.post(path, GOOD));
    assert.equal(sent.status, 201);
    const row = await requestRow(t, session.id);
    assert.equal(row.state, "pending");
    const days = (Date.parse(String(row.terms.untilAt)) - Date.parse(String(row.terms.fromAt))) /
      86_400_000;
    assert.ok(days > 6.9 && days < 7.1, `seven days, ${days}`);

    // The customer sees exactly those terms, in the customer's zone.
    const page = await customer.get(`/s/${session.token}/unattended/${row.id}`);
    assert.equal(page.status, 200);
    const text = await page.text();
    assert.match(text, /asks to reach this computer later when nobody is at it/);
    assert.match(text, /kept only on this computer, encrypted/);
    assert.match(text, /Europe\/Amsterdam \(your time zone\)/);
    const form = { decision: "approve", nonce: row.nonce, digest: row.digest, ...TICKED };

    // A wrong nonce is refused before anything moves.
    const wrong = await customer.post(`/s/${session.token}/unattended/${row.id}`, {
      ...form,
      nonce: "x".repeat(43),
    });
    assert.equal(wrong.status, 409);
    assert.equal((await requestRow(t, session.id)).state, "pending");

    const approved = await customer.post(`/s/${session.token}/unattended/${row.id}`, form);
    assert.equal(approved.status, 303);
    const asked = await install(agent);
    assert.equal(asked.nonce, row.nonce);
    assert.equal(asked.terms.timeZone, "Europe/Amsterdam");
    await until("granted", async () => (await requestRow(t, session.id)).state === "granted");
    const grants = await t.deps.db.select().from(unattendedGrants);
    assert.equal(grants.length, 1);
    assert.equal(grants[0].approvalNonce, row.nonce);
    assert.equal(grants[0].authMode, "customer_credentials");

    // The same approval again: refused, audited, still one grant.
    const replay = await customer.post(`/s/${session.token}/unattended/${row.id}`, form);
    assert.equal(replay.status, 409);
    assert.match(await replay.text(), /already answered/);
    assert.equal((await t.deps.db.select().from(unattendedGrants)).length, 1);
    assert.deepEqual(await refusals(t), ["mismatch", "replayed"]);
    const lines = (await readLog(t.deps.db, session.id)).map((l) => l.body)
      .filter((b) => b.startsWith("log.unattended"));
    assert.deepEqual(lines, [
      "log.unattendedRequested",
      "log.unattendedApproved",
      "log.unattendedGranted",
    ]);
    agent.ws.close();
  },
);

requestTest(
  "unattended request: a decline installs nothing; a forged signature stores no grant; an answer after the end is refused",
  async ({ t, port, browser, customer, session, ann }) => {
    const path = `/console/sessions/${session.id}/unattended`;
    const agent = await attached(port, session.token);
    const ask = { ...GOOD, authMode: "ask_each_time", kind: "unlimited" };
    assert.equal((await withAbout(agent, browser.post(path, ask))).status, 201);
    const first = await requestRow(t, session.id);
    await customer.get(`/s/${session.token}/unattended/${first.id}`);
    const declined = await customer.post(`/s/${session.token}/unattended/${first.id}`, {
      decision: "decline",
      nonce: first.nonce,
      digest: first.digest,
    });
    assert.equal(declined.status, 303);
    assert.equal((await requestRow(t, session.id)).state, "declined");
    const late = await customer.post(`/s/${session.token}/unattended/${first.id}`, {
      decision: "approve",
      nonce: first.nonce,
      digest: first.digest,
    });
    assert.equal(late.status, 409);

    // A signature that does not check: the request fails, no grant.
    await t.deps.db.delete(unattendedRequests);
    assert.equal((await withAbout(agent, browser.post(path, ask))).status, 201);
    const second = await requestRow(t, session.id);
    await customer.post(`/s/${session.token}/unattended/${second.id}`, {
      decision: "approve",
      nonce: second.nonce,
      digest: second.digest,
      ...TICKED,
    });
    await install(agent, { forge: true });
    await until("failed", async () => (await requestRow(t, session.id)).state === "failed");
    assert.match(String((await requestRow(t, session.id)).reason), /bad_signature/);
    assert.equal((await t.deps.db.select().from(unattendedGrants)).length, 0);

    // The customer's credentials asked for, an agent that kept none: no grant either.
    await t.deps.db.delete(unattendedRequests);
    assert.equal((await withAbout(agent, browser.post(path, GOOD))).status, 201);
    const keptNone = await requestRow(t, session.id);
    await customer.post(`/s/${session.token}/unattended/${keptNone.id}`, {
      decision: "approve",
      nonce: keptNone.nonce,
      digest: keptNone.digest,
      ...TICKED,
    });
    await install(agent, { keptNothing: true });
    await until("failed", async () => (await requestRow(t, session.id)).state === "failed");
    assert.match(String((await requestRow(t, session.id)).reason), /no_credentials/);
    assert.equal((await t.deps.db.select().from(unattendedGrants)).length, 0);

    // After the session ended, no answer counts.
    await t.deps.db.delete(unattendedRequests);
    assert.equal((await withAbout(agent, browser.post(path, ask))).status, 201);
    const third = await requestRow(t, session.id);
    await endSession(t.deps, ann, session.id);
    const after = await customer.post(`/s/${session.token}/unattended/${third.id}`, {
      decision: "approve",
      nonce: third.nonce,
      digest: third.digest,
      ...TICKED,
    });
    assert.equal(after.status, 409);
    assert.equal((await requestRow(t, session.id)).state, "pending");
    assert.deepEqual(await refusals(t), ["replayed", "session_over"]);
    agent.ws.close();
  },
);

requestTest(
  "unattended request: the customer unticks tools — none ticked is refused, the agent is asked for and signs the narrowed set, the grant keeps it, a widened signature stores nothing",
  async ({ t, port, browser, customer, session }) => {
    const path = `/console/sessions/${session.id}/unattended`;
    const agent = await attached(port, session.token);
    const ask = { ...GOOD, authMode: "ask_each_time", kind: "unlimited" };
    assert.equal((await withAbout(agent, browser.post(path, ask))).status, 201);
    const row = await requestRow(t, session.id);
    const page = await customer.get(`/s/${session.token}/unattended/${row.id}`);
    const html = await page.text();
    assert.match(html, /What the technician may use when nobody is at the computer/);
    for (const tool of APPROVAL_TOOLS) {
      assert.match(html, new RegExp(`name="tool_${tool}" value="1" checked`), tool);
    }
    const answer = (ticks: Record<string, string>) =>
      customer.post(`/s/${session.token}/unattended/${row.id}`, {
        decision: "approve",
        nonce: row.nonce,
        digest: row.digest,
        ...ticks,
      });

    // Nothing ticked, or a tool nobody asked for: a clear 422, nothing moves.
    const none = await answer({});
    assert.equal(none.status, 422);
    assert.match(await none.text(), /Tick at least one thing the technician may use/);
    const unknown = await answer({ tool_files: "1", tool_root: "1" });
    assert.equal(unknown.status, 422);
    assert.match(await unknown.text(), /names something that was not asked for/);
    assert.equal((await requestRow(t, session.id)).state, "pending");

    const narrowed = await answer({ tool_files: "1", tool_control: "1", tool_systemInfo: "1" });
    assert.equal(narrowed.status, 303);
    const asked = await install(agent);
    assert.deepEqual(asked.tools, ["control", "files", "systemInfo"]);
    await until("granted", async () => (await requestRow(t, session.id)).state === "granted");
    assert.deepEqual((await requestRow(t, session.id)).tools, ["control", "files", "systemInfo"]);
    const [grant] = await t.deps.db.select().from(unattendedGrants);
    assert.deepEqual(grant.tools, ["control", "files", "systemInfo"]);
    const [decided] = await t.deps.db.select().from(auditLog)
      .where(eq(auditLog.action, "unattended.customer_decided"));
    assert.deepEqual((decided.details as Record<string, unknown>).untaken, ["scripts", "reboot"]);
    const [installed] = await t.deps.db.select().from(auditLog)
      .where(eq(auditLog.action, "unattended.installed"));
    assert.deepEqual((installed.details as Record<string, unknown>).tools, [
      "control",
      "files",
      "systemInfo",
    ]);
    // The customer page and the technician's dialog say what was allowed.
    const after = await (await customer.get(`/s/${session.token}/unattended/${row.id}`)).text();
    assert.doesNotMatch(after, /name="tool_/);
    const dialog = await withAbout(agent, browser.get(path, { "hx-request": "true" }));
    assert.match(
      await dialog.text(),
      /Allowed: See and control the screen, Files \(the file manager\), and System information/,
    );

    // A device that signs more than the customer allowed: the signature does not check.
    await t.deps.db.delete(unattendedRequests);
    assert.equal((await withAbout(agent, browser.post(path, ask))).status, 201);
    const second = await requestRow(t, session.id);
    await customer.post(`/s/${session.token}/unattended/${second.id}`, {
      decision: "approve",
      nonce: second.nonce,
      digest: second.digest,
      tool_files: "1",
    });
    assert.deepEqual((await install(agent, { widen: true })).tools, ["files"]);
    await until("failed", async () => (await requestRow(t, session.id)).state === "failed");
    assert.match(String((await requestRow(t, session.id)).reason), /bad_signature/);
    assert.equal((await t.deps.db.select().from(unattendedGrants)).length, 1);
    agent.ws.close();
  },
);
