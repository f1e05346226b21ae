/**
 * LAN connect over HTTP (`/console/computers/:id/lan…`) with the computer's socket stood in
 * by a link that records what the server sends and answers as an agent would (through
 * `lanReceived`, what the device gateway calls): the permission (403), an offline computer
 * (409), bad input (400/422 in words), one scan per computer, the hosts streamed as rows,
 * the host key, a push refused by the host (its session ended, the reason in the dialog) and
 * one that goes through (a "lan" session in the technician's queue with the PIN sent), the
 * pushes' limit, and the password nowhere but sealed in the message to that computer.
 */
import assert from "node:assert/strict";
import { and, eq } from "drizzle-orm";
import { startTestApp } from "../../tests/support/app.ts";
import { TECH_PASSWORD } from "../../tests/support/org.ts";
import { technician } from "../../tests/support/sessions.ts";
import { auditLog } from "../audit/mod.ts";
import { queueEntries, readLog, supportSessions } from "../support/mod.ts";
import type { DeviceAgentMessage, DeviceServerMessage } from "../../protocol/mod.ts";
import { sealingKey } from "../../agent/unattended/sealing_key.ts";
import { deviceHub } from "./device_hub.ts";
import { devices } from "./schema.ts";
import { lanReceived } from "./lan.ts";
import { deviceWithGrant } from "./test_fixtures.ts";

const ACCESS = ["unattendedAccess", "startPrivate", "methodPin"] as const;
const FINGERPRINT = "SHA256:" + "A".repeat(42) + "c";
const PASSWORD = "Adm1n-pässword!";

/** Reads an SSE response until its `end` event. */
async function readStream(response: Response): Promise<string> {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("event: end")) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  await reader.cancel();
  return text;
}

