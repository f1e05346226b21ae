// The agent's window says the session is recorded (SPEC R5) when the server says so, and only
// while the customer shares the screen: a revoke hides it at once, whatever the server said.
// Before that, the question for view says whether the view will (or may) be recorded.
import assert from "node:assert/strict";
import { stillAgent } from "./test_support.ts";

Deno.test("Agent.customerState.recorded: the server's `recording`, shown only while view is shared", async () => {
  const agent = stillAgent();
  await agent.handle({ type: "recording", on: true });
  assert.equal(agent.customerState.recorded, false, "nothing shared: nothing to record");
  await agent.handle({ type: "request", capability: "view" });
  const question = agent.customerState.questions.find((q) => q.capability === "view")!;
  assert.ok(agent.answer("view", question.id, true).ok);
  assert.equal(agent.customerState.recorded, true);
  await agent.handle({ type: "recording", on: false });
  assert.equal(agent.customerState.recorded, false);
  await agent.handle({ type: "recording", on: true });
  agent.revoke("view");
  assert.equal(agent.customerState.recorded, false, "the customer stopped sharing");
  agent.end("test over");
});

Deno.test("Agent: the question for view says beforehand what the server said of recording", async () => {
  const agent = stillAgent();
  const asked = () => agent.customerState.questions.find((q) => q.capability === "view");
  await agent.handle({ type: "request", capability: "view", recording: "always" });
  assert.equal(asked()?.recording, "always");
  await agent.handle({ type: "request", capability: "view", recording: "optional" });
  assert.equal(asked()?.recording, "optional");
  // A later question without it (the group stopped recording) says nothing of recording.
  await agent.handle({ type: "request", capability: "view" });
  assert.equal(asked()?.recording, undefined);
  agent.end("test over");
});
