// A customer whose session's group records every remote view is told before sharing from the
// browser that what they share is recorded — they were told only once it recorded, after the
// click. Groups that record only when a technician decides, or never, say nothing beforehand.
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { defaultGroupSettings, technicianGroups } from "../modules/org/mod.ts";
import type { RecordingPolicy } from "../modules/recording/mod.ts";
import { startTestApp } from "./support/app.ts";
import { makeGroup } from "./support/org.ts";
import { technician, workingSession } from "./support/sessions.ts";

Deno.test("customer page: an always-recording group says before the browser share that it is recorded", async () => {
  const t = await startTestApp();
  try {
    const pageFor = async (recordingPolicy: RecordingPolicy, lang = "en") => {
      const group = await makeGroup(t, {});
      await t.deps.db.update(technicianGroups)
        .set({ settings: { ...defaultGroupSettings(), recordingPolicy } })
        .where(eq(technicianGroups.id, group.id));
      const session = await workingSession(t, await technician(t, { groupId: group.id }));
      const customer = t.client();
      return await (await customer.get(`/s/${session.token}`, { "accept-language": lang }))
        .text();
    };
    const always = await pageFor("always");
    assert.match(
      always,
      /id="browser-share-recorded"[^>]*>What you share is recorded: this organisation records its remote sessions\.</,
    );
    assert.doesNotMatch(await pageFor("optional"), /browser-share-recorded/);
    assert.doesNotMatch(await pageFor("off"), /browser-share-recorded/);
    assert.match(
      await pageFor("always", "nl"),
      /Wat u deelt, wordt opgenomen: deze organisatie neemt haar sessies op afstand op\./,
    );
  } finally {
    await t.close();
  }
});
