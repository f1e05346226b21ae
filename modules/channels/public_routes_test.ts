// The customer's side of a channel (/c/:slug): the form while open, the message or the
// callback form while closed (by the channel's own clock and time zone), 404s, and Dutch.
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { callbackRequests, channels } from "./schema.ts";
import {
  addField,
  channelForm,
  createChannelVia,
  insertGroup,
  onlineTechnician,
  startWithAdmin,
} from "./test_fixtures.ts";
import type { AdminFixture } from "./test_fixtures.ts";

// The test clock starts at Tuesday 2026-11-24 10:00 UTC = 11:00 in Amsterdam.
const TUESDAY_EVENING = new Date("2026-11-24T19:00:00Z"); // 20:00 in Amsterdam

async function setUp(
  f: AdminFixture,
  overrides: Record<string, string> = {},
  options: { staffed?: boolean } = {},
) {
  const phone = await addField(f, "Phone number", 20);
  const order = await addField(f, "Order number", 10);
  const groupId = await insertGroup(f.t, f.orgId, "First line");
  if (options.staffed !== false) await onlineTechnician(f.t, f.orgId, groupId);
  const channel = await createChannelVia(
    f,
    channelForm({ groupId, fields: { [phone]: "required", [order]: "optional" } }, overrides),
  );
  return { phone, order, channel, groupId };
}

Deno.test("an open channel's page shows its form; a valid submission starts a channel session", async () => {
  const f = await startWithAdmin();
  try {
    const { phone, order, channel } = await setUp(f);
    const visitor = f.t.client();
    const res = await visitor.get(`/c/${channel.slug}`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("cache-control"), "no-store");
    const page = await res.text();
    assert.match(page, /<h1>Helpdesk<\/h1>/);
    assert.match(page, /Phone number<span class="required" aria-hidden="true">\*<\/span>/);
    assert.match(page, new RegExp(`name="f_${phone}" value="" maxlength="20" required`));
    assert.match(page, new RegExp(`name="f_${order}" value="" maxlength="10"/>`), "optional");
    assert.match(page, /name="name" value="" maxlength="100" required/);
    assert.doesNotMatch(page, /href="\/account"/, "no staff navigation");

    const missing = await visitor.post(`/c/${channel.slug}`, { name: "Ann", [`f_${order}`]: "A1" });
    assert.equal(missing.status, 422);
    const again = await missing.text();
    assert.match(again, /Please fill in this field/);
    assert.match(again, /value="Ann"/, "what the customer typed is kept");
    const tooLong = await visitor.post(`/c/${channel.slug}`, {
      name: "Ann",
      [`f_${phone}`]: "0".repeat(21),
    });
    assert.equal(tooLong.status, 422);
    assert.match(await tooLong.text(), /longer than allowed/);

    const ok = await visitor.post(`/c/${channel.slug}`, { name: "Ann", [`f_${phone}`]: "0612" });
    assert.equal(ok.status, 303);
    assert.match(ok.headers.get("location") ?? "", /^\/s\/[A-Za-z0-9_-]{32}$/);
  } finally {
    await f.t.close();
  }
});

Deno.test("unknown, malformed and inactive channel links answer 404", async () => {
  const f = await startWithAdmin();
  try {
    const { channel } = await setUp(f);
    const visitor = f.t.client();
    assert.equal((await visitor.get("/c/AAAAAAAAAAAAAAAA")).status, 404);
    assert.equal((await visitor.get("/c/short")).status, 404);
    assert.equal((await visitor.get(`/c/${channel.slug}x`)).status, 404);
    await f.t.deps.db.update(channels).set({ active: false }).where(eq(channels.id, channel.id));
    const res = await visitor.get(`/c/${channel.slug}`);
    assert.equal(res.status, 404);
    assert.match(await res.text(), /does not exist or is no longer active/);
  } finally {
    await f.t.close();
  }
});

