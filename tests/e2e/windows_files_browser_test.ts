// e2e: the technician's file manager on a Windows customer. The real file handlers run in the
// official Windows Deno under Wine (agent/files/windows_files_relay_fixture.ts, bundled as the
// app is); a stand-in agent connection on this side says hello as Windows and relays the
// server's file operations to them (their data legs go to the server themselves). Chromium:
// the customer's side opens at C:\users\<name>, the places offer the drives C: and Z:, C:\ is
// a root (no Up), a folder opens and Up comes back, a file copied to the technician arrives.
// Screenshots in $WINDOWS_FILES_SHOTS at 1366×768 and 1920×1080.
import assert from "node:assert/strict";
import { join } from "node:path";
import { startTestApp } from "../support/app.ts";
import { clickAndWait, withBrowser } from "../support/browser.ts";
import { makeGroup, makePerson, TECH_PASSWORD } from "../support/org.ts";
import { workingSession } from "../support/sessions.ts";
import { until } from "../support/files_agent.ts";
import { toCurrentUser } from "../../modules/auth/mod.ts";
import type { Permission } from "../../modules/permissions/mod.ts";
import { remoteHub } from "../../modules/remote/mod.ts";
import { Agent, type EncoderLike } from "../../agent/agent.ts";
import { AgentConnection } from "../../agent/connection.ts";
import { OpFailure, type OpHandlers } from "../../agent/ops/mod.ts";
import type { Desktop, Frame } from "../../agent/platform/types.ts";
import { FILE_OPS } from "../../protocol/files.ts";
import { startXvfb } from "../../agent/platform/xvfb_test_support.ts";
import { startWine, wineMissing } from "../../agent/platform/wine_test_support.ts";

const missing = await wineMissing();
if (missing) console.warn(`windows_files_browser_test: ${missing} — ignored`);
const SHOTS = Deno.env.get("WINDOWS_FILES_SHOTS");
const RELAY = new URL("../../agent/files/windows_files_relay_fixture.ts", import.meta.url).pathname;
const PERMISSIONS: Permission[] = ["startPrivate", "methodLink", "fileManager"];

const frame: Frame = { width: 64, height: 48, stride: 256, data: new Uint8Array(64 * 48 * 4) };
const desktop: Desktop = {
  width: 64,
  height: 48,
  grab: () => frame,
  cursor: () => null,
  pointer: () => {},
  button: () => {},
  wheel: () => {},
  key: () => {},
  ctrlAltDel: () => null,
  clipboardRead: () => Promise.resolve(""),
  clipboardWrite: () => Promise.resolve(),
  keyboardLayout: () => "us",
  close: () => {},
};
const encoder = (): EncoderLike => ({
  encode: () => ({ data: new Uint8Array([1]), keyframe: true }),
  setPreset: () => {},
  close: () => {},
});

type Bundle = (options: Record<string, unknown>) => Promise<{
  success: boolean;
  errors: { text: string }[];
  outputFiles?: { path: string; contents?: Uint8Array }[];
}>;

/** The Windows handlers' process and, on this side, handlers that ask it. */
function relay(child: Deno.ChildProcess): { ready: Promise<void>; ops: OpHandlers } {
  const writer = child.stdin.getWriter();
  const waiting = new Map<number, {
    done: (value: unknown) => void;
    fail: (error: unknown) => void;
    emit: (event: unknown) => void;
  }>();
  const ready = Promise.withResolvers<void>();
  (async () => {
    let pending = "";
    for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
      pending += chunk;
      for (let at = pending.indexOf("\n"); at >= 0; at = pending.indexOf("\n")) {
        const line = pending.slice(0, at);
        pending = pending.slice(at + 1);
        if (!line.startsWith("{")) continue;
        const message = JSON.parse(line);
        if (message.ready) ready.resolve();
        const call = waiting.get(message.id);
        if (!call) continue;
        if (message.event) call.emit(message.event);
        else if (message.error) {
          waiting.delete(message.id);
          call.fail(new OpFailure(message.error.code, message.error.message));
        } else {
          waiting.delete(message.id);
          call.done(message.result);
        }
      }
    }
    const gone = new Error("the Windows handlers' process ended");
    ready.reject(gone);
    for (const call of waiting.values()) call.fail(gone);
  })();
  let next = 1;
  const ops: Record<string, unknown> = {};
  for (const spec of FILE_OPS) {
    ops[spec.kind] = (request: unknown, ctx: { emit: (event: unknown) => void }) =>
      new Promise((done, fail) => {
        const id = next++;
        waiting.set(id, { done, fail, emit: (event) => ctx.emit(event) });
        writer.write(
          new TextEncoder().encode(JSON.stringify({ id, kind: spec.kind, request }) + "\n"),
        );
      });
  }
  return { ready: ready.promise, ops: ops as OpHandlers };
}

