/**
 * `/console/computers` over HTTP: the list and its filters, a Connect refused outside the
 * window shown on the page with the reason (409), the tools each grant allows, "remove just
 * for me", and the OS credentials typed at Connect reaching the device's join and nothing else.
 */
import assert from "node:assert/strict";
import { startTestApp } from "../../tests/support/app.ts";
import { TECH_PASSWORD } from "../../tests/support/org.ts";
import { technician } from "../../tests/support/sessions.ts";
import { auditLog } from "../audit/mod.ts";
import { readLog } from "../support/mod.ts";
import type { DeviceServerMessage } from "../../protocol/mod.ts";
import { deviceHub } from "./device_hub.ts";
import { unattendedConnections } from "./schema.ts";
import { deviceWithGrant } from "./test_fixtures.ts";

const ACCESS = ["unattendedAccess", "startPrivate", "desktopView", "remoteControl"] as const;

Deno.test("/console/computers filters by name and status, shows a refusal's reason, removes just for me", async () => {
  const t = await startTestApp();
  try {
    const ann = await technician(t, { permissions: [...ACCESS] });
    const bob = await technician(t, { permissions: [...ACCESS] });
    const pc = await deviceWithGrant(t, ann, { name: "reception-pc", sharedUserIds: [bob.id] });
    await deviceWithGrant(t, ann, {
      name: "accounts-server",
      window: { kind: "unlimited" },
      tools: ["files", "systemInfo"],
    });
    deviceHub(t.deps).attach(pc.device.id, { send: () => {}, close: () => {}, join: () => {} });
    t.clock.set(new Date("2026-11-28T10:00:00Z")); // a Saturday
    const client = t.client();
    await client.signIn(ann.email, TECH_PASSWORD);
    const names = (html: string) =>
      [...html.matchAll(/<th scope="row">([^<]+)<\/th>/g)].map((m) => m[1]);
    const all = await client.get("/console/computers");
    assert.equal(all.status, 200);
    assert.deepEqual(names(await all.text()).sort(), ["accounts-server", "reception-pc"]);
    const byName = await client.get("/console/computers?name=ACCOUNTS");
    const accounts = await byName.text();
    assert.deepEqual(names(accounts), ["accounts-server"]);
    // What the customer left ticked at approval, in words.
    assert.match(
      accounts,
      /data-grant-tools="files systemInfo">Allowed: Files \(the file manager\) and System information/,
    );
    // Online is the device's row in the database (its socket's instance); none here.
    const online = await client.get("/console/computers?status=online");
    assert.deepEqual(names(await online.text()), []);
    const offline = await client.get("/console/computers?status=offline");
    assert.equal(names(await offline.text()).length, 2);

    // Saturday: office hours do not include today — the page says so, with 409.
    const refused = await client.post(`/console/computers/${pc.device.id}/connect`, {});
    assert.equal(refused.status, 409);
    assert.match(await refused.text(), /The access window does not include today/);

    const bobClient = t.client();
    await bobClient.signIn(bob.email, TECH_PASSWORD);
    assert.deepEqual(names(await (await bobClient.get("/console/computers")).text()), [
      "reception-pc",
    ]);
    const everyone = await bobClient.post(`/console/computers/${pc.device.id}/remove`, {
      scope: "everyone",
    });
    assert.equal(everyone.status, 403, "shared with Bob: not his to remove for everyone");
    const mine = await bobClient.post(`/console/computers/${pc.device.id}/remove`, {
      scope: "me",
    });
    assert.equal(mine.status, 303);
    assert.deepEqual(names(await (await bobClient.get("/console/computers")).text()), []);
    assert.equal(names(await (await client.get("/console/computers")).text()).length, 2);
  } finally {
    await t.close();
  }
});

Deno.test("/console/computers/:id/connect hands the OS credentials typed at Connect to the device's join, and only there", async () => {
  const t = await startTestApp();
  try {
    const ann = await technician(t, { permissions: [...ACCESS] });
    const pc = await deviceWithGrant(t, ann, { window: { kind: "unlimited" } });
    const joins: Omit<Extract<DeviceServerMessage, { type: "join" }>, "type">[] = [];
    deviceHub(t.deps).attach(pc.device.id, {
      send: () => {},
      close: () => {},
      join: (message) => joins.push(message),
    });
    const client = t.client();
    await client.signIn(ann.email, TECH_PASSWORD);
    const page = await (await client.get("/console/computers")).text();
    assert.match(page, /data-sign-in="[^"]+"/, "asked at every connection: the fields are there");
    assert.match(page, /<input id="sp-[^"]+" type="password" name="osPassword"/);

    const secret = "S3cret-at-Connect!";
    const badForm = await client.post(`/console/computers/${pc.device.id}/connect`, {
      osUser: "anne",
      osPassword: "",
    });
    assert.equal(badForm.status, 400, "a user name without a password is refused");
    assert.match(await badForm.text(), /Give the user name and the password for the login screen/);
    assert.equal(joins.length, 0);
    const connected = await client.post(`/console/computers/${pc.device.id}/connect`, {
      osUser: " anne ",
      osPassword: secret,
    });
    assert.equal(connected.status, 303);
    assert.equal(joins.length, 1);
    assert.deepEqual(joins[0].credentials, { user: "anne", password: secret });
    const kept = JSON.stringify([
      await t.deps.db.select().from(auditLog),
      await t.deps.db.select().from(unattendedConnections),
      await readLog(t.deps.db, joins[0].sessionId),
    ]);
    assert.match(kept, /unattended\.connected/);
    assert.ok(!kept.includes(secret), "the password is stored nowhere on the server");

    const plain = await client.post(`/console/computers/${pc.device.id}/connect`, {});
    assert.equal(plain.status, 303);
    assert.equal(joins[1].credentials, undefined, "optional: without them, none are sent");
  } finally {
    await t.close();
  }
});