Deno.test("a closed channel shows the admin's message and refuses the session form with 409", async () => {
  const f = await startWithAdmin();
  try {
    const { phone, channel, groupId } = await setUp(f);
    f.t.clock.set(TUESDAY_EVENING);
    const visitor = f.t.client();
    const page = await (await visitor.get(`/c/${channel.slug}`)).text();
    assert.match(page, /We are not available right now/);
    assert.match(page, /We are closed\. Call 020 123 4567 in an emergency\./);
    assert.match(page, /Times are in the Europe\/Amsterdam time zone/);
    assert.doesNotMatch(page, /name="name"/, "no form while closed");
    const refused = await visitor.post(`/c/${channel.slug}`, { name: "Ann", [`f_${phone}`]: "1" });
    assert.equal(refused.status, 409);
    assert.match(await refused.text(), /closed right now/);
    const callback = await visitor.post(`/c/${channel.slug}/callback`, {
      name: "Ann",
      contact: "0612",
    });
    assert.equal(callback.status, 409, "this channel only shows a message");
    assert.equal((await f.t.deps.db.select().from(callbackRequests)).length, 0);

    // Saturday is closed all day; Monday 08:59 Amsterdam is closed, 09:00 open.
    f.t.clock.set(new Date("2026-11-28T12:00:00Z"));
    assert.match(await (await visitor.get(`/c/${channel.slug}`)).text(), /not available/);
    f.t.clock.set(new Date("2026-11-30T07:59:00Z"));
    assert.match(await (await visitor.get(`/c/${channel.slug}`)).text(), /not available/);
    f.t.clock.set(new Date("2026-11-30T08:00:00Z"));
    await onlineTechnician(f.t, f.orgId, groupId); // Monday's shift signs in.
    assert.match(await (await visitor.get(`/c/${channel.slug}`)).text(), /name="name"/);
  } finally {
    await f.t.close();
  }
});

Deno.test("a closed callback channel stores validated details and nothing on bad input", async () => {
  const f = await startWithAdmin();
  try {
    const { phone, order, channel } = await setUp(f, {
      unavailableAction: "callback",
      unavailableMessage: "",
    });
    f.t.clock.set(TUESDAY_EVENING);
    const visitor = f.t.client();
    const page = await (await visitor.get(`/c/${channel.slug}`)).text();
    assert.match(page, /Leave your details/);
    assert.match(page, new RegExp(`action="/c/${channel.slug}/callback"`));
    assert.match(page, /name="contact"/);
    assert.match(page, new RegExp(`name="f_${phone}"`));

    const bad: Record<string, string>[] = [
      { name: "", contact: "0612", [`f_${phone}`]: "1" },
      { name: "Ann", contact: "", [`f_${phone}`]: "1" },
      { name: "Ann", contact: "x".repeat(201), [`f_${phone}`]: "1" },
      { name: "A".repeat(101), contact: "0612", [`f_${phone}`]: "1" },
      { name: "Ann", contact: "0612", [`f_${phone}`]: "" },
      { name: "Ann", contact: "0612", [`f_${phone}`]: "1", [`f_${order}`]: "x".repeat(11) },
    ];
    for (const form of bad) {
      const res = await visitor.post(`/c/${channel.slug}/callback`, form);
      assert.equal(res.status, 422, JSON.stringify(form));
      assert.match(await res.text(), /Please check the fields marked below/);
    }
    assert.equal((await f.t.deps.db.select().from(callbackRequests)).length, 0);

    const ok = await visitor.post(`/c/${channel.slug}/callback`, {
      name: " Ann ",
      contact: "ann@example.test",
      [`f_${phone}`]: "0612",
      [`f_${order}`]: "",
      [`f_${crypto.randomUUID()}`]: "ignored",
    });
    assert.equal(ok.status, 200);
    assert.match(await ok.text(), /we have your details/);
    const stored = await f.t.deps.db.select().from(callbackRequests);
    assert.equal(stored.length, 1);
    assert.equal(stored[0].channelId, channel.id);
    assert.equal(stored[0].name, "Ann");
    assert.equal(stored[0].contact, "ann@example.test");
    assert.deepEqual(stored[0].values, { [phone]: "0612" });
    assert.equal(stored[0].createdAt.toISOString(), TUESDAY_EVENING.toISOString());
  } finally {
    await f.t.close();
  }
});

Deno.test("a public form without the CSRF token is refused and stores nothing", async () => {
  const f = await startWithAdmin();
  try {
    const { phone, channel } = await setUp(f, { unavailableAction: "callback" });
    f.t.clock.set(TUESDAY_EVENING);
    const visitor = f.t.client();
    const res = await visitor.post(`/c/${channel.slug}/callback`, {
      _csrf: "",
      name: "Ann",
      contact: "0612",
      [`f_${phone}`]: "1",
    });
    assert.equal(res.status, 403);
    assert.equal((await f.t.deps.db.select().from(callbackRequests)).length, 0);
  } finally {
    await f.t.close();
  }
});

