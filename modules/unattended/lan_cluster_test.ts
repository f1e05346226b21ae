// LAN connect across two instances on one PostgreSQL: the computer's device socket is held by
// instance A (the real device client, agent/unattended/service.ts, through A's gateway; its
// LAN answers scripted as an agent gives them), the technician works through instance B only.
// Scan on B reaches the computer, B's page and event stream show the hosts the computer tells
// A, Stop, the host's key and a push go through B to the same scan — the scan lives on A
// (B holds none). Then a scan runs when the computer's socket drops: it ends at once and B's
// stream says the connection dropped. Runs only with DATABASE_URL (PostgreSQL).
import assert from "node:assert/strict";
import { startClusterApps } from "../../tests/support/cluster.ts";
import { TECH_PASSWORD } from "../../tests/support/org.ts";
import { technician } from "../../tests/support/sessions.ts";
import { DeviceService, type LanReply, type LanRequest } from "../../agent/unattended/service.ts";
import { sealingKey } from "../../agent/unattended/sealing_key.ts";
import { deviceWithGrant } from "./test_fixtures.ts";
import { lanScanOf } from "./lan.ts";

const FINGERPRINT = "SHA256:" + "B".repeat(42) + "c";

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

function scanOf(response: Response): string {
  assert.equal(response.status, 303, "the scan started");
  return new URL(response.headers.get("location")!, "http://x").searchParams.get("scan")!;
}

Deno.test({
  name: "LAN connect in a cluster: the computer on A, the technician on B sees and uses A's scan",
  ignore: !Deno.env.get("DATABASE_URL"),
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const cluster = await startClusterApps(2);
    const [a, b] = cluster.apps;
    let service: DeviceService | null = null;
    try {
      const ann = await technician(a, {
        permissions: ["unattendedAccess", "startPrivate", "methodPin", "lanConnect"],
        name: "Ann",
      });
      const pc = await deviceWithGrant(a, ann, { window: { kind: "unlimited" } });
      const sealing = await sealingKey(pc.dir);
      const asked: LanRequest[] = [];
      const pushedWith: { user: string; password: string }[] = [];
      let reply: (message: LanReply) => void = () => {};
      const online = Promise.withResolvers<void>();
      service = new DeviceService({
        url: `${a.url.replace("http:", "ws:")}/agent/device`,
        deviceId: pc.deviceId,
        os: "linux",
        name: "office-pc",
        agentVersion: "test",
        key: pc.key,
        sealing,
        log: () => {},
        onJoin: () => Promise.resolve(),
        onLan: (message, send) => {
          asked.push(message);
          reply = send;
          if (message.type === "lanStop") {
            send({ type: "lanScanDone", scanId: message.scanId, scanned: 40, stopped: true });
          }
          if (message.type === "lanHostKey") {
            send({
              type: "lanHostKeyResult",
              pushId: message.pushId,
              fingerprint: FINGERPRINT,
              keyType: "ed25519",
            });
          }
          if (message.type === "lanPush") {
            sealing.open(message.pushId, message.sealedCredentials).then((credentials) => {
              pushedWith.push(credentials);
              send({ type: "lanPushResult", pushId: message.pushId, ok: true });
            });
          }
        },
        onStatus: (status) => status === "online" && online.resolve(),
      });
      service.start();
      await online.promise;

      const base = `/console/computers/${pc.device.id}/lan`;
      const tech = b.client();
      await tech.signIn(ann.email, TECH_PASSWORD);
      await tech.get(base);
      const page = await tech.get(base);
      assert.equal(page.status, 200, "B shows the LAN page of a computer A holds");
      assert.doesNotMatch(await page.text(), /not connected to this server/);

      // Scan on B: the computer (on A) is asked; its hosts, told to A, stream through B.
      const scanId = scanOf(await tech.post(`${base}/scan`, {}));
      assert.deepEqual(asked, [{ type: "lanScan", scanId }]);
      assert.ok(lanScanOf(a.deps, ann, pc.device.id, scanId), "the scan lives on A");
      assert.throws(() => lanScanOf(b.deps, ann, pc.device.id, scanId), "B holds none");
      const busy = await tech.post(`${base}/scan`, {});
      assert.equal(busy.status, 409, "one scan per computer, whichever instance is asked");
      reply({
        type: "lanHost",
        scanId,
        host: { address: "10.0.0.7", name: "build-box", ports: [22], neighbour: true },
      });
      const events = await tech.get(`${base}/scans/${scanId}/events`);
      assert.equal(events.status, 200);
      setTimeout(() => {
        reply({
          type: "lanHost",
          scanId,
          host: { address: "10.0.0.9", ports: [3389], neighbour: false },
        });
        reply({ type: "lanScanDone", scanId, scanned: 254, stopped: false });
      }, 100);
      const stream = await readStream(events);
      assert.match(stream, /<tr data-lan-host="10\.0\.0\.7" data-ssh="1">/);
      assert.match(stream, /build-box/);
      assert.match(stream, /<tr data-lan-host="10\.0\.0\.9" data-ssh="0">/);
      assert.match(stream, /event: end\ndata: <span data-lan-ended="done">Scan finished\.<\/span>/);
      const after = await (await tech.get(`${base}?scan=${scanId}`)).text();
      assert.match(after, /data-lan-host="10\.0\.0\.7"/, "B's page shows A's scan");
      assert.match(after, /data-lan-ended="done"/);

      // The host's key and a push through B, to the host of A's scan.
      const dialog = await tech.post(`${base}/hosts/10.0.0.7/key`, {}, { "HX-Request": "true" });
      assert.equal(dialog.status, 200);
      assert.match(await dialog.text(), new RegExp(`data-lan-fingerprint="true">${FINGERPRINT}<`));
      const pushed = await tech.post(`${base}/push`, {
        address: "10.0.0.7",
        fingerprint: FINGERPRINT,
        keyType: "ed25519",
        acceptKey: "1",
        adminUser: "admin",
        adminPassword: "s3cret-pässword",
      }, { "HX-Request": "true" });
      assert.equal(pushed.status, 200);
      assert.match(await pushed.text(), /is in your queue/);
      assert.deepEqual(pushedWith, [{ user: "admin", password: "s3cret-pässword" }]);

      // Stop through B.
      const second = scanOf(await tech.post(`${base}/scan`, {}));
      const stop = await tech.post(`${base}/scans/${second}/stop`, {}, { "HX-Request": "true" });
      assert.equal(stop.status, 204);
      assert.deepEqual(asked.at(-1), { type: "lanStop", scanId: second });
      assert.match(
        await (await tech.get(`${base}?scan=${second}`)).text(),
        /data-lan-ended="stopped">Scan stopped\./,
      );

      // The computer's socket drops during a scan: it ends now, and says why.
      const third = scanOf(await tech.post(`${base}/scan`, {}));
      const dropped = await tech.get(`${base}/scans/${third}/events`);
      assert.equal(dropped.status, 200);
      service.stop();
      service = null;
      const ended = await readStream(dropped);
      assert.match(ended, /data-lan-ended="error">The computer&#39;s connection to the server/);
    } finally {
      service?.stop();
      await cluster.close();
    }
  },
});
