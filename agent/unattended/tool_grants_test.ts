// What an unattended service allows with nobody present: exactly the tools the customer left
// ticked (service.json's `tools`, written from the signed approval). A tool left out is
// refused by the agent itself (`not_granted`), whatever the server asks; a question for view
// or control left out is declined at once instead of waiting for nobody.
import assert from "node:assert/strict";
import type { AgentMessage } from "../../protocol/mod.ts";
import { Agent, type EncoderLike, type Link } from "../agent.ts";
import { NoDesktop } from "../platform/mod.ts";
import { answerForAbsentCustomer, grantUnattended, readToolGrants } from "./tool_grants.ts";

const encoder = (): EncoderLike => ({
  encode: () => ({ data: new Uint8Array([0]), keyframe: true }),
  setPreset: () => {},
  close: () => {},
});

const settle = () => new Promise((resolve) => setTimeout(resolve, 20));

function outcome(sent: AgentMessage[], id: string) {
  return sent.find((m) => (m.type === "opDone" || m.type === "opFailed") && m.id === id);
}

Deno.test("readToolGrants(): service.json's tools in approval order, unknown names dropped; none listed: all", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = `${dir}/service.json`;
    await Deno.writeTextFile(path, JSON.stringify({ tools: ["systemInfo", "files", "rm-rf", 7] }));
    assert.deepEqual(await readToolGrants(path), ["files", "systemInfo"]);
    await Deno.writeTextFile(path, JSON.stringify({ server: "http://x" }));
    assert.deepEqual(await readToolGrants(path), [
      "control",
      "files",
      "systemInfo",
      "scripts",
      "reboot",
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("grantUnattended(): the agent runs the approved tool and refuses an untaken one (not_granted); view left out is declined", async () => {
  const ran: string[] = [];
  const lines: string[] = [];
  const tools = ["files"] as const;
  const agent: Agent = new Agent({
    desktop: new NoDesktop(),
    encoder,
    os: "linux",
    ops: {
      "files.roots": () => {
        ran.push("files.roots");
        return Promise.resolve({ separator: "/" as const, roots: [], common: [], users: [] });
      },
      "system.processes": () => {
        ran.push("system.processes");
        return Promise.reject(new Error("must not run"));
      },
    },
    onChange: () => answerForAbsentCustomer(agent, tools, (line) => lines.push(line)),
  });
  const sent: AgentMessage[] = [];
  const link: Link = { send: (m) => void sent.push(m), sendMedia: () => {}, buffered: () => 0 };
  agent.attach(link);
  grantUnattended(agent, tools, true);
  assert.deepEqual(agent.customerState.tools, ["files"]);
  assert.equal(agent.consent.allows("control"), false, "control was not ticked");

  // The server asks for system information anyway (a forged or stale server): refused here.
  await agent.handle({ type: "op", id: "op-000001", json: '{"kind":"system.processes"}' });
  await agent.handle({ type: "op", id: "op-000002", json: '{"kind":"files.roots"}' });
  await settle();
  const refused = outcome(sent, "op-000001") as { code: string } | undefined;
  assert.equal(refused?.code, "not_granted");
  assert.equal(outcome(sent, "op-000002")?.type, "opDone");
  assert.deepEqual(ran, ["files.roots"]);

  // A question for the screen: nobody would answer it, so it is declined at once.
  await agent.handle({ type: "request", capability: "view" });
  assert.deepEqual(agent.customerState.questions, []);
  assert.equal(agent.consent.allows("view"), false);
  assert.ok(lines.some((line) => /view is not part of the unattended approval/.test(line)));
  // And the scripts question a server might open: declined too, never granted.
  await agent.handle({ type: "request", capability: "scripts" });
  assert.equal(agent.consent.allows("scripts"), false);
  assert.deepEqual(agent.customerState.questions, []);
});
