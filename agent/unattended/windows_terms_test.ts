// What the customer reads in the support app's own window before a Windows computer installs
// the service: what the Windows service does (the console user's desktop, no sign-in, no
// credentials kept, a Windows service until removed), not "Credentials are asked at every
// connection", which only the Linux service does.
import assert from "node:assert/strict";
import type { ApprovalTool } from "../../protocol/unattended_request.ts";
import { type OpEnv, OpFailure } from "../ops/mod.ts";
import { agentStrings } from "../strings.ts";
import { unattendedRequestHandlers } from "./request_handlers.ts";

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
  const german = await question("windows", "de");
  assert.ok(german.includes(agentStrings("de").unattendedRequest.auth.windows), german);
  assert.doesNotMatch(german, /bei jeder Verbindung/);
  // The Linux service does ask at every connection: its words stay.
  assert.match(await question("linux", "en"), /Credentials are asked at every connection\./);
});
