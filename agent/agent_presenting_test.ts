// The agent's window says when a technician shows their own screen, and that it is seen on the
// customer's support page in the browser (linked), never in the app: the server's `presenting`
// sets and clears it; an ended session says nothing of it; the page carries the link.
import assert from "node:assert/strict";
import { stillAgent } from "./test_support.ts";
import { pageHtml } from "./consent_page_assets.ts";
import { agentStrings } from "./strings.ts";

Deno.test("Agent.customerState.presenting: the server's `presenting`, until it clears or the session ends", async () => {
  const agent = stillAgent();
  assert.equal(agent.customerState.presenting, null);
  await agent.handle({ type: "presenting", technician: "Ann" });
  assert.equal(agent.customerState.presenting, "Ann");
  await agent.handle({ type: "presenting", technician: null });
  assert.equal(agent.customerState.presenting, null);
  await agent.handle({ type: "presenting", technician: "Ann" });
  agent.end("test over");
  assert.equal(agent.customerState.presenting, null, "an ended session shows nothing");
});

Deno.test("the agent's window has the presenting line, linked to the support page", () => {
  const strings = agentStrings("en");
  const html = pageHtml({
    strings,
    lang: "en",
    server: "https://rescue.example",
    chatUrl: "https://rescue.example/s/abc",
  });
  assert.match(html, /<p id="presenting"[^>]* hidden>/);
  assert.match(html, /id="presenting-link" href="https:\/\/rescue.example\/s\/abc"/);
  assert.match(strings.page.presenting, /support page in the browser, not in this window/);
});
