// My account → Remembered devices names each one as its owner knows it ("Firefox on Windows"),
// with the user-agent string it came from in a title, in the reader's language.
import assert from "node:assert/strict";
import { rememberedDevices } from "../modules/auth/schema.ts";
import { startTestApp } from "./support/app.ts";
import { makeGroup, makePerson, TECH_PASSWORD } from "./support/org.ts";

const FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0";

Deno.test("remembered devices read 'Firefox on Windows', the raw user agent in a title", async () => {
  const t = await startTestApp();
  try {
    const person = await makePerson(t, { groupId: (await makeGroup(t)).id });
    const device = (label: string, hash: string) => ({
      userId: person.id,
      tokenHash: hash,
      label,
      ip: "127.0.0.1",
      createdAt: t.clock.now(),
      lastUsedAt: t.clock.now(),
      expiresAt: new Date(t.clock.now().getTime() + 86_400_000),
    });
    await t.deps.db.insert(rememberedDevices).values([
      device(FIREFOX, "a"),
      device("curl/8.5.0", "b"),
      device("Mozilla/5.0 (X11; Linux x86_64)", "c"),
    ]);
    const browser = t.client();
    await browser.signIn(person.email, TECH_PASSWORD);
    const page = await (await browser.get("/account")).text();
    assert.match(
      page,
      new RegExp(`<td title="${FIREFOX.replace(/[().;]/g, "\\$&")}">Firefox on Windows</td>`),
    );
    assert.match(page, /<td title="curl\/8.5.0">Unknown browser<\/td>/);
    assert.match(page, />A browser on Linux</);
    assert.doesNotMatch(page, />Mozilla\/5.0/, "the raw string is not the label");

    await browser.post("/account/language", { language: "nl" });
    const dutch = await (await browser.get("/account")).text();
    assert.match(dutch, />Firefox op Windows</);
    assert.match(dutch, />Onbekende browser</);
  } finally {
    await t.close();
  }
});
