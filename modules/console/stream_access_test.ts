// GET /console/events after an admin changes someone's rights: an open console re-reads
// who it serves within a second and sends its queue anew — rows appear and go, and row
// buttons follow the group's permissions — without a reload.
import assert from "node:assert/strict";
import { ADMIN, startTestApp, type TestApp, type TestClient } from "../../tests/support/app.ts";
import { makePerson, TECH_PASSWORD } from "../../tests/support/org.ts";
import { groupAdmins } from "../org/mod.ts";
import { defaultPermissions, type Permission } from "../permissions/mod.ts";
import { customerConnected } from "../support/mod.ts";
import { createPinSession, HTMX, signedInTechnician, SseReader } from "./test_fixtures.ts";

/** The notice is immediate; a second is what the issue allows. */
const WITHIN_MS = 1_000;

async function signedInAdmin(t: TestApp): Promise<TestClient> {
  const admin = t.client();
  await admin.signIn(ADMIN.email, ADMIN.password);
  return admin;
}

async function setPermissions(admin: TestClient, groupId: string, permissions: Permission[]) {
  const page = `/admin/groups/${groupId}/permissions`;
  await admin.get(page);
  const form = new URLSearchParams({ _csrf: admin.csrf });
  for (const p of permissions) form.append("permission", p);
  const saved = await admin.send(page, {
    method: "POST",
    body: form,
    headers: { "content-type": "application/x-www-form-urlencoded" },
  });
  assert.equal(saved.status, 303);
}

async function moveToGroup(admin: TestClient, userId: string, groupId: string) {
  await admin.get("/admin/technicians");
  const moved = await admin.post(`/admin/technicians/${userId}/group`, { groupId });
  assert.equal(moved.status, 303);
}

const rowOf = (html: string, sessionId: string) =>
  new RegExp(`<tr data-session="${sessionId}"[^>]*>.*?</tr>`, "s").exec(html)?.[0];

Deno.test("the stream resends the queue when the reader's group loses and regains `hold` and `transfer`", async () => {
  const t = await startTestApp();
  const ann = await signedInTechnician(t, { name: "Ann" });
  const session = await createPinSession(t, ann.browser, "Carol");
  await customerConnected(t.deps, session);
  assert.equal(
    (await ann.browser.post(`/console/sessions/${session.id}/start`, {}, HTMX)).status,
    204,
  );
  const stream = new SseReader(await ann.browser.get("/console/events"));
  try {
    const first = rowOf((await stream.next()).data, session.id) ?? "";
    assert.match(first, /data-action="hold"/);
    assert.match(first, /data-action="transfer"/);

    const admin = await signedInAdmin(t);
    const without = defaultPermissions().filter((p) => p !== "hold" && p !== "transfer");
    await setPermissions(admin, ann.user.groupId!, without);
    const after = rowOf(
      (await stream.until((e) => e.event === "queue", WITHIN_MS)).data,
      session.id,
    );
    assert.ok(after, "the row is still there");
    assert.doesNotMatch(after, /data-action="hold"/);
    assert.doesNotMatch(after, /data-action="transfer"/);
    assert.match(after, /data-action="end"/);

    await setPermissions(admin, ann.user.groupId!, defaultPermissions());
    const back = rowOf(
      (await stream.until((e) => e.event === "queue", WITHIN_MS)).data,
      session.id,
    );
    assert.match(back ?? "", /data-action="hold"/);
  } finally {
    await stream.cancel();
    await t.close();
  }
});

Deno.test("a technician moved into another group sees its queued session appear, and go when moved back", async () => {
  const t = await startTestApp();
  const ann = await signedInTechnician(t, { name: "Ann" });
  const bob = await signedInTechnician(t, { name: "Bob" }); // another group
  const theirs = await createPinSession(t, bob.browser, "Dave");
  await customerConnected(t.deps, theirs);
  const sent = await bob.browser.post(`/console/sessions/${theirs.id}/transfer`, {
    target: `group:${bob.user.groupId}`,
  }, HTMX);
  assert.equal(sent.status, 200);
  const stream = new SseReader(await ann.browser.get("/console/events"));
  try {
    assert.equal(rowOf((await stream.next()).data, theirs.id), undefined, "not Ann's group");

    const admin = await signedInAdmin(t);
    await moveToGroup(admin, ann.user.id, bob.user.groupId!);
    const joined = await stream.until((e) => e.event === "queue", WITHIN_MS);
    assert.match(rowOf(joined.data, theirs.id) ?? "", /data-visibility="group"/);

    await moveToGroup(admin, ann.user.id, ann.user.groupId!);
    const left = await stream.until((e) => e.event === "queue", WITHIN_MS);
    assert.equal(rowOf(left.data, theirs.id), undefined);
  } finally {
    await stream.cancel();
    await t.close();
  }
});

Deno.test("an admin's console starts and stops monitoring a technician moved into and out of its groups", async () => {
  const t = await startTestApp();
  const ann = await signedInTechnician(t, { name: "Ann" });
  const bob = await signedInTechnician(t, { name: "Bob" }); // another group
  const person = await makePerson(t, { groupId: ann.user.groupId!, role: "admin" });
  await t.deps.db.insert(groupAdmins).values({ groupId: ann.user.groupId!, userId: person.id });
  const watcher = t.client();
  await watcher.signIn(person.email, TECH_PASSWORD);
  const own = await createPinSession(t, bob.browser, "Dave");
  const stream = new SseReader(await watcher.get("/console/events"));
  try {
    assert.equal(rowOf((await stream.next()).data, own.id), undefined, "Bob is not monitored");

    // The notice names Bob, not the admin: its console still looks again.
    const master = await signedInAdmin(t);
    await moveToGroup(master, bob.user.id, ann.user.groupId!);
    const monitored = await stream.until((e) => e.event === "queue", WITHIN_MS);
    assert.match(rowOf(monitored.data, own.id) ?? "", /data-visibility="monitored"/);

    await moveToGroup(master, bob.user.id, bob.user.groupId!);
    const gone = await stream.until((e) => e.event === "queue", WITHIN_MS);
    assert.equal(rowOf(gone.data, own.id), undefined);
  } finally {
    await stream.cancel();
    await t.close();
  }
});
