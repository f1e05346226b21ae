// Over 400 lines on purpose: one end-to-end story against one agent on Xvfb (consent, copy both ways, rename, delete, synchronise, replicate, edit, a cut transfer, revoke); splitting it would start the agent several times.
/**
 * The file manager end to end, on real parts: the real agent program on an Xvfb display with its
 * own home folder (the customer's files, checked on disk), joined by PIN through a TCP proxy
 * whose network the test cuts; the real server; Chromium for the technician, the agent's window
 * and the customer's page.
 *
 * The technician's side is this browser's private storage (the origin private file system):
 * headless Chromium has the folder picker but nothing can answer it, and the private storage is
 * the same File System Access handle the picker gives — the product offers it as "Use this
 * browser's storage" — so every operation below runs through the same code as on a picked
 * folder. Its contents are read back from the page and hashed.
 */
import assert from "node:assert/strict";
import type { Page } from "playwright-core";
import { startTestApp } from "../support/app.ts";
import { clickAndWait, withBrowser } from "../support/browser.ts";
import { TECH_PASSWORD } from "../support/org.ts";
import { technician } from "../support/sessions.ts";
import { startTcpProxy } from "../support/tcp_proxy.ts";
import {
  customerFiles,
  diskTree,
  sha256,
  startedPinSession,
  step,
  storageTree,
  storageWrite,
  waitFor,
} from "../support/files_e2e.ts";
import { startXvfb } from "../../agent/platform/xvfb_test_support.ts";

const SHOTS = Deno.env.get("FILES_SHOTS") ?? "/tmp";
const BIG_MIB = 160;

type Job = {
  label: string;
  state: string;
  done: number;
  size: number;
  sha256?: string;
  files?: number;
};

function jobs(page: Page, sessionId: string): Promise<Job[]> {
  return page.evaluate(
    (id) =>
      (globalThis as unknown as { __fileManager: { jobs(id: string): Job[] } }).__fileManager.jobs(
        id,
      ),
    sessionId,
  );
}

/**
 * Waits until the action the technician started has ended (the status line no longer says
 * "Working…" and nothing is queued or running); returns the jobs it queued that did not end
 * verified, and all of them.
 */
async function settled(page: Page, sessionId: string, before: number, ms = 60_000) {
  let list: Job[] = [];
  await waitFor(`the transfers after #${before} to end`, async () => {
    list = await jobs(page, sessionId);
    const status = await page.locator(".fm-status").textContent() ?? "";
    return list.length > before && !/Working/.test(status) &&
      list.every((j) => !["queued", "running"].includes(j.state));
  }, ms).catch((error) => {
    throw new Error(`${error.message}: ${JSON.stringify(list)}`);
  });
  const mine = list.slice(before);
  return { failed: mine.filter((j) => j.state !== "done"), jobs: mine };
}

/** A row of a pane, by name. */
const row = (pane: "local" | "remote", name: string) =>
  `.fm-pane[data-pane=${pane}] .fm-entry[data-name="${name}"]`;

/** Drops the hidden entries (the panes do not show them unless asked). */
const shown = (tree: Record<string, string>) =>
  Object.fromEntries(
    Object.entries(tree).filter(([path]) => !path.split("/").some((p) => p.startsWith("."))),
  );

