/**
 * LAN connect's memory of accepted host keys (lan_keys.ts) over HTTP, the computer's socket
 * stood in by a link that answers as an agent would (the key it reads can be changed): the
 * first Connect asks for acceptance and remembers it (who, when, audited); the next says the
 * key is the one accepted before and pushes without asking; a changed key is a warning that
 * needs a new acceptance (which replaces the memory, audited with the key it replaced); a
 * technician without `lanConnect` may not forget, an admin who reaches the computer may.
 */
import assert from "node:assert/strict";
import { and, eq } from "drizzle-orm";
import { startTestApp } from "../../tests/support/app.ts";
import { makeGroup, makePerson, TECH_PASSWORD } from "../../tests/support/org.ts";
import { technician } from "../../tests/support/sessions.ts";
import { auditLog } from "../audit/mod.ts";
import type { DeviceAgentMessage } from "../../protocol/mod.ts";
import { sealingKey } from "../../agent/unattended/sealing_key.ts";
import { deviceHub } from "./device_hub.ts";
import { lanReceived } from "./lan.ts";
import { acceptedBefore, compareHostKey, type RememberedKey } from "./lan_keys.ts";
import { lanHostKeys } from "./schema.ts";
import { deviceWithGrant } from "./test_fixtures.ts";

const ACCESS = ["unattendedAccess", "startPrivate", "methodPin"] as const;
const OLD = "SHA256:" + "A".repeat(42) + "c";
const NEW = "SHA256:" + "B".repeat(42) + "c";

Deno.test("compareHostKey(): new, the same key, or a changed one; only the same needs no acceptance", () => {
  const remembered = { fingerprint: OLD } as RememberedKey;
  assert.deepEqual(compareHostKey(null, OLD), { kind: "new" });
  assert.deepEqual(compareHostKey(remembered, OLD), { kind: "same", remembered });
  assert.deepEqual(compareHostKey(remembered, NEW), { kind: "changed", remembered });
  assert.equal(acceptedBefore({ kind: "new" }), false);
  assert.equal(acceptedBefore({ kind: "same", remembered }), true);
  assert.equal(acceptedBefore({ kind: "changed", remembered }), false);
});

