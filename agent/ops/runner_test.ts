import assert from "node:assert/strict";
import { z } from "zod";
import {
  type AgentMessage,
  type Capability,
  defineOp,
  type OpSpec,
  opSpec,
} from "../../protocol/mod.ts";
import { OpFailure, type OpHandlers } from "./mod.ts";
import { OpRunner } from "./runner.ts";

const ECHO = defineOp({
  kind: "test.echo",
  capability: "files",
  params: { text: z.string().max(10_000_000) },
  result: z.strictObject({ text: z.string() }),
  event: z.strictObject({ step: z.number().int() }),
});
const WAIT = defineOp({
  kind: "test.wait",
  capability: "scripts",
  params: {},
  result: z.strictObject({ confirmed: z.boolean() }),
});
const SPECS = new Map<string, OpSpec>([[ECHO.kind, ECHO as OpSpec], [WAIT.kind, WAIT as OpSpec]]);

function harness(granted: Capability[], handlers: Record<string, unknown>) {
  const sent: AgentMessage[] = [];
  const allowed = new Set(granted);
  let answer: (yes: boolean) => void = () => {};
  const runner = new OpRunner({
    handlers: handlers as OpHandlers,
    os: "linux",
    allows: (c) => allowed.has(c),
    send: (m) => void sent.push(m),
    confirm: (_c, _detail, signal) =>
      new Promise((resolve) => {
        answer = resolve;
        signal.addEventListener("abort", () => resolve(false));
      }),
    log: () => {},
    spec: (kind) => SPECS.get(kind) ?? opSpec(kind),
  });
  return { runner, sent, allowed, answer: (yes: boolean) => answer(yes) };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 5));
const outcome = (sent: AgentMessage[], id: string) =>
  sent.find((m) => (m.type === "opDone" || m.type === "opFailed") && m.id === id);

Deno.test("an op whose capability is not granted is refused and its handler never runs", async () => {
  let ran = 0;
  const { runner, sent } = harness([], {
    "test.echo": () => {
      ran++;
      return Promise.resolve({ text: "x" });
    },
  });
  runner.receive({ type: "op", id: "op-000001", json: '{"kind":"test.echo","text":"hi"}' });
  await settle();
  assert.deepEqual(ran, 0);
  assert.deepEqual(outcome(sent, "op-000001"), {
    type: "opFailed",
    id: "op-000001",
    code: "not_granted",
    reason: "files is not granted",
  });
});

Deno.test("a large request and result travel in pieces under the frame limit, events in order", async () => {
  const { runner, sent } = harness(["files"], {
    "test.echo": (request: { text: string }, context: { emit: (e: unknown) => void }) => {
      context.emit({ step: 1 });
      context.emit({ step: "bad" }); // refused by the spec: never sent
      context.emit({ step: 2 });
      return Promise.resolve({ text: request.text.toUpperCase() });
    },
  });
  const text = 'é\u0001"'.repeat(100_000); // escapes and multi-byte characters
  const body = JSON.stringify({ kind: "test.echo", text });
  const { splitOpBody } = await import("../../protocol/mod.ts");
  const pieces = splitOpBody(body);
  assert(pieces.length > 4);
  for (const piece of pieces.slice(0, -1)) {
    runner.receive({ type: "opPart", id: "op-big-01", json: piece });
  }
  runner.receive({ type: "op", id: "op-big-01", json: pieces.at(-1)! });
  await settle();
  const events = sent.filter((m) => m.type === "opEvent").map((m) => JSON.parse(m.json));
  assert.deepEqual(events, [{ step: 1 }, { step: 2 }]);
  const parts = sent.filter((m) => m.type === "opPart" || m.type === "opDone") as {
    json: string;
  }[];
  for (const part of parts) {
    assert(new TextEncoder().encode(JSON.stringify(part)).length < 64 * 1024);
  }
  assert.deepEqual(JSON.parse(parts.map((p) => p.json).join("")), { text: text.toUpperCase() });
});

Deno.test("unknown, invalid and unhandled requests get clear codes", async () => {
  const { runner, sent } = harness(["files"], {});
  runner.receive({ type: "op", id: "op-000002", json: "{nope" });
  runner.receive({ type: "op", id: "op-000003", json: '{"kind":"rm.rf"}' });
  runner.receive({ type: "op", id: "op-000004", json: '{"kind":"test.echo","text":1}' });
  runner.receive({ type: "op", id: "op-000005", json: '{"kind":"test.echo","text":"a"}' });
  runner.receive({ type: "op", id: "op-000006", json: '{"kind":"agent.about"}' });
  await settle();
  const code = (id: string) => (outcome(sent, id) as { code?: string })?.code;
  assert.deepEqual(code("op-000002"), "invalid");
  assert.deepEqual(code("op-000003"), "unknown_op");
  assert.deepEqual(code("op-000004"), "invalid");
  assert.deepEqual(code("op-000005"), "not_available");
  const about = outcome(sent, "op-000006") as { json: string };
  assert.deepEqual(JSON.parse(about.json), { os: "linux", ops: ["agent.about"] });
});

Deno.test("revoking the capability aborts a running op and its open question", async () => {
  const { runner, sent } = harness(["scripts"], {
    "test.wait": async (_r: unknown, context: { confirm: (d: string) => Promise<boolean> }) => {
      const confirmed = await context.confirm("run backup.sh");
      return { confirmed };
    },
  });
  runner.receive({ type: "op", id: "op-000007", json: '{"kind":"test.wait"}' });
  await settle();
  assert.deepEqual(runner.running, 1);
  runner.abortCapability("files"); // another capability: keeps running
  await settle();
  assert.deepEqual(runner.running, 1);
  runner.abortCapability("scripts");
  await settle();
  assert.deepEqual(runner.running, 0);
  assert.deepEqual((outcome(sent, "op-000007") as { code: string }).code, "cancelled");
});

Deno.test("a handler's OpFailure reaches the server as its code; cancel stops the op", async () => {
  const { runner, sent, answer } = harness(["files", "scripts"], {
    "test.echo": () => Promise.reject(new OpFailure("path_refused", "'..' is not followed")),
    "test.wait": async (_r: unknown, context: { confirm: (d: string) => Promise<boolean> }) => ({
      confirmed: await context.confirm("x"),
    }),
  });
  runner.receive({ type: "op", id: "op-000008", json: '{"kind":"test.echo","text":"a"}' });
  runner.receive({ type: "op", id: "op-000009", json: '{"kind":"test.wait"}' });
  runner.receive({ type: "op", id: "op-000010", json: '{"kind":"test.wait"}' });
  await settle();
  assert.deepEqual(outcome(sent, "op-000008"), {
    type: "opFailed",
    id: "op-000008",
    code: "path_refused",
    reason: "'..' is not followed",
  });
  runner.receive({ type: "opCancel", id: "op-000009" });
  answer(true); // the last question asked (op-000010's) is answered yes
  await settle();
  assert.deepEqual((outcome(sent, "op-000009") as { code: string }).code, "cancelled");
  assert.deepEqual(JSON.parse((outcome(sent, "op-000010") as { json: string }).json), {
    confirmed: true,
  });
});
