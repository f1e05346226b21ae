// A screenshot the technician takes is the technician's file (issue 13): the customer's log,
// on the page and on its live stream, says the technician took it — never "You sent a file" —
// and offers no download; the customer's own file still reads "You sent a file".
import assert from "node:assert/strict";
import { startTestApp } from "./support/app.ts";
import { TECH_PASSWORD } from "./support/org.ts";
import { technician, workingSession } from "./support/sessions.ts";
import { storeFile } from "../modules/support/mod.ts";
import { DEFAULT_FILE_LIMIT } from "../modules/support/test_support.ts";

/** The smallest thing the route takes for a PNG: its signature and a little more. */
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]);

Deno.test("a technician's screenshot is attributed to the technician in the customer's log", async () => {
  const t = await startTestApp();
  try {
    const ann = await technician(t);
    const session = await workingSession(t, ann);
    const desk = t.client();
    await desk.signIn(ann.email, TECH_PASSWORD);
    await desk.get(`/console/sessions/${session.id}`);
    const form = new FormData();
    form.set("file", new File([PNG], "screen.png", { type: "image/png" }));
    const shot = await desk.send(`/console/sessions/${session.id}/remote/screenshot`, {
      method: "POST",
      body: form,
      headers: { "x-csrf-token": desk.csrf, origin: "http://localhost" },
    });
    assert.equal(shot.status, 200, await shot.clone().text());
    await storeFile(
      t.deps,
      session,
      {
        name: "mine.txt",
        type: "text/plain",
        bytes: new TextEncoder().encode("the customer's own"),
      },
      { direction: "to_technician" },
      DEFAULT_FILE_LIMIT,
    );

    const page = await (await t.client().get(`/s/${session.token}`)).text();
    const cards = [...page.matchAll(/<div class="log-line log-file from-(\w+)"[\s\S]*?<\/dl>/g)];
    const byAuthor = Object.fromEntries(cards.map((m) => [m[1], m[0]]));
    assert.deepEqual(Object.keys(byAuthor).sort(), ["customer", "technician"]);
    const theirs = byAuthor.technician;
    assert.ok(theirs.includes(`${ann.name} took a screenshot of your screen`), theirs);
    assert.match(theirs, /screen\.png/);
    assert.doesNotMatch(theirs, /You sent a file/);
    assert.doesNotMatch(theirs, /download=/, "the customer is offered no download of it");
    assert.match(byAuthor.customer, /You sent a file/);
  } finally {
    await t.close();
  }
});
