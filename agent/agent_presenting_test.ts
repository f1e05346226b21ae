// The agent's window says when a technician shows their own screen, and that it is seen on the
// customer's support page in the browser (linked), never in the app: the server's `presenting`
// sets and clears it; an ended session says nothing of it; the page carries the link.
import assert from "node:assert/strict";
import { Agent } from "./agent.ts";
import type { Desktop } from "./platform/types.ts";
import { pageHtml } from "./consent_page_assets.ts";
import { agentStrings } from "./strings.ts";

function _agent() {
  const desktop = {
    width: 10,
    height: 10,
    grab: () => ({ width: 10, height: 10, stride: 40, data: new Uint8Array(400) }),
    cursor: () => null,
    screens: () => [],
    damage: () => null,
    keyboardLayout: () => "us",
    releaseInput: () => {},
  } as unknown as Desktop;
  return new Agent({
    desktop,
    encoder: () => ({
      encode: () => ({ data: new Uint8Array(3), keyframe: true }),
      setPreset: () => {},
      close: () => {},
    }),
  });
}

Deno.test("Agent.customerState.presenting: the server's `presenting`, until it clears or the session ends", async () => {
  const agent = _agent();
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
