// Several instances (one PostgreSQL, README's compose.yaml): a part is written to the folder of
// the instance the customer's agent is connected to, and a download through another instance
// opens that path on its own disk — a folder only one instance sees is a 404 there ("no longer
// on the server"). There is no fetching a part from its instance; the group's recording
// settings say so where the folder is chosen, once the server runs on PostgreSQL (PGlite is one
// process's: no cluster to warn of).
import assert from "node:assert/strict";
import { ADMIN, startTestApp } from "./support/app.ts";
import { makeGroup } from "./support/org.ts";

Deno.test("group settings: with several instances possible, the recording folder must be shared storage", async () => {
  const t = await startTestApp();
  try {
    const admin = t.client();
    await admin.signIn(ADMIN.email, ADMIN.password);
    const group = await makeGroup(t, { name: "Desk" });
    const page = async () => await (await admin.get(`/admin/groups/${group.id}/settings`)).text();
    const shared = /every server instance reaches at the same path/;

    t.deps.config.databaseUrl = undefined; // embedded PGlite: one process
    assert.doesNotMatch(await page(), shared);

    t.deps.config.databaseUrl = "postgres://db.example.test/rescue";
    const english = await page();
    assert.match(
      english,
      /With several server instances, choose a folder on shared storage that every server instance reaches at the same path: each recording is written by the instance the customer is connected to, and otherwise a download through another instance cannot find it\./,
    );
    await admin.post("/account/language", { language: "nl" });
    assert.match(
      await page(),
      /Met meerdere serverinstanties kies je een map op gedeelde opslag die elke serverinstantie onder hetzelfde pad bereikt/,
    );
  } finally {
    await t.close();
  }
});
