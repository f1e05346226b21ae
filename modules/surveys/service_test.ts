// Surveys in the database on either engine: which form a session gets (its channel's before
// its group's, only when switched on), and answers stored once even when two submissions
// race — the loser is refused and nothing is stored twice.
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { channels } from "../channels/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import { workingSession } from "../../tests/support/sessions.ts";
import { technician } from "../../tests/support/sessions.ts";
import { masterAdmin } from "../../tests/support/org.ts";
import { startTestApp } from "../../tests/support/app.ts";
import { surveyAnswers } from "./schema.ts";
import { recordAnswers, saveForm, surveyForSession } from "./service.ts";

const QUESTION = { id: "q", kind: "rating" as const, label: "Score", choices: [], required: true };

Deno.test("surveyForSession() takes the channel's survey when on, else the group's", async () => {
  const t = await startTestApp();
  try {
    const tech = await technician(t);
    const admin = await masterAdmin(t);
    const ctx = {
      actor: { ...admin, permissions: new Set([]), groupId: null },
      ip: "::1",
      now: t.clock.now(),
    };
    const now = t.clock.now();
    const [channel] = await t.deps.db.insert(channels).values({
      orgId: tech.orgId,
      name: "Web",
      slug: "web",
      fields: [],
      openingHours: { enabled: false, timeZone: "UTC", days: {} },
      unavailableAction: "message",
      createdAt: now,
      updatedAt: now,
    }).returning();
    const session = { orgId: tech.orgId, groupId: tech.groupId, channelId: channel.id };
    assert.equal(await surveyForSession(t.deps.db, session), null);
    const group = { kind: "group" as const, id: tech.groupId! };
    const byChannel = { kind: "channel" as const, id: channel.id };
    await saveForm(t.deps.db, ctx, group, {
      enabled: true,
      externalUrl: "",
      questions: [QUESTION],
    });
    assert.equal((await surveyForSession(t.deps.db, session))?.groupId, tech.groupId);
    await saveForm(t.deps.db, ctx, byChannel, {
      enabled: false,
      externalUrl: "https://poll.example/",
      questions: [],
    });
    assert.equal((await surveyForSession(t.deps.db, session))?.groupId, tech.groupId, "off");
    await saveForm(t.deps.db, ctx, byChannel, {
      enabled: true,
      externalUrl: "https://poll.example/",
      questions: [],
    });
    assert.equal((await surveyForSession(t.deps.db, session))?.channelId, channel.id);
    await saveForm(t.deps.db, ctx, group, {
      enabled: false,
      externalUrl: "",
      questions: [QUESTION],
    });
    assert.equal(
      await surveyForSession(t.deps.db, { ...session, channelId: null }),
      null,
      "the group's is off",
    );
  } finally {
    await t.close();
  }
});

Deno.test("recordAnswers() stores one answer when two submissions race; the other is refused", async () => {
  const t = await startTestApp();
  try {
    const tech = await technician(t);
    const admin = await masterAdmin(t);
    const ctx = {
      actor: { ...admin, permissions: new Set([]), groupId: null },
      ip: "::1",
      now: t.clock.now(),
    };
    const form = await saveForm(t.deps.db, ctx, { kind: "group", id: tech.groupId! }, {
      enabled: true,
      externalUrl: "",
      questions: [QUESTION],
    });
    const session = await workingSession(t, tech);
    const results = await Promise.allSettled([
      recordAnswers(t.deps.db, session, form, { a_q: "5" }, t.clock.now()),
      recordAnswers(t.deps.db, session, form, { a_q: "1" }, t.clock.now()),
    ]);
    const ok = results.filter((r) => r.status === "fulfilled");
    const refused = results.filter((r) => r.status === "rejected");
    assert.equal(ok.length, 1);
    assert.equal(refused.length, 1);
    const reason = (refused[0] as PromiseRejectedResult).reason;
    assert.ok(reason instanceof Refusal);
    assert.equal(reason.status, 409);
    assert.equal(reason.key, "surveys.alreadyAnswered");
    const rows = await t.deps.db.select().from(surveyAnswers)
      .where(eq(surveyAnswers.sessionId, session.id));
    assert.equal(rows.length, 1);
    // Bad input changes nothing, even before anything is stored.
    const other = await workingSession(t, tech);
    const bad = await recordAnswers(t.deps.db, other, form, { a_q: "7" }, t.clock.now());
    assert.equal(bad.ok, false);
    assert.equal(
      (await t.deps.db.select().from(surveyAnswers).where(eq(surveyAnswers.sessionId, other.id)))
        .length,
      0,
    );
  } finally {
    await t.close();
  }
});
