// The SMS to a customer (SPEC A8, C3) in the language of the technician who sends it, as the
// connection e-mail is (tests/session_email_language_test.ts): the text comes from the locales
// (sms.invitation), its placeholders filled, through the real console route into the outbox.
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { users } from "../modules/auth/mod.ts";
import { smsOutbox } from "../modules/sms/mod.ts";
import { startTestApp, type TestApp } from "./support/app.ts";
import { makeGroup, makePerson, TECH_PASSWORD } from "./support/org.ts";

const HTMX = { "hx-request": "true" };

async function signedIn(t: TestApp, email: string) {
  const browser = t.client();
  await browser.signIn(email, TECH_PASSWORD);
  await browser.get("/console");
  return browser;
}

Deno.test("the SMS invitation is in the sending technician's language, its placeholders filled", async () => {
  const t = await startTestApp();
  try {
    const group = await makeGroup(t, { permissions: ["startPrivate", "methodPin", "methodSms"] });
    const anne = await makePerson(t, { groupId: group.id, email: "anne@example.test" });
    const bert = await makePerson(t, { groupId: group.id, email: "bert@example.test" });
    await t.deps.db.update(users).set({ name: "Anne", language: "nl" })
      .where(eq(users.id, anne.id));
    await t.deps.db.update(users).set({ name: "Bert", language: "en" })
      .where(eq(users.id, bert.id));

    /** The text the console of `email` queues for `number`. */
    const sent = async (email: string, number: string, language?: string) => {
      const browser = await signedIn(t, email);
      const res = await browser.post("/console/sessions", {
        method: "sms",
        name: "Carol",
        contact: number,
        ...(language ? { language } : {}),
      }, HTMX);
      assert.equal(res.status, 201);
      const [queued] = await t.deps.db.select().from(smsOutbox)
        .where(eq(smsOutbox.toNumber, number));
      return queued.body;
    };

    const dutch = await sent("anne@example.test", "+31612345678");
    assert.match(
      dutch,
      /^Anne nodigt u uit voor hulp op afstand: https?:\/\/\S+\/s\/[A-Za-z0-9_-]{32} \(pincode \d{6}\)$/,
    );
    const english = await sent("bert@example.test", "+31612345679");
    assert.match(
      english,
      /^Bert invites you to remote support: https?:\/\/\S+\/s\/[A-Za-z0-9_-]{32} \(PIN \d{6}\)$/,
    );
    // In the language the technician chose for the customer: Arabic, a customer-only one.
    const arabic = await sent("bert@example.test", "+31612345670", "ar");
    assert.match(
      arabic,
      /^يدعوك Bert إلى الدعم عن بُعد: https?:\/\/\S+\/s\/[A-Za-z0-9_-]{32} \(رمز PIN \d{6}\)$/,
    );
  } finally {
    await t.close();
  }
});
