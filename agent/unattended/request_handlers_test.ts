import assert from "node:assert/strict";
import { approvalMessage, type ApprovalTool } from "../../protocol/unattended_request.ts";
import { OpFailure } from "../ops/mod.ts";
import { fileVault } from "./credentials.ts";
import { unattendedPorts } from "./ports.ts";
import { unattendedRequestHandlers } from "./request_handlers.ts";

const b64 = (text: string) =>
  Uint8Array.from(atob(text.replaceAll("-", "+").replaceAll("_", "/")), (c) => c.charCodeAt(0));

Deno.test("unattended.install: the customer confirms the terms, the service is written under the root, the approval is signed with the device key", async () => {
  const root = await Deno.makeTempDir();
  const dataDir = await Deno.makeTempDir();
  // A compiled agent (one file) where the customer downloaded it; the service runs a copy.
  const download = await Deno.makeTempDir();
  const agentBin = `${download}/remote-support`;
  await Deno.writeTextFile(agentBin, "a compiled agent", { mode: 0o755 });
  try {
    const env = {
      os: "linux" as const,
      serverUrl: "http://127.0.0.1:8080",
      token: "tok_abcdefghijklmnop",
      dataDir,
      log: () => {},
    };
    const handlers = unattendedRequestHandlers(env, {
      ports: unattendedPorts(env, { root, command: [agentBin] }),
      language: "en",
    });
    const about = await handlers["unattended.about"]!({ kind: "unattended.about" }, {} as never);
    assert.equal(about.canInstall, true);
    const questions: string[] = [];
    const context = (answer: boolean) => ({
      signal: new AbortController().signal,
      emit: () => {},
      confirm: (detail: string) => {
        questions.push(detail);
        return Promise.resolve(answer);
      },
      log: () => {},
    });
    const request = {
      kind: "unattended.install" as const,
      requestId: "3f0c1d7e-aaaa-bbbb-cccc-000000000001",
      nonce: "n".repeat(43),
      digest: "d".repeat(43),
      technician: "Ann",
      // The customer unticked the screen, scripts and restarting on the customer page.
      tools: ["systemInfo", "files"] as ApprovalTool[],
      terms: {
        authMode: "ask_each_time" as const,
        kind: "daily" as const,
        fromAt: "2026-03-28T11:00:00Z",
        untilAt: "2026-04-11T10:00:00Z",
        dailyStart: 1320,
        dailyEnd: 360,
        weekdays: [1, 2],
        timeZone: "Europe/Amsterdam",
        zoneOf: "customer" as const,
      },
    };
    await assert.rejects(
      handlers["unattended.install"]!(request, context(false)),
      (e) => e instanceof OpFailure && e.code === "declined",
    );
    const result = await handlers["unattended.install"]!(request, context(true));
    // What the customer read: the technician, the window in its own zone, the daily hours.
    assert.match(questions[1], /Ann asks to reach this computer/);
    assert.match(questions[1], /Saturday, March 28, 2026 at 12:00 PM/);
    assert.match(questions[1], /Only on Monday and Tuesday, from 22:00 to 06:00/);
    assert.match(questions[1], /Europe\/Amsterdam/);
    assert.match(
      questions[1],
      /Allowed when nobody is at the computer: files and system information\. The support app refuses everything else\./,
    );
    // The service grants just those (tool_grants.ts reads them from its service.json).
    const config = JSON.parse(await Deno.readTextFile(`${dataDir}/service.json`));
    assert.deepEqual(config.tools, ["files", "systemInfo"]);
    assert.ok(result.unit.startsWith(root), result.unit);
    assert.match(
      await Deno.readTextFile(result.unit),
      new RegExp(`ExecStart=${root}/opt/rescue-agent/app-[0-9a-f]{12}/remote-support --service`),
    );
    const key = await crypto.subtle.importKey("spki", b64(result.publicKey), "Ed25519", false, [
      "verify",
    ]);
    const message = approvalMessage({ ...request, deviceId: result.deviceId });
    assert.ok(
      await crypto.subtle.verify(
        "Ed25519",
        key,
        b64(result.signature),
        message as Uint8Array<ArrayBuffer>,
      ),
    );
    // The narrowed set is part of what was signed: widened, the signature does not check.
    const widened = approvalMessage({
      ...request,
      tools: ["control", "files", "systemInfo", "scripts", "reboot"],
      deviceId: result.deviceId,
    });
    assert.equal(
      await crypto.subtle.verify(
        "Ed25519",
        key,
        b64(result.signature),
        widened as Uint8Array<ArrayBuffer>,
      ),
      false,
    );
    assert.equal(result.credentialsKept, false);
    // The customer's own credentials: without a way to ask for them here, a clear refusal.
    await assert.rejects(
      handlers["unattended.install"]!({
        ...request,
        terms: { ...request.terms, authMode: "customer_credentials" },
      }, context(true)),
      (e) => e instanceof OpFailure && e.code === "no_credentials",
    );
    // With the window's form: typing them in is the approval; kept in the vault here; more
    // than two weeks refused by the agent itself before anything is asked.
    const asked: string[] = [];
    const withForm = unattendedRequestHandlers(env, {
      ports: unattendedPorts(env, {
        root,
        command: [agentBin],
        askCredentials: (detail) => {
          asked.push(detail);
          return Promise.resolve({ user: "carol", password: "pw-1", verified: false, note: "n" });
        },
      }),
      language: "en",
    });
    const day = 86_400_000;
    const credentials = (days: number) => ({
      ...request,
      terms: {
        ...request.terms,
        authMode: "customer_credentials" as const,
        kind: "days" as const,
        fromAt: new Date().toISOString(),
        untilAt: new Date(Date.now() + days * day).toISOString(),
      },
    });
    await assert.rejects(
      withForm["unattended.install"]!(credentials(15), context(true)),
      (e) => e instanceof OpFailure && e.code === "too_long",
    );
    assert.equal(asked.length, 0);
    const kept = await withForm["unattended.install"]!(credentials(7), context(true));
    assert.equal(kept.credentialsKept, true);
    assert.match(asked[0], /You give your sign-in credentials now/);
    assert.deepEqual(await fileVault(dataDir).read(new Date()), {
      user: "carol",
      password: "pw-1",
    });
  } finally {
    await Deno.remove(root, { recursive: true });
    await Deno.remove(dataDir, { recursive: true });
    await Deno.remove(download, { recursive: true });
  }
});

Deno.test("unattended.about on a Linux computer itself: root may install, anyone else is told not_elevated", async () => {
  const env = {
    os: "linux" as const,
    serverUrl: "http://127.0.0.1:8080",
    token: "tok_abcdefghijklmnop",
    dataDir: "/nowhere",
    log: () => {},
  };
  const about = (uid: number) =>
    unattendedRequestHandlers(env, {
      ports: unattendedPorts(env, { uid: () => uid }), // no root given: the real `/`
      language: "en",
    })["unattended.about"]!({ kind: "unattended.about" }, {} as never);
  assert.deepEqual(
    { ...(await about(1000)), timeZone: "" },
    { timeZone: "", canInstall: false, unavailable: "not_elevated" },
  );
  assert.equal((await about(0)).canInstall, true);
});