Deno.test("LAN connect: 403 without the permission, 409 offline, a scan streams its hosts, bad input in words", async () => {
  const t = await startTestApp();
  try {
    const ann = await technician(t, { permissions: [...ACCESS, "lanConnect"] });
    const bob = await technician(t, { permissions: [...ACCESS] });
    const pc = await deviceWithGrant(t, ann, {
      name: "office-pc",
      window: { kind: "unlimited" },
      sharedUserIds: [bob.id],
    });
    const base = `/console/computers/${pc.device.id}/lan`;
    const bobClient = t.client();
    await bobClient.signIn(bob.email, TECH_PASSWORD);
    await bobClient.get("/console/computers");
    assert.equal((await bobClient.get(base)).status, 403);
    assert.equal((await bobClient.post(`${base}/scan`, {})).status, 403);

    const client = t.client();
    await client.signIn(ann.email, TECH_PASSWORD);
    const list = await (await client.get("/console/computers")).text();
    assert.doesNotMatch(list, /data-lan-link/, "offline: no way to the LAN through it");
    const offline = await client.post(`${base}/scan`, {});
    assert.equal(offline.status, 409);
    assert.match(await offline.text(), /not connected to this server right now/);

    const sent: DeviceServerMessage[] = [];
    deviceHub(t.deps).attach(pc.device.id, {
      send: (message) => sent.push(message),
      close: () => {},
      join: () => {},
    });
    // Online in the list is the device's row (its socket's instance), as the gateway sets it.
    await t.deps.db.update(devices).set({ onlineInstance: t.deps.instance.id })
      .where(eq(devices.id, pc.device.id));
    assert.match(await (await client.get("/console/computers")).text(), /data-lan-link/);
    const page = await client.get(base);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /Computers on this network — office-pc/);
    const started = await client.post(`${base}/scan`, {});
    assert.equal(started.status, 303);
    const scanId = new URL(started.headers.get("location")!, "http://x").searchParams.get("scan")!;
    assert.deepEqual(sent, [{ type: "lanScan", scanId }]);
    const again = await client.post(`${base}/scan`, {});
    assert.equal(again.status, 409, "one scan per computer at a time");
    assert.match(await again.text(), /A scan is already running on this computer/);

    const said = (message: DeviceAgentMessage) => lanReceived(t.deps, pc.device.id, message);
    said({
      type: "lanHost",
      scanId,
      host: { address: "192.168.1.20", name: "nas.lan", ports: [22], neighbour: true },
    });
    // Another computer cannot add to this scan.
    lanReceived(t.deps, crypto.randomUUID(), {
      type: "lanHost",
      scanId,
      host: { address: "192.168.1.66", ports: [22], neighbour: false },
    });
    const events = await client.get(`${base}/scans/${scanId}/events`);
    assert.equal(events.status, 200);
    setTimeout(() => {
      said({
        type: "lanHost",
        scanId,
        host: { address: "192.168.1.30", ports: [445, 3389], neighbour: false },
      });
      said({ type: "lanScanDone", scanId, scanned: 254, stopped: false });
    }, 50);
    const stream = await readStream(events);
    assert.match(
      stream,
      /event: host\ndata: <tr data-lan-host="192\.168\.1\.20" data-ssh="1">.*\nid: 1\n/,
    );
    assert.match(stream, /nas\.lan/);
    assert.match(stream, /data-lan-connect="192\.168\.1\.20"/);
    assert.match(stream, /<tr data-lan-host="192\.168\.1\.30" data-ssh="0">/);
    assert.match(stream, /445 \(SMB\), 3389 \(RDP\)/);
    assert.match(
      stream,
      /Pushing the support app to Windows \(SMB or WinRM\) is not available yet/,
    );
    assert.match(stream, /event: end\ndata: <span data-lan-ended="done">Scan finished\.<\/span>/);
    assert.doesNotMatch(stream, /192\.168\.1\.66/);
    const [audit] = await t.deps.db.select().from(auditLog).where(
      eq(auditLog.action, "unattended.lan_scan"),
    );
    assert.equal(audit.target, pc.device.id);
    assert.equal(audit.actorId, ann.id);

    // Bad input, said in words.
    const badAddress = await client.post(`${base}/hosts/999.1.1.1/key`, {});
    assert.equal(badAddress.status, 400);
    assert.match(await badAddress.text(), /That is not an IPv4 address/);
    const notFound = await client.post(`${base}/hosts/10.1.1.1/key`, {});
    assert.equal(notFound.status, 404);
    assert.match(await notFound.text(), /not in this computer&#39;s last scan/);
    const windows = await client.post(`${base}/hosts/192.168.1.30/key`, {});
    assert.equal(windows.status, 409);
    assert.match(await windows.text(), /That host has no SSH port open/);
    const form = {
      address: "192.168.1.20",
      fingerprint: FINGERPRINT,
      acceptKey: "1",
      adminUser: "root",
      adminPassword: PASSWORD,
    };
    const notAccepted = await client.post(`${base}/push`, { ...form, acceptKey: "" });
    assert.equal(notAccepted.status, 422);
    assert.match(await notAccepted.text(), /Check and accept the host&#39;s key first/);
    const noPassword = await client.post(`${base}/push`, { ...form, adminPassword: "" });
    assert.equal(noPassword.status, 422);
    assert.match(await noPassword.text(), /Enter the administrator&#39;s user name and password/);
    const badKey = await client.post(`${base}/push`, { ...form, fingerprint: "MD5:aa" });
    assert.equal(badKey.status, 400);
    assert.match(await badKey.text(), /not an SSH key fingerprint/);
    assert.equal(sent.length, 1, "nothing of it reached the computer");

    // Stop: the computer is told; the scan ends when it says so, and the page says stopped.
    const second = await client.post(`${base}/scan`, {});
    const secondId = new URL(second.headers.get("location")!, "http://x").searchParams.get("scan")!;
    const stop = await client.post(`${base}/scans/${secondId}/stop`, {}, { "HX-Request": "true" });
    assert.equal(stop.status, 204);
    assert.deepEqual(sent.at(-1), { type: "lanStop", scanId: secondId });
    said({ type: "lanScanDone", scanId: secondId, scanned: 12, stopped: true });
    const stoppedPage = await (await client.get(`${base}?scan=${secondId}`)).text();
    assert.match(stoppedPage, /data-lan-ended="stopped">Scan stopped\./);
    assert.equal(
      (await bobClient.post(`${base}/scans/${secondId}/stop`, {})).status,
      403,
      "not without the permission",
    );
  } finally {
    await t.close();
  }
});

Deno.test("LAN connect: the host key, a push the host refuses (session ended), one that goes through into the queue", async () => {
  const t = await startTestApp();
  try {
    const ann = await technician(t, { permissions: [...ACCESS, "lanConnect"] });
    const pc = await deviceWithGrant(t, ann, { window: { kind: "unlimited" } });
    const sealing = await sealingKey(pc.dir);
    const base = `/console/computers/${pc.device.id}/lan`;
    const opened: { pin: string; user: string; password: string }[] = [];
    let refuse = true;
    const said = (message: DeviceAgentMessage) => lanReceived(t.deps, pc.device.id, message);
    const sent: DeviceServerMessage[] = [];
    deviceHub(t.deps).attach(pc.device.id, {
      sealingKey: sealing.publicKey,
      send: (message) => {
        sent.push(message);
        if (message.type === "lanHostKey") {
          queueMicrotask(() =>
            said({
              type: "lanHostKeyResult",
              pushId: message.pushId,
              fingerprint: FINGERPRINT,
              keyType: "ed25519",
            })
          );
        }
        if (message.type === "lanPush") {
          sealing.open(message.pushId, message.sealedCredentials).then((credentials) => {
            opened.push({ pin: message.pin, ...credentials });
            said({
              type: "lanPushResult",
              pushId: message.pushId,
              ok: !refuse,
              ...(refuse && { error: "auth_failed" as const, detail: "Permission denied" }),
            });
          });
        }
      },
      close: () => {},
      join: () => {},
    });
    const client = t.client();
    await client.signIn(ann.email, TECH_PASSWORD);
    await client.get(base);
    const started = await client.post(`${base}/scan`, {});
    const scanId = new URL(started.headers.get("location")!, "http://x").searchParams.get("scan")!;
    said({
      type: "lanHost",
      scanId,
      host: { address: "10.0.0.7", name: "build-box", ports: [22], neighbour: true },
    });
    said({ type: "lanScanDone", scanId, scanned: 254, stopped: false });

    const dialog = await client.post(`${base}/hosts/10.0.0.7/key`, {}, { "HX-Request": "true" });
    assert.equal(dialog.status, 200);
    const html = await dialog.text();
    assert.match(html, /Connect to build-box \(10\.0\.0\.7\)/);
    assert.match(html, new RegExp(`data-lan-fingerprint="true">${FINGERPRINT}<`));
    assert.match(html, /name="acceptKey" value="1" required/);

    const form = {
      address: "10.0.0.7",
      fingerprint: FINGERPRINT,
      acceptKey: "1",
      adminUser: "admin",
      adminPassword: PASSWORD,
    };
    const refused = await client.post(`${base}/push`, form, { "HX-Request": "true" });
    assert.equal(refused.status, 409);
    const refusedHtml = await refused.text();
    assert.match(
      refusedHtml,
      /The host refused this user name or password\. Nothing was copied\. \(Permission denied\)/,
    );
    assert.match(refusedHtml, /name="adminUser"[^>]* value="admin"/, "the user name is kept");
    assert.equal(opened.length, 1);
    assert.deepEqual([opened[0].user, opened[0].password], ["admin", PASSWORD]);
    const [failed] = await t.deps.db.select().from(supportSessions).where(
      eq(supportSessions.method, "lan"),
    );
    assert.equal(failed.pin, null, "its PIN is free again");
    assert.equal(failed.method, "lan");
    assert.ok(failed.endedAt, "the session made for a failed push is ended");
    assert.deepEqual(
      (await readLog(t.deps.db, failed.id)).map((line) => line.body).filter((b) =>
        b.startsWith("log.lan")
      ),
      ["log.lanPushStarted", "log.lanPushFailed"],
    );
    assert.equal(
      (await t.deps.db.select().from(queueEntries).where(eq(queueEntries.sessionId, failed.id)))[0]
        .status,
      "removed",
      "nothing left in the queue",
    );

    refuse = false;
    const pushed = await client.post(`${base}/push`, form, { "HX-Request": "true" });
    assert.equal(pushed.status, 200);
    const session = (await t.deps.db.select().from(supportSessions).where(
      eq(supportSessions.pin, opened[1].pin),
    ))[0];
    assert.match(await pushed.text(), new RegExp(`session ${session.number} is in your queue`));
    assert.equal(session.method, "lan");
    assert.equal(session.customerName, "build-box");
    assert.equal(session.endedAt, null);
    const [entry] = await t.deps.db.select().from(queueEntries).where(
      and(eq(queueEntries.sessionId, session.id), eq(queueEntries.userId, ann.id)),
    );
    assert.equal(entry.status, "connecting", "in the technician's queue like any PIN session");
    const audits = await t.deps.db.select().from(auditLog);
    assert.deepEqual(
      audits.map((a) => a.action).filter((a) => a.startsWith("unattended.lan")).sort(),
      [
        "unattended.lan_key_accepted",
        "unattended.lan_push_failed",
        "unattended.lan_pushed",
        "unattended.lan_scan",
      ],
    );
    const kept = JSON.stringify([audits, await readLog(t.deps.db, session.id)]);
    assert.ok(!kept.includes(PASSWORD), "the password is stored nowhere on the server");
    assert.ok(!JSON.stringify(sent).includes(PASSWORD), "only sealed to the computer");

    const third = await client.post(`${base}/push`, form, { "HX-Request": "true" });
    assert.equal(third.status, 200);
    const fourth = await client.post(`${base}/push`, form, { "HX-Request": "true" });
    assert.equal(fourth.status, 429, "a few pushes a minute per computer");
    assert.ok(Number(fourth.headers.get("retry-after")) > 0);
    assert.equal(opened.length, 3);
  } finally {
    await t.close();
  }
});
