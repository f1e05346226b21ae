/**
 * `/console/computers` over HTTP: the list and its filters, a Connect refused outside the
 * window shown on the page with the reason (409), the tools each grant allows, and "remove just
 * for me".
 */
import assert from "node:assert/strict";
import { startTestApp } from "../../tests/support/app.ts";
import { TECH_PASSWORD } from "../../tests/support/org.ts";
import { technician } from "../../tests/support/sessions.ts";
import { deviceHub } from "./device_hub.ts";
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
