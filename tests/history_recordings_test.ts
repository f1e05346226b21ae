// Finding recordings afterwards: History's search has "Only sessions with a screen recording",
// and each result with one says so — before, the only way to a recording was to know its
// session and open its record page, one by one.
import assert from "node:assert/strict";
import { recordings } from "../modules/recording/mod.ts";
import { startTestApp } from "./support/app.ts";
import { TECH_PASSWORD } from "./support/org.ts";
import { technician, workingSession } from "./support/sessions.ts";

Deno.test("history search: only sessions with a screen recording, each marked, in en and nl", async () => {
  const t = await startTestApp();
  try {
    const tech = await technician(t, {});
    const recorded = await workingSession(t, tech);
    const plain = await workingSession(t, tech);
    await t.deps.db.insert(recordings).values({
      sessionId: recorded.id,
      startedAt: t.clock.now(),
      endedAt: t.clock.now(),
      codec: "vp8",
      width: 320,
      height: 240,
      path: "/nowhere/part.webm",
    });
    const client = t.client();
    await client.signIn(tech.email, TECH_PASSWORD);
    const search = async (query: Record<string, string>) =>
      await (await client.get(`/console/history?${new URLSearchParams(query)}`)).text();

    const form = await search({});
    assert.match(form, /<input[^>]*type="checkbox"[^>]*name="recorded"[^>]*value="1"/);
    assert.match(form, /Only sessions with a screen recording/);

    const all = await search({ outcome: "open" });
    assert.match(all, /2 sessions found/);
    const marked = [...all.matchAll(/data-session="([^"]+)"[\s\S]*?<\/li>/g)]
      .filter((m) => m[0].includes("Screen recording")).map((m) => m[1]);
    assert.deepEqual(marked, [recorded.id], "the one with a recording says so");

    const only = await search({ recorded: "1" });
    assert.match(only, /1 session found/);
    assert.match(only, new RegExp(`data-session="${recorded.id}"`));
    assert.doesNotMatch(only, new RegExp(`data-session="${plain.id}"`));
    assert.match(only, /name="recorded" value="1" checked/);

    await client.post("/account/language", { language: "nl" });
    const nl = await search({ recorded: "1" });
    assert.match(nl, /Alleen sessies met een schermopname/);
    assert.match(nl, /1 sessie gevonden/);
    assert.match(nl, /Schermopname<\/span>/);
  } finally {
    await t.close();
  }
});
