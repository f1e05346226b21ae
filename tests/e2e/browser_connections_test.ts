/**
 * A technician's browser must not run out of connections to the server over plain http.
 * Chromium opens at most 6 HTTP/1.1 connections per host and profile; every server-sent-event
 * stream and every long request holds one for as long as it lasts (WebSockets do not count).
 * Here, in one browser context (one profile) on the product's plain-http address: the console
 * with a session's workspace — its File manager tab (files allowed, a download in progress)
 * and the System tab beside it — a detached file-manager window and a detached remote-view
 * window of the same session, in a group that tells its technicians when they are monitored
 * (the console listens for the notice): what a technician plausibly has open at once. A console request
 * must still answer at once. With two streams per file manager (consent and transfers) that
 * was seven held connections: the request, and every later one, queued behind them for ever
 * (without the System tab five were held, so one more stream of any kind hung the console).
 * A tab out of sight holds no stream: the System tab's closes while another tab shows (it
 * stayed open for as long as the workspace did) and opens again with the tab.
 * Real parts: the agent program on Xvfb, the server, Chromium.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { startTestApp } from "../support/app.ts";
import { clickAndWait, withBrowser } from "../support/browser.ts";
import { TECH_PASSWORD } from "../support/org.ts";
import { technician } from "../support/sessions.ts";
import { customerFiles, startedPinSession, step, waitFor } from "../support/files_e2e.ts";
import { startXvfb } from "../../agent/platform/xvfb_test_support.ts";
import { findByToken } from "../../modules/support/mod.ts";
import { toolConsent } from "../../modules/remote/mod.ts";
import { eq } from "drizzle-orm";
import { defaultGroupSettings, technicianGroups } from "../../modules/org/mod.ts";

/**
 * The requests a page has under way (Chrome's own record, CDP `Network`; WebSockets are not
 * requests there), each as "TYPE METHOD path".
 */
async function openRequests(page: Page): Promise<() => string[]> {
  const cdp = await page.context().newCDPSession(page);
  const open = new Map<string, string>();
  cdp.on("Network.requestWillBeSent", (e) => {
    const path = new URL(e.request.url).pathname.replace(/[0-9a-f-]{36}/, ":id");
    open.set(e.requestId, `${e.type} ${e.request.method} ${path}`);
  });
  cdp.on("Network.loadingFinished", (e) => open.delete(e.requestId));
  cdp.on("Network.loadingFailed", (e) => open.delete(e.requestId));
  await cdp.send("Network.enable");
  return () => [...open.values()];
}