Deno.test("the embeddable snippet's GET pre-fills the channel's own fields only", async () => {
  const f = await startWithAdmin();
  try {
    const { phone, channel } = await setUp(f, {});
    const visitor = f.t.client();
    const page = await (await visitor.get(
      `/c/${channel.slug}?name=Ann%20Smith&f_${phone}=0612&f_bogus=x&_csrf=forged`,
    )).text();
    assert.match(page, /value="Ann Smith"/);
    assert.match(page, /value="0612"/);
    assert.doesNotMatch(page, /forged/);
    assert.equal((await f.t.deps.db.select().from(callbackRequests)).length, 0);
  } finally {
    await f.t.close();
  }
});

Deno.test("the public page speaks the visitor's language (Dutch)", async () => {
  const f = await startWithAdmin();
  try {
    const { channel } = await setUp(f, { unavailableAction: "callback", unavailableMessage: "" });
    const visitor = f.t.client();
    visitor.headers["accept-language"] = "nl-NL,nl;q=0.9,en;q=0.5";
    const open = await (await visitor.get(`/c/${channel.slug}`)).text();
    assert.match(open, /<html lang="nl" dir="ltr">/);
    assert.match(open, /Uw naam/);
    assert.match(open, /Ondersteuningssessie starten/);
    f.t.clock.set(TUESDAY_EVENING);
    const closed = await (await visitor.get(`/c/${channel.slug}`)).text();
    assert.match(closed, /We zijn nu niet bereikbaar/);
    assert.match(closed, /Laat uw gegevens achter/);
    assert.match(closed, /dinsdag/);
    assert.equal((await visitor.get("/c/AAAAAAAAAAAAAAAA")).status, 404);
  } finally {
    await f.t.close();
  }
});

Deno.test("an open channel with nobody available shows the message and refuses the form", async () => {
  const f = await startWithAdmin();
  try {
    const { phone, channel } = await setUp(f, {}, { staffed: false });
    const visitor = f.t.client();
    const page = await (await visitor.get(`/c/${channel.slug}`)).text();
    assert.match(page, /No technician is available right now/);
    assert.doesNotMatch(page, /name="name"/);
    await visitor.get(`/c/${channel.slug}`);
    const refused = await visitor.post(`/c/${channel.slug}`, {
      name: "Ann",
      [`f_${phone}`]: "0612",
    });
    assert.equal(refused.status, 409);

    // Without a message of its own, an open channel does not send the customer away until its
    // opening hours (they are now; a channel without hours has none): it says to try again soon.
    await f.t.deps.db.update(channels).set({
      unavailableMessage: "",
      openingHours: { ...channel.openingHours, enabled: false },
    }).where(eq(channels.id, channel.id));
    const plain = await (await visitor.get(`/c/${channel.slug}`)).text();
    assert.match(plain, /No technician is available right now/);
    assert.match(plain, /Please try again in a few minutes/);
    assert.doesNotMatch(plain, /opening hours/);
  } finally {
    await f.t.close();
  }
});

Deno.test("one address may submit a channel's forms 10 times in 15 minutes, then waits", async () => {
  const f = await startWithAdmin();
  try {
    const { phone, channel, groupId } = await setUp(f);
    const visitor = f.t.client();
    await visitor.get(`/c/${channel.slug}`);
    for (let i = 0; i < 10; i++) {
      const ok = await visitor.post(`/c/${channel.slug}`, {
        name: `Ann ${i}`,
        [`f_${phone}`]: "1",
      });
      assert.equal(ok.status, 303, `submission ${i + 1}`);
    }
    const refused = await visitor.post(`/c/${channel.slug}`, { name: "Ann", [`f_${phone}`]: "1" });
    assert.equal(refused.status, 429);
    assert.ok(Number(refused.headers.get("retry-after")) > 0);
    assert.match(await refused.text(), /Too many requests from your address/);
    const { supportSessions } = await import("../support/test_support.ts");
    assert.equal((await f.t.deps.db.select().from(supportSessions)).length, 10, "none stored");
    // The sliding window still weighs the last 15 minutes in: wait what Retry-After says.
    f.t.clock.advance(Number(refused.headers.get("retry-after")) * 1000);
    await onlineTechnician(f.t, f.orgId, groupId); // someone is still there to take it
    const later = await visitor.post(`/c/${channel.slug}`, { name: "Ann", [`f_${phone}`]: "1" });
    assert.equal(later.status, 303, "a new window");
  } finally {
    await f.t.close();
  }
});