Deno.test("LAN connect remembers an accepted host key, says so next time, warns when it changed; forgetting is for lanConnect or an admin", async () => {
  const t = await startTestApp();
  try {
    const ann = await technician(t, { name: "Ann", permissions: [...ACCESS, "lanConnect"] });
    const bob = await technician(t, { permissions: [...ACCESS] });
    const adminGroup = await makeGroup(t, { permissions: [...ACCESS] });
    const ada = await makePerson(t, { groupId: adminGroup.id, role: "admin" });
    const pc = await deviceWithGrant(t, ann, {
      name: "office-pc",
      window: { kind: "unlimited" },
      sharedUserIds: [bob.id, ada.id],
    });
    const sealing = await sealingKey(pc.dir);
    const base = `/console/computers/${pc.device.id}/lan`;
    let hostKey = OLD;
    let pushes = 0;
    const said = (message: DeviceAgentMessage) => lanReceived(t.deps, pc.device.id, message);
    deviceHub(t.deps).attach(pc.device.id, {
      sealingKey: sealing.publicKey,
      send: (message) => {
        if (message.type === "lanHostKey") {
          queueMicrotask(() =>
            said({
              type: "lanHostKeyResult",
              pushId: message.pushId,
              fingerprint: hostKey,
              keyType: "ssh-ed25519",
            })
          );
        }
        if (message.type === "lanPush") {
          pushes++;
          queueMicrotask(() => said({ type: "lanPushResult", pushId: message.pushId, ok: true }));
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
    said({ type: "lanHost", scanId, host: { address: "10.0.0.7", ports: [22], neighbour: true } });
    said({ type: "lanScanDone", scanId, scanned: 254, stopped: false });
    const hx = { "HX-Request": "true" };
    const dialog = async () =>
      await (await client.post(`${base}/hosts/10.0.0.7/key`, {}, hx)).text();
    const form = (fingerprint: string, accept: boolean) => ({
      address: "10.0.0.7",
      fingerprint,
      keyType: "ssh-ed25519",
      acceptKey: accept ? "1" : "",
      adminUser: "admin",
      adminPassword: "pw",
    });

    // First time: nothing remembered, acceptance asked.
    const first = await dialog();
    assert.doesNotMatch(first, /data-lan-key=/);
    assert.match(first, /name="acceptKey" value="1" required/);
    assert.equal((await client.post(`${base}/push`, form(OLD, false), hx)).status, 422);
    // A key is accepted only for a host the scan found.
    const elsewhere = await client.post(`${base}/push`, {
      ...form(OLD, true),
      address: "10.0.0.9",
    });
    assert.equal(elsewhere.status, 404);
    assert.equal((await client.post(`${base}/push`, form(OLD, true), hx)).status, 200);
    const [kept] = await t.deps.db.select().from(lanHostKeys);
    assert.equal(kept.fingerprint, OLD);
    assert.equal(kept.keyType, "ssh-ed25519");
    assert.equal(kept.acceptedBy, ann.id);
    assert.equal(kept.acceptedByName, "Ann");
    assert.equal(kept.orgId, ann.orgId);

    // Next Connect: the same key, said with who accepted it; the push needs no new acceptance.
    const second = await dialog();
    assert.match(second, /data-lan-key="same"/);
    assert.match(second, /the one accepted before: it has not changed/);
    assert.match(second, /Accepted by Ann/);
    assert.doesNotMatch(second, /name="acceptKey"/);
    assert.equal((await client.post(`${base}/push`, form(OLD, false), hx)).status, 200);
    assert.equal(pushes, 2);

    // The host's key changed: a plain warning with the old key, and a new acceptance needed.
    hostKey = NEW;
    const third = await dialog();
    assert.match(third, /data-lan-key="changed" role="alert"|role="alert" data-lan-key="changed"/);
    assert.match(third, /Warning: this host&#39;s key has changed\./);
    assert.match(third, /Someone may be intercepting the connection/);
    assert.match(third, new RegExp(`data-lan-old-fingerprint="true">${OLD}<`));
    assert.match(third, /name="acceptKey" value="1" required/);
    assert.match(third, /accept it in place of the old one/);
    const unaccepted = await client.post(`${base}/push`, form(NEW, false), hx);
    assert.equal(unaccepted.status, 422);
    assert.match(await unaccepted.text(), /Check and accept the host&#39;s key first/);
    assert.equal(pushes, 2, "nothing pushed to a changed key without a new acceptance");
    assert.equal((await client.post(`${base}/push`, form(NEW, true), hx)).status, 200);
    const [replaced] = await t.deps.db.select().from(lanHostKeys);
    assert.equal(replaced.fingerprint, NEW);
    const accepted = await t.deps.db.select().from(auditLog).where(
      eq(auditLog.action, "unattended.lan_key_accepted"),
    );
    assert.deepEqual(
      accepted.map((a) => [a.actorId, (a.details as { replaced: string | null }).replaced]),
      [[ann.id, null], [ann.id, OLD]],
    );

    // Listed on the page; forgetting: not Bob (no lanConnect), an admin may.
    const page = await (await client.get(base)).text();
    assert.match(page, new RegExp(`data-lan-key-row="10\\.0\\.0\\.7"[^]*${NEW}`));
    const forget = `/console/computers/${pc.device.id}/host-keys/${replaced.id}/forget`;
    const bobClient = t.client();
    await bobClient.signIn(bob.email, TECH_PASSWORD);
    await bobClient.get("/console/computers");
    assert.equal((await bobClient.get(`/console/computers/${pc.device.id}/host-keys`)).status, 403);
    assert.equal((await bobClient.post(forget, {})).status, 403);
    const adaClient = t.client();
    await adaClient.signIn(ada.email, TECH_PASSWORD);
    const list = await adaClient.get(`/console/computers/${pc.device.id}/host-keys`);
    assert.equal(list.status, 200);
    assert.match(await list.text(), /Remembered host keys — office-pc/);
    const gone = await adaClient.post(forget, {
      back: `/console/computers/${pc.device.id}/host-keys`,
    });
    assert.equal(gone.status, 303);
    assert.equal(
      gone.headers.get("location"),
      `/console/computers/${pc.device.id}/host-keys?forgot=10.0.0.7`,
    );
    assert.equal((await t.deps.db.select().from(lanHostKeys)).length, 0);
    const [forgotten] = await t.deps.db.select().from(auditLog).where(and(
      eq(auditLog.action, "unattended.lan_key_forgotten"),
      eq(auditLog.actorId, ada.id),
    ));
    assert.equal((forgotten.details as { fingerprint: string }).fingerprint, NEW);
    assert.equal((await adaClient.post(forget, {})).status, 404, "forgotten already");
    // Forgotten: the next Connect asks again, as the first time.
    assert.match(await dialog(), /name="acceptKey" value="1" required/);
  } finally {
    await t.close();
  }
});