Deno.test({
  name: "e2e: console, workspace file manager with a download, detached file manager and remote " +
    "view in one browser — a console request still answers at once over http/1.1",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const xvfb = await startXvfb({ width: 1024, height: 640 });
    const work = await Deno.makeTempDir({ prefix: "rescue-connections-e2e-" });
    const home = `${work}/home`;
    await Deno.mkdir(home, { recursive: true });
    await customerFiles(home, 160);
    const t = await startTestApp();
    let agent: Deno.ChildProcess | null = null;
    let output: string[] = [];
    try {
      const ann = await technician(t, { name: "Ann" });
      // Ann's group tells her when she is monitored: the console listens for the notice.
      await t.deps.db.update(technicianGroups).set({
        settings: { ...defaultGroupSettings(), monitoringNotice: true },
      }).where(eq(technicianGroups.id, ann.groupId!));
      await withBrowser(t, async ({ base, newPage }) => {
        assert.match(base, /^http:\/\//, "plain http: HTTP/1.1, six connections per host");
        (t.deps.config as { publicUrl: string }).publicUrl = base;
        const tech = await newPage();
        const techOpen = await openRequests(tech);
        await tech.setViewportSize({ width: 1366, height: 768 });
        await tech.goto(`${base}/signin`);
        await tech.fill("#email", ann.email);
        await tech.fill("#password", TECH_PASSWORD);
        await clickAndWait(tech, "button[type=submit]");

        const { created, id, appWindow } = await startedPinSession(
          t.deps,
          ann,
          newPage,
          { server: base, display: xvfb.display, stateDir: `${work}/agent-state`, home },
          (run) => {
            agent = run.agent;
            output = run.output;
          },
        );

        // ---- the console with the session's workspace, its File manager tab, files allowed ----
        await tech.goto(`${base}/console`);
        await tech.locator(`#session-tabs [data-tab-session="${id}"]`).click();
        await tech.click(`#ws-tab-filemanager-${id}`);
        const fm = tech.locator(`#files-${id}`);
        await fm.locator(".fm-ask").click();
        await appWindow.locator("#allow-files").click();
        await fm.locator(".fm-consent[data-consent=granted]").waitFor();
        await fm.locator(`.fm-pane[data-pane=remote] .fm-entry[data-name="big.bin"]`).waitFor();
        // The System tab beside it (its own live view of the customer's computer).
        await tech.click(`#ws-${id} [role=tab][data-tool="system"]`);
        await tech.locator(`#ws-${id} [data-sysinfo="${id}"]`).waitFor();
        step("console, workspace: file manager with files allowed, System tab beside it");

        // ---- a download in progress: its data request stays open while bytes are taken ----
        const holding = await tech.evaluate(async ({ files, path }) => {
          const headers = { "content-type": "application/json", accept: "application/json" };
          const csrf = document.querySelector<HTMLElement>(".file-manager")?.dataset.csrf ?? "";
          const opened = await fetch(`${files}/downloads`, {
            method: "POST",
            headers: { ...headers, "x-csrf-token": csrf },
            body: JSON.stringify({ path }),
          }).then((r) => r.json());
          const response = await fetch(`${files}/transfers/${opened.id}/data?from=0`);
          const reader = response.body!.getReader();
          const first = await reader.read();
          // Read no further (a slow disk): the request stays open, the transfer running.
          (globalThis as unknown as { held: unknown }).held = reader;
          return first.value?.byteLength ?? 0;
        }, { files: `/console/sessions/${id}/file-manager`, path: `${home}/big.bin` });
        assert.ok(holding > 0, "the download's first bytes came");
        step("a download in progress");

        // ---- a detached file manager and a detached remote view, same browser profile ----
        const files = await tech.context().newPage();
        const filesOpen = await openRequests(files);
        const remote = await tech.context().newPage();
        const remoteOpen = await openRequests(remote);
        // Not awaited on its own: with no connection left a window never loads.
        const loading = Promise.allSettled([
          files.goto(`${base}/console/sessions/${id}/file-manager-window`),
          remote.goto(`${base}/console/sessions/${id}/remote`),
        ]);
        await Promise.race([loading, new Promise((resolve) => setTimeout(resolve, 5_000))]);
        await files.waitForTimeout(1_000);
        const held = {
          console: techOpen(),
          detachedFiles: filesOpen(),
          detachedRemote: remoteOpen(),
        };
        console.log(`  · open requests: ${JSON.stringify(held, null, 1)}`);

        // ---- a console request answers at once (it answers in tens of ms; the limit leaves room
        // for a loaded CI machine — with no connection left it never answers) ----
        const ms = await tech.evaluate(async () => {
          const started = performance.now();
          const response = await fetch("/console", {
            cache: "no-store",
            signal: AbortSignal.timeout(10_000),
          }).catch(() => null);
          return response?.ok ? performance.now() - started : Infinity;
        });
        assert.ok(
          ms < 5_000,
          `a console request took ${ms} ms with these requests open: ${JSON.stringify(held)}`,
        );
        // Both windows work: the remote view is there, the file manager has its consent state
        // and a listing.
        await loading;
        await remote.locator(".remote-view").waitFor();
        await files.locator(".fm-consent[data-consent=granted]").waitFor();
        await files.locator(`.fm-pane[data-pane=remote] .fm-entry[data-name="big.bin"]`)
          .waitFor();
        await tech.screenshot({ path: "/tmp/shots/I-console.png" });

        // ---- a tab out of sight holds no stream: the System tab's goes while Chat shows ----
        const session = (await findByToken(t.deps, created.session.token))!;
        const followers = () => toolConsent(t.deps, session).listeners.size;
        const shown = followers();
        await tech.click(`#ws-${id} [role=tab][data-tool="chat"]`);
        await waitFor("the hidden System tab's stream closed", () => followers() === shown - 1);
        await tech.click(`#ws-${id} [role=tab][data-tool="system"]`);
        await waitFor("the System tab's stream back", () => followers() === shown);
        await tech.locator(`#ws-${id} [data-sysinfo="${id}"] .sysinfo-ask`).waitFor();
        await files.screenshot({ path: "/tmp/shots/I-files-window.png" });
        step(`a console request answered in ${Math.round(ms)} ms`);
      });
    } catch (error) {
      console.error(output.join("").slice(-4000));
      throw error;
    } finally {
      if (agent) {
        try {
          (agent as Deno.ChildProcess).kill("SIGTERM");
          await (agent as Deno.ChildProcess).status;
        } catch { /* gone already */ }
      }
      await t.close();
      await xvfb.stop();
      await Deno.remove(work, { recursive: true }).catch(() => {});
    }
  },
});
