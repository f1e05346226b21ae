/**
 * Credentials typed at Connect, sealed to the device (issue 19), on one app: the device
 * socket keeps the sealing key its proof covers (and none from an older agent); Connect
 * seals them for the device held here, and for one held by another instance puts them —
 * sealed, never in the clear — in the `deviceJoin` notice, or refuses with the reason when the
 * device has no sealing key; the holder passes a notice's sealed blob on to the device, which
 * opens it (the real client, agent/unattended/service.ts), and leaves out one it cannot take.
 * The cross-instance run on PostgreSQL with the real service and a login screen is
 * tests/e2e/unattended_cluster_sign_in_test.ts.
 */
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { servedAppTest } from "../../tests/support/sockets.ts";
import { startTestApp, type TestApp } from "../../tests/support/app.ts";
import { TECH_PASSWORD } from "../../tests/support/org.ts";
import { technician } from "../../tests/support/sessions.ts";
import { DeviceService, type JoinRequest } from "../../agent/unattended/service.ts";
import { type SealingKey, sealingKey } from "../../agent/unattended/sealing_key.ts";
import { base64url } from "../../agent/consent.ts";
import {
  Channel,
  type DeviceAgentMessage,
  deviceProofText,
  type DeviceServerMessage,
  DeviceServerMessageSchema,
  sealCredentials,
} from "../../protocol/mod.ts";
import { auditLog } from "../audit/mod.ts";
import type { AppDeps, CurrentUser } from "../http/mod.ts";
import { createUnattendedSession, readLog, supportSessions } from "../support/mod.ts";
import { connectUnattended } from "./connect.ts";
import { deviceHub } from "./device_hub.ts";
import type { Device } from "./devices.ts";
import { devices } from "./schema.ts";
import { deviceWithGrant } from "./test_fixtures.ts";

type LiveEvent = Parameters<AppDeps["live"]["publish"]>[0];
const ACCESS = ["unattendedAccess", "startPrivate", "desktopView", "remoteControl"] as const;
const SECRET = { user: "anne", password: "S3aled-at-Connect!" };

