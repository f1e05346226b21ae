// A chat message carries its sender's key (one per draft): a request that comes again — the
// browser resending it on a new connection after HAProxy closed a kept-alive one without an
// answer, or a client's retry — stores nothing new and answers the first line. Concurrent
// resends store one line too (the unique index decides). A malformed key is refused.
import assert from "node:assert/strict";
import { and, eq } from "drizzle-orm";
import { startTestApp } from "../../tests/support/app.ts";
import { technician, workingSession } from "../../tests/support/sessions.ts";
import { Refusal } from "../refusal/mod.ts";
import { customerChat } from "./test_support.ts";
import { technicianChat } from "./mod.ts";
import { sessionLog } from "./schema.ts";

Deno.test("a message resent with its key is stored once; without a key each send counts", async () => {
  const t = await startTestApp();
  try {
    const tech = await technician(t);
    const session = await workingSession(t, tech);
    const lines = async (body: string) =>
      (await t.deps.db.select().from(sessionLog)
        .where(and(eq(sessionLog.sessionId, session.id), eq(sessionLog.body, body)))).length;

    const first = await customerChat(t.deps, session, "My printer", "draft-key-0001");
    const again = await customerChat(t.deps, session, "My printer", "draft-key-0001");
    assert.equal(again, first, "the resend answers the first line");
    assert.equal(await lines("My printer"), 1);

    // Several at once (a resend racing the original): still one.
    const racing = await Promise.all(
      Array.from(
        { length: 5 },
        () => technicianChat(t.deps, tech, session.id, "On it", "k-race-01"),
      ),
    );
    assert.equal(new Set(racing).size, 1);
    assert.equal(await lines("On it"), 1);

    // Another draft, or no key: a new message each time.
    await customerChat(t.deps, session, "My printer", "draft-key-0002");
    await customerChat(t.deps, session, "My printer");
    await customerChat(t.deps, session, "My printer");
    assert.equal(await lines("My printer"), 4);

    await assert.rejects(
      customerChat(t.deps, session, "Hello", "no spaces allowed"),
      (error) => error instanceof Refusal && error.status === 422 && error.key === "chat.badKey",
    );
    assert.equal(await lines("Hello"), 0, "nothing stored");
  } finally {
    await t.close();
  }
});
