// A transfer tells both technicians the truth (issue 13): the sender's answer names who the
// session went to, and the recipient's workspace log shows the sender's note and the target;
// the customer's log still shows only that the session was transferred, not the note.
import assert from "node:assert/strict";
import { startTestApp } from "./support/app.ts";
import { TECH_PASSWORD } from "./support/org.ts";
import { technician, workingSession } from "./support/sessions.ts";
import { defaultPermissions } from "../modules/permissions/mod.ts";
import { startSession } from "../modules/support/mod.ts";
import { users } from "../modules/auth/mod.ts";
import { eq } from "drizzle-orm";

Deno.test("a transfer names the recipient to the sender and shows the note to the recipient", async () => {
  const t = await startTestApp();
  try {
    const permissions = [
      ...defaultPermissions(),
      "transfer" as const,
      "seeOtherTechnicians" as const,
    ];
    const ann = await technician(t, { permissions });
    const bob = await technician(t, { permissions, groupId: ann.groupId ?? undefined });
    await t.deps.db.update(users).set({ name: "Bob Receiver" }).where(eq(users.id, bob.id));
    const session = await workingSession(t, ann);
    const sender = t.client();
    await sender.signIn(ann.email, TECH_PASSWORD);
    const receiver = t.client();
    await receiver.signIn(bob.email, TECH_PASSWORD);
    await receiver.get("/console"); // online, so a technician target
    await sender.get("/console");
    const note = "Printer on floor 2 <b>jams</b>";
    const sent = await sender.post(`/console/sessions/${session.id}/transfer`, {
      target: `technician:${bob.id}`,
      note,
    }, { "hx-request": "true" });
    assert.equal(sent.status, 200, await sent.clone().text());
    assert.match(await sent.text(), /The session was transferred to Bob Receiver\./);

    await startSession(t.deps, { ...bob, name: "Bob Receiver" }, session.id);
    const panel = await (await receiver.get(`/console/sessions/${session.id}`, {
      "hx-request": "true",
    })).text();
    const line = /<[^>]+data-event="log\.transferred"[\s\S]*?<\/span><\/span>/.exec(panel)?.[0] ??
      "";
    assert.match(line, /transferred the session to Bob Receiver\./, panel);
    assert.match(line, /Note: Printer on floor 2 &lt;b&gt;jams&lt;\/b&gt;/);

    const customer = await (await t.client().get(`/s/${session.token}`)).text();
    assert.match(customer, /transferred the session\./);
    assert.doesNotMatch(customer, /Printer on floor 2/, "the note is for technicians only");
  } finally {
    await t.close();
  }
});
