import assert from "node:assert/strict";
import { join } from "node:path";
import { openCardWindow, readCard } from "./window.ts";
import { agentStrings } from "../strings.ts";

Deno.test("openCardWindow(): the card's branding, a PIN from its own page only, its own channel form link and the help link", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      join(dir, "calling-card.json"),
      JSON.stringify({
        name: "Acme <support>",
        text: "We help",
        helpUrl: "https://help.example.test/",
        accent: "#ff6600",
        background: "#ffffff",
        logo: null,
        channel: { path: "/c/helpdesk-abcdefgh", name: "Helpdesk" },
      }),
    );
    const card = await readCard(dir);
    assert.ok(card);
    const window = openCardWindow({
      dir,
      card,
      server: "http://support.example.test",
      strings: agentStrings("en").callingCard,
    });
    try {
      const html = await (await fetch(window.url)).text();
      assert.match(html, /Acme &#60;support&#62;/, "escaped");
      assert.match(html, /<a class="button" href="channel">Ask for help through Helpdesk<\/a>/);
      assert.match(html, /href="https:\/\/help\.example\.test\/"/);
      const css = await (await fetch(`${window.url}card.css`)).text();
      assert.match(css, /#ff6600/);
      const origin = new URL(window.url).origin;
      const post = (pin: string, from: string) =>
        fetch(`${window.url}pin`, {
          method: "POST",
          headers: { origin: from, "content-type": "application/x-www-form-urlencoded" },
          body: `pin=${pin}`,
        });
      const foreign = await post("123456", "http://evil.example");
      assert.equal(foreign.status, 403);
      await foreign.body?.cancel();
      const bad = await post("12ab", origin);
      assert.equal(bad.status, 422);
      await bad.body?.cancel();
      const good = await post("123456", origin);
      assert.equal(good.status, 200);
      await good.body?.cancel();
      assert.deepEqual(await window.chosen, { pin: "123456" });
      const wrongPath = await fetch(`${origin}/guess/`);
      assert.equal(wrongPath.status, 404);
      await wrongPath.body?.cancel();
    } finally {
      await window.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
