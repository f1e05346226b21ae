// `/agent/channel/:slug`, the calling card app's side of a channel's form: the definitions as
// JSON, and each refusal as a code the app can word — unknown channel, not JSON, closed (the
// channel's own hours), bad answers — with nothing stored; good answers make the session (its
// link) as the web form does. The real app through it: tests/calling_card_window_test.ts.
import assert from "node:assert/strict";
import { supportSessions } from "../support/schema.ts";
import {
  addField,
  channelForm,
  createChannelVia,
  insertGroup,
  onlineTechnician,
  startWithAdmin,
} from "./test_fixtures.ts";

Deno.test("channelAgentRoutes(): the form's definitions, refusals as codes, a session's link", async () => {
  const f = await startWithAdmin();
  try {
    const phone = await addField(f, "Phone number", 20);
    const groupId = await insertGroup(f.t, f.orgId, "First line");
    await onlineTechnician(f.t, f.orgId, groupId);
    const channel = await createChannelVia(
      f,
      channelForm({ groupId, fields: { [phone]: "required" } }),
    );
    const call = async (path: string, init?: RequestInit) => {
      const res = await f.t.app.request(`http://localhost/agent/channel/${path}`, init);
      return { status: res.status, body: await res.json() };
    };
    const post = (body: unknown, type = "application/json") =>
      call(channel.slug, {
        method: "POST",
        headers: { "content-type": type },
        body: JSON.stringify(body),
      });
    const sessions = async () => (await f.t.deps.db.select().from(supportSessions)).length;

    const form = await call(channel.slug);
    assert.equal(form.status, 200);
    assert.deepEqual(form.body, {
      name: "Helpdesk",
      closed: null,
      nameMaxLength: 100,
      fields: [{ id: phone, label: "Phone number", maxLength: 20, required: true }],
    });
    assert.deepEqual(await call("AAAAAAAAAAAAAAAA"), { status: 404, body: { error: "not_found" } });
    assert.equal((await post({ name: "Carol" }, "text/plain")).status, 415, "JSON only");
    const invalid = await post({ name: " ", fields: { [phone]: "0".repeat(21) } });
    assert.equal(invalid.status, 422);
    assert.deepEqual(invalid.body.problems, [
      { path: "name", code: "customerNameRequired" },
      { path: `f_${phone}`, code: "valueTooLong" },
    ]);
    assert.equal(await sessions(), 0);

    const made = await post({ name: "Carol", fields: { [phone]: "0612" } });
    assert.equal(made.status, 200);
    assert.match(made.body.link, /\/s\/[A-Za-z0-9_-]{32}$/);
    assert.equal(await sessions(), 1);

    // 20:00 in Amsterdam: the channel's hours are over.
    f.t.clock.set(new Date("2026-11-24T19:00:00Z"));
    assert.equal((await call(channel.slug)).body.closed, "closed");
    assert.deepEqual(await post({ name: "Carol", fields: { [phone]: "0612" } }), {
      status: 409,
      body: { error: "closed" },
    });
    assert.equal(await sessions(), 1, "nothing more stored");
  } finally {
    await f.t.close();
  }
});
