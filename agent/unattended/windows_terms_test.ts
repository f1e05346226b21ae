// What the customer reads in the support app's own window before a Windows computer installs
// the service: what the Windows service does (the console user's desktop, no sign-in, no
// credentials kept, a Windows service until removed), not "Credentials are asked at every
// connection", which only the Linux service does.
import assert from "node:assert/strict";
import type { ApprovalTool } from "../../protocol/unattended_request.ts";
import { type OpEnv, OpFailure } from "../ops/mod.ts";
import { agentStrings } from "../strings.ts";
import { toolsLine, unattendedRequestHandlers } from "./request_handlers.ts";
import { Agent } from "../agent.ts";
import type { Desktop } from "../platform/types.ts";

const REQUEST = {
  kind: "unattended.install" as const,
  requestId: "3f0c1d7e-aaaa-bbbb-cccc-000000000003",
  nonce: "n".repeat(43),
  digest: "d".repeat(43),
  technician: "Ann",
  tools: ["control"] as ApprovalTool[],
  terms: {
    authMode: "ask_each_time" as const,
    kind: "days" as const,
    fromAt: "2026-12-07T00:00:00Z",
    untilAt: "2026-12-10T00:00:00Z",
    dailyStart: null,
    dailyEnd: null,
    weekdays: [],
    timeZone: "Europe/Amsterdam",
    zoneOf: "customer" as const,
  },
};

/** The question the agent's window shows on `os`, in `language`; declined, nothing installed. */
async function question(os: "windows" | "linux", language: string): Promise<string> {
  const env = { os, dataDir: "/nowhere", serverUrl: "http://x" } as unknown as OpEnv;
  let installed = false;
  const handlers = unattendedRequestHandlers(env, {
    language,
    ports: {
      ...(os === "windows" ? { stateDir: "C:\\ProgramData\\RemoteSupport" } : {}),
      unavailable: () => null,
      deviceKey: () => Promise.reject(new Error("not reached")),
      installService: () => {
        installed = true;
        return Promise.resolve("x");
      },
      hostname: () => "pc",
    },
  });
  let asked = "";
  await assert.rejects(
    handlers["unattended.install"]!(REQUEST, {
      signal: new AbortController().signal,
      log: () => {},
      confirm: (detail: string) => {
        asked = detail;
        return Promise.resolve(false);
      },
    } as never),
    (e) => e instanceof OpFailure && e.code === "declined",
  );
  assert.equal(installed, false);
  return asked;
}

Deno.test("unattended.install on Windows: the window says what the Windows service does, not that credentials are asked", async () => {
  const windows = await question("windows", "en");
  assert.match(windows, /Ann asks to reach this computer/);
  assert.match(
    windows,
    /The support app runs as a Windows service until it is removed\. It shows the desktop of the user signed in at the console; it does not sign in and does not keep your credentials\./,
  );
  assert.doesNotMatch(windows, /every connection/);
  // How to revoke: the command the Windows installer puts in the service's folder.
  assert.ok(
    windows.includes(
      'You can revoke it at any time ("C:\\ProgramData\\RemoteSupport\\remote-support.cmd" --unattended revoke).',
    ),
    windows,
  );
  const german = await question("windows", "de");
  assert.ok(german.includes(agentStrings("de").unattendedRequest.auth.windows), german);
  assert.doesNotMatch(german, /bei jeder Verbindung/);
  // The Linux service does ask at every connection: its words stay.
  const linux = await question("linux", "en");
  assert.match(linux, /Credentials are asked at every connection\./);
  assert.match(linux, /You can revoke it at any time \(remote-support --unattended revoke\)\./);
});

Deno.test("the agent's window shows the whole Windows question, the allowed tools at its end included", async () => {
  const desktop = {
    width: 64,
    height: 48,
    grab: () => ({ width: 64, height: 48, stride: 256, data: new Uint8Array(64 * 48 * 4) }),
    cursor: () => null,
    keyboardLayout: () => "us",
    close: () => {},
  } as unknown as Desktop;
  const env = { os: "windows", dataDir: "/nowhere", serverUrl: "http://x" } as unknown as OpEnv;
  const agent = new Agent({
    desktop,
    os: "windows",
    encoder: () => ({}) as never,
    ops: unattendedRequestHandlers(env, {
      language: "fr",
      ports: {
        unavailable: () => null,
        deviceKey: () => Promise.reject(new Error("not reached")),
        installService: () => Promise.reject(new Error("not reached")),
        hostname: () => "pc",
      },
    }),
  });
  try {
    agent.ops.receive({
      type: "op",
      id: "op-000001",
      json: JSON.stringify({ ...REQUEST, technician: "Annemarie Technician-Lefebvre" }),
    });
    for (let i = 0; i < 100 && agent.customerState.confirms.length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const [asked] = agent.customerState.confirms;
    assert.ok(asked, "the customer is asked in the window");
    const strings = agentStrings("fr").unattendedRequest;
    assert.ok(asked.detail.includes(strings.auth.windows), asked.detail);
    assert.ok(asked.detail.endsWith(toolsLine(strings, "fr", ["control"])), asked.detail);
    assert.ok(agent.confirmAnswer(asked.id, false).ok);
  } finally {
    agent.stop();
  }
});