Deno.test({
  name:
    "e2e: the file manager on Xvfb — consent, copy both ways, rename, delete, sync, replicate, edit, cut and resume, revoke",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const xvfb = await startXvfb({ width: 1280, height: 720 });
    const work = await Deno.makeTempDir({ prefix: "rescue-files-e2e-" });
    const home = `${work}/home`;
    await Deno.mkdir(home, { recursive: true });
    await customerFiles(home, BIG_MIB);
    const t = await startTestApp();
    let agent: Deno.ChildProcess | null = null;
    let output: string[] = [];
    try {
      const ann = await technician(t, { name: "Ann" });
      await withBrowser(t, async ({ base, newPage }) => {
        const proxy = await startTcpProxy(Number(new URL(base).port));
        const agentServer = `http://127.0.0.1:${proxy.port}`;
        (t.deps.config as { publicUrl: string }).publicUrl = agentServer;
        try {
          const tech = await newPage();
          await tech.setViewportSize({ width: 1366, height: 768 });
          await tech.goto(`${base}/signin`);
          await tech.fill("#email", ann.email);
          await tech.fill("#password", TECH_PASSWORD);
          await clickAndWait(tech, "button[type=submit]");

          const { created, id, appWindow } = await startedPinSession(
            t.deps,
            ann,
            newPage,
            { server: agentServer, display: xvfb.display, stateDir: `${work}/agent-state`, home },
            (run) => {
              agent = run.agent;
              output = run.output;
            },
          );
          const customer = await newPage();
          await customer.goto(`${base}/s/${created.session.token}`);
          step("session started, agent attached");

          // ---- the File manager tab; the technician's side is the browser's storage ----
          await tech.goto(`${base}/console/sessions/${id}`);
          await tech.click(`#ws-tab-filemanager-${id}`);
          const fm = tech.locator(`#files-${id}`);
          await fm.locator(".fm-consent[data-consent=off]").waitFor();
          await fm.locator(".fm-storage").click();
          await fm.locator(".fm-pane[data-pane=local] .fm-path-input").waitFor();
          assert.equal(
            await fm.locator(".fm-pane[data-pane=local] .fm-path-input").inputValue(),
            "Browser storage",
          );

          // ---- consent: asked in the console, answered in the agent's window ----
          await fm.locator(".fm-ask").click();
          await fm.locator(".fm-consent[data-consent=asked]").waitFor();
          await appWindow.locator("#allow-files").click();
          await fm.locator(".fm-consent[data-consent=granted]").waitFor();
          await fm.locator(row("remote", "project")).waitFor();
          assert.equal(
            await fm.locator(".fm-pane[data-pane=remote] .fm-path-input").inputValue(),
            home,
            "the customer's side opens at the home folder",
          );
          await customer.locator("#files-open").waitFor({ state: "visible" });
          step("files allowed; the customer's page says the file manager is open");

          // ---- a folder tree from the customer to the technician ----
          await fm.locator(row("remote", "project")).click();
          await fm.locator(".fm-copy").click();
          const tree = await settled(tech, id, 0);
          assert.deepEqual(tree.failed, []);
          assert.equal(tree.jobs.length, 1, "a folder crosses as one bundle");
          assert.equal(tree.jobs[0].files, 4, "its four files verified");
          const project = shown(await diskTree(`${home}/project`));
          assert.deepEqual(
            await storageTree(tech, "project"),
            project,
            "the tree arrived, hashes equal",
          );
          assert.equal(
            Object.keys(project).length,
            7,
            "4 files and 3 folders, the hidden file not asked for",
          );
          await fm.locator(row("local", "project")).waitFor();
          step("folder tree copied to the technician, hashes equal");

          // ---- a file back: added to the browser's storage, copied to the customer ----
          const upload = `${work}/from-tech.txt`;
          await Deno.writeTextFile(upload, "from the technician\n".repeat(1000));
          await fm.locator(".fm-upload input[type=file]").setInputFiles(upload);
          await fm.locator(row("local", "from-tech.txt")).click();
          await fm.locator(".fm-copy").click();
          assert.deepEqual((await settled(tech, id, 1)).failed, []);
          assert.equal(
            await sha256(await Deno.readFile(`${home}/from-tech.txt`)),
            await sha256(await Deno.readFile(upload)),
          );
          const [back] = (await jobs(tech, id)).filter((j) => j.label === "from-tech.txt");
          assert.equal(
            back.sha256,
            await sha256(await Deno.readFile(upload)),
            "the queue shows the hash",
          );
          step("a file copied back to the customer, hash equal");

          // ---- rename (F2) and delete (Delete) on the customer's side ----
          await fm.locator(row("remote", "from-tech.txt")).click();
          await tech.keyboard.press("F2");
          await tech.locator(".fm-prompt-input").fill("renamed.txt");
          await tech.keyboard.press("Enter");
          await fm.locator(row("remote", "renamed.txt")).waitFor();
          assert.ok(await Deno.stat(`${home}/renamed.txt`));
          await assert.rejects(Deno.stat(`${home}/from-tech.txt`));
          await fm.locator(row("remote", "renamed.txt")).click();
          await tech.keyboard.press("Delete");
          assert.match(await tech.locator(".fm-confirm").textContent() ?? "", /renamed\.txt/);
          await tech.locator(".fm-confirm-ok").click();
          await fm.locator(row("remote", "renamed.txt")).waitFor({ state: "detached" });
          await assert.rejects(Deno.stat(`${home}/renamed.txt`));
          assert.ok(
            await Deno.stat(`${home}/.local/share/Trash/files/renamed.txt`),
            "deleted into the customer's trash",
          );
          step("renamed and deleted (to the trash) on the customer's side");

          // ---- synchronise both project folders: newer wins, both ways ----
          await fm.locator(row("remote", "project")).dblclick();
          await fm.locator(row("remote", "a.txt")).waitFor();
          await fm.locator(row("local", "project")).dblclick();
          await fm.locator(row("local", "a.txt")).waitFor();
          await new Promise((r) => setTimeout(r, 2_100)); // newer beyond the 2-s tolerance
          await Deno.writeTextFile(
            `${home}/project/a.txt`,
            "alpha, changed on the customer's side\n",
          );
          await storageWrite(tech, "project/sub/tech-new.txt", "new on the technician's side\n");
          const beforeSync = (await jobs(tech, id)).length;
          await fm.locator(".fm-sync").click();
          const sync = await settled(tech, id, beforeSync);
          assert.deepEqual(sync.failed, []);
          assert.deepEqual(sync.jobs.map((j) => j.label).sort(), [
            `${home}/project/a.txt`,
            "project/sub/tech-new.txt",
          ]);
          assert.match(await fm.locator(".fm-status").textContent() ?? "", /already the same/);
          const synced = shown(await diskTree(`${home}/project`));
          assert.deepEqual(await storageTree(tech, "project"), synced);
          assert.equal(
            await Deno.readTextFile(`${home}/project/sub/tech-new.txt`),
            "new on the technician's side\n",
          );
          step("synchronised both ways, trees equal");

          // ---- replicate the customer's folder onto the technician's: extras listed, deleted ----
          await storageWrite(tech, "project/extra.tmp", "only here\n");
          await fm.locator(".fm-pane[data-pane=local] .fm-refresh").click();
          await fm.locator(row("local", "extra.tmp")).waitFor();
          await fm.locator(row("remote", "a.txt")).click(); // the customer's pane is the source
          await fm.locator(".fm-replicate").click();
          await tech.locator(".fm-confirm-list").waitFor();
          assert.deepEqual(await tech.locator(".fm-confirm-list li").allTextContents(), [
            "extra.tmp",
          ]);
          await tech.locator(".fm-confirm-ok").click();
          await fm.locator(row("local", "extra.tmp")).waitFor({ state: "detached" });
          assert.deepEqual(
            await storageTree(tech, "project"),
            shown(await diskTree(`${home}/project`)),
          );
          step("replicated after confirming the one deletion");

          // ---- edit a text file in place ----
          await fm.locator(".fm-pane[data-pane=remote] .fm-up").click();
          await fm.locator(row("remote", "notes.txt")).click();
          await tech.keyboard.press("F4");
          const editor = tech.locator(".fm-editor-text");
          assert.equal(await editor.inputValue(), "line one\nline two\n");
          await editor.fill("line one\nline two, edited in the browser\n");
          await tech.locator(".fm-editor-save").click();
          await tech.locator(".fm-editor-status", { hasText: "Saved." }).waitFor();
          assert.equal(
            await Deno.readTextFile(`${home}/notes.txt`),
            "line one\nline two, edited in the browser\n",
          );
          await tech.keyboard.press("Escape");
          step("text file edited and saved");

          // ---- a large transfer whose agent connection is cut in the middle resumes ----
          await fm.locator(".fm-pane[data-pane=local] .fm-up").click();
          await fm.locator(row("local", "project")).waitFor();
          await fm.locator(row("remote", "big.bin")).click();
          const before = (await jobs(tech, id)).length;
          await fm.locator(".fm-copy").click();
          await waitFor("a quarter of big.bin", async () => {
            const job = (await jobs(tech, id))[before];
            return Boolean(job && job.done > job.size / 4);
          }, 60_000);
          await tech.setViewportSize({ width: 1366, height: 768 });
          await tech.screenshot({ path: `${SHOTS}/files_transfer_1366.png` });
          await customer.locator("#files-transfers li").first().waitFor();
          assert.match(await customer.locator("#files-transfers").textContent() ?? "", /big\.bin/);
          const cutAt = (await jobs(tech, id))[before].done;
          proxy.cut();
          await new Promise((r) => setTimeout(r, 1_500));
          proxy.restore();
          assert.deepEqual((await settled(tech, id, before, 120_000)).failed, []);
          const bigJob = (await jobs(tech, id))[before];
          const bigHash = await sha256(await Deno.readFile(`${home}/big.bin`));
          assert.equal(bigJob.sha256, bigHash);
          assert.equal((await storageTree(tech, ""))["big.bin"], bigHash, "the copy is whole");
          assert.ok(cutAt < bigJob.size, `cut at ${cutAt} of ${bigJob.size}`);
          step(`cut at ${(cutAt / 2 ** 20).toFixed(0)} MiB of ${BIG_MIB}, resumed, hash equal`);

          // ---- screenshots of the tab ----
          for (const size of [{ width: 1366, height: 768 }, { width: 1920, height: 1080 }]) {
            await tech.setViewportSize(size);
            await tech.waitForTimeout(200);
            await tech.screenshot({ path: `${SHOTS}/files_${size.width}.png` });
          }
          await tech.setViewportSize({ width: 1366, height: 768 });
          await fm.locator(".fm-help-button").click();
          await tech.screenshot({ path: `${SHOTS}/files_help_1366.png` });
          await tech.keyboard.press("Escape");

          // ---- the customer takes it back: the next operation is refused ----
          await appWindow.locator("#stop-files").click();
          await fm.locator(".fm-consent[data-consent=revoked]").waitFor();
          const refused = await tech.evaluate(async (path) => {
            const response = await fetch(path);
            return { status: response.status, body: await response.json() };
          }, `/console/sessions/${id}/file-manager/list?path=${encodeURIComponent(home)}`);
          assert.equal(refused.status, 409);
          assert.equal(refused.body.error, "not_granted");
          await customer.locator("#files-activity[data-open=false]").waitFor({ state: "attached" });
          assert.equal(await customer.locator("#files-open").isVisible(), false);
          step("revoked: the next operation is refused");

          const ours = tech.errors.filter((e) => /Content Security Policy|pageerror/.test(e));
          assert.deepEqual(ours, []);
        } finally {
          await proxy.close();
        }
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