Deno.test({
  name: "e2e: the file manager on a Windows customer (handlers under Wine) — drives, C:\\, a copy",
  ignore: missing !== null,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const bundled = await (Deno as unknown as { bundle: Bundle }).bundle({
      entrypoints: [RELAY],
      outputDir: "/relay",
      platform: "deno",
      format: "esm",
      minify: false,
      write: false,
    });
    const code = bundled.outputFiles?.find((f) => f.path.endsWith(".js"))?.contents;
    assert.ok(bundled.success && code, bundled.errors.map((e) => e.text).join("; "));
    const work = await Deno.makeTempDir({ prefix: "winfiles-e2e-" });
    await Deno.writeFile(join(work, "relay.js"), code);
    const xvfb = await startXvfb({ width: 800, height: 600 });
    const wine = await startWine(xvfb.display);
    const drive = join(wine.prefix, "drive_c");
    await Deno.mkdir(join(drive, "Shared", "Invoices 2026"), { recursive: true });
    await Deno.writeTextFile(join(drive, "Shared", "readme.txt"), "Read me, from Windows\r\n");
    const t = await startTestApp();
    let child: Deno.ChildProcess | undefined;
    try {
      await withBrowser(t, async ({ base, newPage }) => {
        const group = await makeGroup(t, { permissions: PERMISSIONS });
        const person = await makePerson(t, { groupId: group.id });
        const user = {
          ...toCurrentUser(person),
          permissions: new Set(PERMISSIONS),
          groupId: group.id,
        };
        const session = await workingSession(t, user);
        child = new Deno.Command("/usr/lib/wine/wine64", {
          args: [
            wine.deno,
            "run",
            "--no-config",
            "-A",
            wine.winPath(join(work, "relay.js")),
            base,
            session.token,
            "C:\\agent-data",
          ],
          env: wine.env,
          stdin: "piped",
          stdout: "piped",
          stderr: "null",
        }).spawn();
        const { ready, ops } = relay(child);
        await ready;
        const agent = new Agent({ desktop, encoder, ops });
        const connection = new AgentConnection({
          url: `${base.replace("http", "ws")}/agent/ws`,
          hello: {
            token: session.token,
            deviceId: "windows-files-e2e-0001",
            os: "windows",
            language: "en",
            agentVersion: "test",
            screen: { width: 64, height: 48 },
          },
          agent,
          log: () => {},
        });
        connection.start();
        try {
          await until(
            "the agent attached",
            () => remoteHub(t.deps).find(session.id)?.agent != null,
          );
          const tech = await newPage();
          await tech.setViewportSize({ width: 1366, height: 768 });
          await tech.goto(`${base}/signin`);
          await tech.fill("#email", person.email);
          await tech.fill("#password", TECH_PASSWORD);
          await clickAndWait(tech, "button[type=submit]");
          const id = session.id;
          await tech.goto(`${base}/console/sessions/${id}`);
          const fm = tech.locator(`#files-${id}`);
          await fm.locator(".fm-consent[data-consent=off]").waitFor();
          await fm.locator(".fm-storage").click();
          await fm.locator(".fm-ask").click();
          await until(
            "the question",
            () => agent.customerState.questions.some((q) => q.capability === "files"),
          );
          const question = agent.customerState.questions.find((q) => q.capability === "files")!;
          assert.ok(agent.answer("files", question.id, true).ok);
          await fm.locator(".fm-consent[data-consent=granted]").waitFor();
          const remote = fm.locator(".fm-pane[data-pane=remote]");
          const path = remote.locator(".fm-path-input");
          const row = (name: string) => remote.locator(`.fm-entry[data-name="${name}"]`);
          await row("Documents").waitFor({ timeout: 30_000 });
          assert.equal(await path.inputValue(), "C:\\users\\root", "opens at the profile");
          const places = await remote.locator(".fm-places option").allTextContents();
          for (const place of ["C:", "Z:", "Desktop", "Documents", "Downloads", "Pictures"]) {
            assert.ok(places.includes(place), `${place} in ${places.join(", ")}`);
          }
          // C:\ from the places: a root, whose Up is off.
          await remote.locator(".fm-places").selectOption({ label: "C:" });
          await row("Shared").waitFor();
          assert.equal(await path.inputValue(), "C:\\");
          assert.ok(await remote.locator(".fm-up").isDisabled(), "no Up at C:\\");
          if (SHOTS) await tech.screenshot({ path: `${SHOTS}/windows-files-c-1366.png` });
          await row("Shared").dblclick();
          await row("readme.txt").waitFor();
          assert.equal(await path.inputValue(), "C:\\Shared");
          // A copy to the technician (the browser's storage): the bytes cross from Windows.
          await row("readme.txt").click();
          await fm.locator(".fm-copy").click();
          await fm.locator('.fm-pane[data-pane=local] .fm-entry[data-name="readme.txt"]')
            .waitFor({ timeout: 30_000 });
          await tech.setViewportSize({ width: 1920, height: 1080 });
          if (SHOTS) await tech.screenshot({ path: `${SHOTS}/windows-files-shared-1920.png` });
          await remote.locator(".fm-up").click();
          await row("Shared").waitFor();
          assert.equal(await path.inputValue(), "C:\\");
        } finally {
          connection.end("test over");
          agent.stop();
        }
      });
    } finally {
      await wine.stop();
      if (child) await child.status;
      await t.close();
      await xvfb.stop();
      await Deno.remove(work, { recursive: true }).catch(() => {});
    }
  },
});
