/**
 * The real support app (`agent/main.ts`) in a browser end-to-end test: started on an Xvfb
 * display, joined by PIN, its output kept, and the address of its own window (its `PAGE` line)
 * once it prints it — rejected with the output if it exits first.
 */
import type { Page } from "playwright-core";
import type { AppDeps } from "../../modules/http/mod.ts";
import { findByToken } from "../../modules/support/mod.ts";
import { clickAndWait } from "./browser.ts";
import { TECH_PASSWORD } from "./org.ts";

export function runAgent(
  options: {
    pin: string;
    server: string;
    display: string;
    stateDir: string;
    /** The customer's home folder (default: this process's). */
    home?: string;
    env?: Record<string, string>;
    /** A folder with another copy of the app's sources (`agent/`, `protocol/`, deno.json). */
    appDir?: string;
  },
) {
  const home: Record<string, string> = options.home
    ? {
      HOME: options.home,
      XDG_DATA_HOME: `${options.home}/.local/share`,
      XDG_CONFIG_HOME: `${options.home}/.config`,
    }
    : {};
  const agent = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "agent/main.ts",
      "--pin",
      options.pin,
      "--server",
      options.server,
      "--no-open",
      "--state-dir",
      options.stateDir,
    ],
    env: { DISPLAY: options.display, LANG: "en_US.UTF-8", ...home, ...options.env },
    cwd: options.appDir,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const output: string[] = [];
  const page = Promise.withResolvers<string>();
  const collect = async (stream: ReadableStream<Uint8Array>) => {
    const lines = stream.pipeThrough(
      new TextDecoderStream() as unknown as TransformStream<Uint8Array, string>,
    );
    for await (const line of lines) {
      output.push(line);
      if (Deno.env.get("E2E_VERBOSE")) console.log(`  · agent: ${line.trim()}`);
      const match = /PAGE (\S+)/.exec(line);
      if (match) page.resolve(match[1]);
    }
  };
  collect(agent.stdout);
  collect(agent.stderr);
  agent.status.then((status) =>
    page.reject(new Error(`the agent exited (${status.code}): ${output.join("")}`))
  );
  return { agent, page: page.promise, output };
}

/** The console's queue row of a session. */
export const queueRow = (id: string) => `#queue tbody tr[data-session="${id}"]`;

/**
 * In the technician's console: waits until the agent brought the session to Waiting, starts it,
 * waits for Active and opens its workspace; the workspace's locator.
 */
export async function startFromQueue(tech: Page, sessionId: string) {
  await tech.locator(`${queueRow(sessionId)}[data-status="waiting"]`).waitFor({
    state: "attached",
    timeout: 20_000,
  });
  await tech.click(`${queueRow(sessionId)} button[data-action=start]`);
  await tech.locator(`${queueRow(sessionId)}[data-status="active"]`).waitFor({ state: "attached" });
  await tech.locator(`#session-tabs [data-tab-session="${sessionId}"]`).click();
  return tech.locator(`#session-${sessionId}`);
}

/**
 * A session made the way a technician makes one — New session → PIN code in the console,
 * for the customer Carol — with the real support app joined by its code on `display` and
 * the app's own window open on its consent page. The technician's page stays on the console.
 */
export async function pinSessionWithAgent<P extends Page>(
  deps: AppDeps,
  tech: Page,
  newPage: () => Promise<P>,
  options: { base: string; display: string; stateDir: string; appDir?: string },
) {
  await tech.waitForFunction(() => "htmx" in globalThis);
  await tech.click("button[data-method=pin]");
  await tech.fill("#ns-name", "Carol");
  await tech.click("#new-session-form button[type=submit]");
  const pin = (await tech.locator("#created-pin").textContent())!.trim();
  const link = (await tech.locator("#created-link").textContent())!.trim();
  const session = (await findByToken(deps, link.split("/s/")[1]))!;
  const customerApp = runAgent({
    pin,
    server: options.base,
    display: options.display,
    stateDir: options.stateDir,
    appDir: options.appDir,
  });
  const appWindow = await newPage();
  await appWindow.goto(await customerApp.page);
  await appWindow.locator("#consent").waitFor();
  return { pin, link, session, customerApp, appWindow };
}

/**
 * The end of an agent e2e test, whatever happened: the support app stopped, the test app
 * closed, the Xvfb display and the work folder gone.
 */
export async function closeAgentWorld(parts: {
  agent: Deno.ChildProcess | null;
  app: { close(): Promise<void> };
  xvfb: { stop(): Promise<void> };
  work: string;
}) {
  if (parts.agent) {
    try {
      parts.agent.kill();
    } catch { /* gone */ }
    await parts.agent.status;
  }
  await parts.app.close();
  await parts.xvfb.stop();
  await Deno.remove(parts.work, { recursive: true }).catch(() => {});
}

/**
 * The usual start of a remote-view e2e story: the technician `tech` signed in on a new page at
 * 1366×768 (the app's public address is the browser's), a PIN session the real support app
 * joined on `options.display` (`started` gets its process at once, for the test's clean-up),
 * started from the queue; the page, the session, the app's window and the workspace.
 */
export async function signedInWithAgentSession<P extends Page>(
  run: { t: { deps: AppDeps }; base: string; newPage: () => Promise<P> },
  tech: { email: string },
  options: {
    display: string;
    stateDir: string;
    started: (agent: Deno.ChildProcess) => void;
    /** The support app's sources from another folder (an older app: runAgent's `appDir`). */
    appDir?: string;
  },
) {
  const { t, base, newPage } = run;
  (t.deps.config as { publicUrl: string }).publicUrl = base;
  const page = await newPage();
  page.setDefaultTimeout(30_000);
  await page.setViewportSize({ width: 1366, height: 768 });
  await page.goto(`${base}/signin`);
  await page.fill("#email", tech.email);
  await page.fill("#password", TECH_PASSWORD);
  await clickAndWait(page, "button[type=submit]");
  const made = await pinSessionWithAgent(t.deps, page, newPage, {
    base,
    display: options.display,
    stateDir: options.stateDir,
    appDir: options.appDir,
  });
  options.started(made.customerApp.agent);
  const space = await startFromQueue(page, made.session.id);
  return { page, space, ...made };
}

/**
 * A downloaded package's launcher (`<dir>/rescue-agent.sh --no-open`) started as a customer
 * starts it — a clean environment, nothing but `env` — its stdout and stderr pushed to `output`
 * as they come.
 */
export function startLauncher(dir: string, env: Record<string, string>, output: string[]) {
  const agent = new Deno.Command(`${dir}/rescue-agent.sh`, {
    args: ["--no-open"],
    clearEnv: true,
    env,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const collect = async (stream: ReadableStream<Uint8Array>) => {
    for await (
      const chunk of stream.pipeThrough(
        new TextDecoderStream() as unknown as TransformStream<Uint8Array, string>,
      )
    ) output.push(chunk);
  };
  collect(agent.stdout);
  collect(agent.stderr);
  return agent;
}