async function eventually<T>(what: string, test: () => Promise<T> | T, ms = 10_000) {
  const until = Date.now() + ms;
  for (;;) {
    const value = await test();
    if (value) return value;
    if (Date.now() > until) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function setUp(t: TestApp) {
  const ann = await technician(t, { permissions: [...ACCESS], name: "Ann" });
  const pc = await deviceWithGrant(t, ann, { window: { kind: "unlimited" } });
  return { ann, ...pc, sealing: await sealingKey(pc.dir) };
}

/** The real service client on `port`, collecting its joins; resolves once it is online. */
async function onlineService(
  port: number,
  pc: Awaited<ReturnType<typeof setUp>>,
  sealing: SealingKey | undefined,
) {
  const joins: JoinRequest[] = [];
  const online = Promise.withResolvers<void>();
  const service = new DeviceService({
    url: `ws://127.0.0.1:${port}/agent/device`,
    deviceId: pc.deviceId,
    os: "linux",
    name: "reception-pc",
    agentVersion: "test",
    key: pc.key,
    sealing,
    log: () => {},
    onJoin: (join) => (joins.push(join), Promise.resolve()),
    onStatus: (status) => status === "online" && online.resolve(),
  });
  service.start();
  await online.promise;
  return { service, joins };
}

const storedKey = async (t: TestApp, id: string) =>
  (await t.deps.db.select().from(devices).where(eq(devices.id, id)))[0].sealingKey;

/** A hello announcing `sealingKey` whose proof signs the text without it; the refusal code. */
async function helloWithUnsignedKey(port: number, pc: Awaited<ReturnType<typeof setUp>>) {
  const planted = (await sealingKey(await Deno.makeTempDir())).publicKey;
  const channel = new Channel<DeviceServerMessage, DeviceAgentMessage>(DeviceServerMessageSchema);
  const ws = new WebSocket(`ws://127.0.0.1:${port}/agent/device`);
  const answer = Promise.withResolvers<string>();
  ws.onmessage = async (event) => {
    const decoded = channel.decode(event.data);
    if (!decoded.ok) return answer.reject(new Error(decoded.reason));
    const message = decoded.message;
    if (message.type === "challenge") {
      const text = deviceProofText("connect", pc.deviceId, message.nonce);
      const signature = base64url(await pc.key.sign(new TextEncoder().encode(text)));
      ws.send(channel.encode({ type: "deviceProof", signature }));
    } else answer.resolve(message.type === "deviceRefused" ? message.code : message.type);
  };
  ws.onopen = () =>
    ws.send(channel.encode({
      type: "deviceHello",
      deviceId: pc.deviceId,
      os: "linux",
      name: "reception-pc",
      agentVersion: "x",
      sealingKey: planted,
    }));
  const closed = new Promise((resolve) => ws.addEventListener("close", resolve));
  try {
    return await answer.promise;
  } finally {
    ws.close();
    await closed;
  }
}

servedAppTest(
  "/agent/device keeps the sealing key the proof signs; a key the proof does not cover is refused; an older agent's hello leaves none",
  async (t, port) => {
    const pc = await setUp(t);
    const { service } = await onlineService(port, pc, pc.sealing);
    assert.equal(await storedKey(t, pc.device.id), pc.sealing.publicKey);
    service.stop();
    assert.equal(await helloWithUnsignedKey(port, pc), "bad_proof");
    assert.equal(await storedKey(t, pc.device.id), pc.sealing.publicKey, "not replaced");
    const older = await onlineService(port, pc, undefined);
    assert.equal(await storedKey(t, pc.device.id), null, "this agent could not open sealed ones");
    older.service.stop();
  },
);

Deno.test("connectUnattended() seals the credentials typed at Connect to the key of the device held here", async () => {
  const t = await startTestApp();
  try {
    const pc = await setUp(t);
    const joins: Omit<Extract<DeviceServerMessage, { type: "join" }>, "type">[] = [];
    deviceHub(t.deps).attach(pc.device.id, {
      sealingKey: pc.sealing.publicKey,
      send: () => {},
      close: () => {},
      join: (message) => joins.push(message),
    });
    const { session } = await connectUnattended(t.deps, pc.ann, pc.device.id, t.clock.now(), {
      credentials: SECRET,
    });
    assert.equal(joins.length, 1);
    assert.equal(joins[0].credentials, undefined, "never in the clear to a device with a key");
    assert.deepEqual(await pc.sealing.open(session.id, joins[0].sealedCredentials!), SECRET);
    await assert.rejects(pc.sealing.open(crypto.randomUUID(), joins[0].sealedCredentials!));
  } finally {
    await t.close();
  }
});

/** The device as held by another instance: online in the database, no socket here. */
async function heldElsewhere(t: TestApp, device: Device, sealingKey: string | null) {
  await t.deps.db.update(devices).set({ onlineInstance: t.deps.instance.id, sealingKey })
    .where(eq(devices.id, device.id));
  const notices: LiveEvent[] = [];
  const stop = t.deps.live.subscribe(device.orgId, (e) => {
    if (e.kind === "deviceJoin") notices.push(e);
  });
  return { notices, stop };
}

Deno.test("Connect for a device held by another instance: sealed credentials in the notice, or refused with the reason when it has no sealing key", async () => {
  const t = await startTestApp();
  try {
    const pc = await setUp(t);
    const sessions = async () => (await t.deps.db.select().from(supportSessions)).length;

    // An agent from before sealing, held elsewhere: refused in words, nothing made.
    const old = await heldElsewhere(t, pc.device, null);
    const client = t.client();
    await client.signIn(pc.ann.email, TECH_PASSWORD);
    const refused = await client.post(`/console/computers/${pc.device.id}/connect`, {
      osUser: SECRET.user,
      osPassword: SECRET.password,
    });
    assert.equal(refused.status, 409);
    assert.match(
      await refused.text(),
      /cannot reach this computer securely: its agent is connected to another server/,
    );
    assert.equal(await sessions(), 0);
    const [audited] = (await t.deps.db.select().from(auditLog))
      .filter((row) => row.action === "unattended.refused");
    assert.equal((audited.details as { reason: string }).reason, "credentials_unsealable");
    // Without credentials it connects as before: the notice names the session, nothing sealed.
    const { session: plain } = await connectUnattended(t.deps, pc.ann, pc.device.id, t.clock.now());
    assert.deepEqual(old.notices, [{
      kind: "deviceJoin",
      orgId: pc.ann.orgId,
      deviceRef: pc.device.id,
      sessionId: plain.id,
    }]);
    old.stop();

    // A device with a sealing key, held elsewhere: the credentials go sealed in the notice.
    const current = await heldElsewhere(t, pc.device, pc.sealing.publicKey);
    const connected = await client.post(`/console/computers/${pc.device.id}/connect`, {
      osUser: SECRET.user,
      osPassword: SECRET.password,
    });
    assert.equal(connected.status, 303);
    const [notice] = current.notices as Extract<LiveEvent, { kind: "deviceJoin" }>[];
    assert.ok(notice?.sealedCredentials, "the notice carries them sealed");
    assert.ok(!JSON.stringify(notice).includes(SECRET.password), "never in the clear");
    assert.deepEqual(await pc.sealing.open(notice.sessionId, notice.sealedCredentials!), SECRET);
    current.stop();
    const kept = JSON.stringify([
      await t.deps.db.select().from(auditLog),
      await t.deps.db.select().from(devices),
      await readLog(t.deps.db, notice.sessionId),
      t.logLines,
    ]);
    assert.ok(!kept.includes(SECRET.password), "not stored, audited nor logged");
  } finally {
    await t.close();
  }
});

/** A fresh unattended session for the device, as a Connect on another instance makes it. */
async function madeElsewhere(t: TestApp, ann: CurrentUser, deviceId: string) {
  return await createUnattendedSession(t.deps, ann, {
    deviceName: "reception-pc",
    deviceId,
  }, () => Promise.resolve());
}

servedAppTest(
  "a deviceJoin notice's sealed credentials reach the device held here and open there; ones it cannot take are left out and said",
  async (t, port) => {
    const pc = await setUp(t);
    const { service, joins } = await onlineService(port, pc, pc.sealing);
    try {
      const notice = (sessionId: string, sealedCredentials: string) =>
        t.deps.live.publish({
          kind: "deviceJoin",
          orgId: pc.ann.orgId,
          deviceRef: pc.device.id,
          sessionId,
          sealedCredentials,
        });
      const first = await madeElsewhere(t, pc.ann, pc.deviceId);
      notice(first.id, await sealCredentials(pc.sealing.publicKey, first.id, SECRET));
      await eventually("the first join", () => joins.length === 1);
      assert.deepEqual(joins[0].credentials, SECRET, "opened on the device");
      assert.equal(joins[0].credentialsProblem, undefined);

      // Sealed for another session: the device cannot open it and says why (never the text).
      const second = await madeElsewhere(t, pc.ann, pc.deviceId);
      notice(second.id, await sealCredentials(pc.sealing.publicKey, first.id, SECRET));
      await eventually("the second join", () => joins.length === 2);
      assert.equal(joins[1].credentials, undefined);
      assert.match(joins[1].credentialsProblem ?? "", /do not open with this device's key/);

      // Malformed in the notice: left out by the holder, the device joins without them.
      const third = await madeElsewhere(t, pc.ann, pc.deviceId);
      notice(third.id, "not a sealed blob!");
      await eventually("the third join", () => joins.length === 3);
      assert.equal(joins[2].credentials, undefined);
      assert.equal(joins[2].credentialsProblem, undefined);
      const said = await eventually(
        "the session's log line",
        async () =>
          (await readLog(t.deps.db, third.id)).find((line) =>
            line.body === "log.unattendedSignIn.sealed_unreadable"
          ),
      );
      assert.ok(said);
      assert.ok(t.logLines.some((line) => line.includes("sealed credentials left out")));
    } finally {
      service.stop();
    }
  },
);
