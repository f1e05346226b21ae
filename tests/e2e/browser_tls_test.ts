/**
 * The server speaks HTTPS itself (TLS_CERT_FILE/TLS_KEY_FILE), on real parts: a throwaway CA
 * and a certificate for localhost/127.0.0.1 made now with openssl, the server's own listener
 * (`modules/listen`, what main.ts runs) over the real app on PGlite, Chromium trusting exactly
 * that certificate (`--ignore-certificate-errors-spki-list`, its public key's hash — no blanket
 * ignore), and the real support app on Xvfb trusting the test CA through `DENO_CERT`.
 * The pages come over HTTP/2 (`nextHopProtocol` "h2": console, file-manager window, the
 * customer's PIN page); the agent's socket (wss, from Deno) and the viewer's (a browser's
 * WebSocket, which Chromium opens over HTTP/1.1 beside the h2 connection) both work: the
 * technician sees the desktop's colour. With the console's workspace (file manager, files
 * allowed, System tab), a download held open (its data not read: a stalled disk), a detached
 * file manager and a detached remote view — over HTTP/1.1 within a hair of the six connections
 * a browser allows, see browser_connections_test — console requests answer in tens of ms, and
 * the file manager copies three files at once (its one-download limit is lifted over h2)
 * while the console still answers. A file goes back to the customer (the file manager's
 * upload). Then the certificate is renewed mid-session (listen's reload, what SIGHUP does): a
 * new visitor gets the new one, no event stream of the console opens again, the WebSockets Deno
 * closed are opened again by the remote view and the support app, and the picture comes back.
 * TLS_SHOTS (a folder, default /tmp/shots) keeps the console's screenshots at
 * 1366×768 and 1920×1080.
 *
 * TLS_HELD=n holds n downloads unread instead of one. Over HTTP/2 a download holds no
 * connection, but its unread data hold the connection's flow-control window: Chromium gives a
 * stream 6 MB of unread data and the connection 15 MB. One download left unread leaves room;
 * two stop every request on the connection (measured with TLS_HELD=2: a console request 8.8 s,
 * then none; with 3 held and 3 running, 6.7 s). The file manager reads each download as it
 * writes it, so its running downloads hold the window only for moments.
 */
import assert from "node:assert/strict";
import { chromium, type Page } from "playwright-core";
import { startTestApp } from "../support/app.ts";
import { CHROMIUM_ARGS, CHROMIUM_HEADLESS, clickAndWait } from "../support/browser.ts";
import { TECH_PASSWORD } from "../support/org.ts";
import { technician } from "../support/sessions.ts";
import { sha256, startedPinSession, step, waitFor } from "../support/files_e2e.ts";
import { colourShare, keepPeers } from "../support/share_e2e.ts";
import { makeTestCa } from "../support/tls_certs.ts";
import { runX, startXvfb } from "../../agent/platform/xvfb_test_support.ts";
import { findByToken } from "../../modules/support/mod.ts";
import { listen } from "../../modules/listen/mod.ts";

const SHOTS = Deno.env.get("TLS_SHOTS") ?? "/tmp/shots";
/** The desktop's colour (xsetroot), looked for in the technician's picture. */
const DESKTOP: [number, number, number] = [0xdd, 0x66, 0x22];
const MIB = 1024 * 1024;
const HELD = Number(Deno.env.get("TLS_HELD") ?? 1);

const protocolOf = (page: Page) =>
  page.evaluate(() =>
    (performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming)
      .nextHopProtocol
  );

type Job = { label: string; state: string; done: number; size: number };
const jobs = (page: Page, id: string) =>
  page.evaluate(
    (id) =>
      (globalThis as unknown as { __fileManager: { jobs(id: string): Job[] } }).__fileManager
        .jobs(id),
    id,
  );

const row = (pane: "local" | "remote", name: string) =>
  `.fm-pane[data-pane=${pane}] .fm-entry[data-name="${name}"]`;

/** A console request's time in the page, ms (Infinity when it does not answer in 10 s). */
const consoleRequestMs = (page: Page) =>
  page.evaluate(async () => {
    const started = performance.now();
    const response = await fetch("/console", {
      cache: "no-store",
      signal: AbortSignal.timeout(10_000),
    }).catch(() => null);
    await response?.arrayBuffer();
    return response?.ok ? performance.now() - started : Infinity;
  });

Deno.test({
  name: "e2e: over the server's own HTTPS — h2 pages, wss for agent and viewer, the desktop " +
    "shown, three downloads at once and a console request in tens of ms beside many streams",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const ca = await makeTestCa();
    const leaf = await ca.issue("localhost");
    const renewed = await ca.issue("localhost-renewed");
    const xvfb = await startXvfb({ width: 1024, height: 640 });
    const hex = DESKTOP.map((v) => v.toString(16).padStart(2, "0"));
    await runX(xvfb.display, "xsetroot", ["-solid", `rgb:${hex.join("/")}`]);
    const work = await Deno.makeTempDir({ prefix: "rescue-tls-e2e-" });
    const home = `${work}/home`;
    await Deno.mkdir(home, { recursive: true });
    await Deno.writeTextFile(`${home}/notes.txt`, "line one\nline two\n");
    const block = new Uint8Array(MIB);
    for (const name of ["one.bin", "two.bin", "three.bin", "held.bin"]) {
      const file = await Deno.open(`${home}/${name}`, {
        write: true,
        create: true,
      });
      for (let i = 0; i < 32; i++) {
        for (let at = 0; at < MIB; at += 65536) {
          crypto.getRandomValues(block.subarray(at, at + 65536));
        }
        await file.write(block);
      }
      file.close();
    }
    const t = await startTestApp({
      env: { TLS_CERT_FILE: leaf.certFile, TLS_KEY_FILE: leaf.keyFile, HOST: "127.0.0.1" },
    });
    const server = listen(t.deps.config, t.app.fetch, {
      log: { info() {}, warn: (m, f) => console.error(`  · listen: ${m} ${JSON.stringify(f)}`) },
      watchMs: 0,
    });
    const base = `https://localhost:${server.port}`;
    (t.deps.config as { publicUrl: string }).publicUrl = base;
    const browser = await chromium.launch({
      executablePath: CHROMIUM_HEADLESS,
      headless: true,
      // Exactly this certificate's key is trusted; every other certificate error still fails.
      args: [
        ...CHROMIUM_ARGS,
        `--ignore-certificate-errors-spki-list=${leaf.spki},${renewed.spki}`,
      ],
    });
    let agent: Deno.ChildProcess | null = null;
    let output: string[] = [];
    try {
      assert.equal(server.scheme, "https");
      const ann = await technician(t, { name: "Ann" });
      const context = await browser.newContext({ locale: "en-US" });
      context.setDefaultTimeout(30_000);
      const tech = await context.newPage();
      const errors: string[] = [];
      tech.on("pageerror", (error) => errors.push(error.message));
      await tech.addInitScript(keepPeers);
      await tech.setViewportSize({ width: 1366, height: 768 });
      await tech.goto(`${base}/signin`);
      await tech.fill("#email", ann.email);
      await tech.fill("#password", TECH_PASSWORD);
      await clickAndWait(tech, "button[type=submit]");
      assert.equal(await protocolOf(tech), "h2", "the console came over HTTP/2");
      step("signed in over https; the console came over h2");

      // ---- the customer's PIN page, in a browser of its own ----
      const customerContext = await browser.newContext({ locale: "de-DE" });
      const pinPage = await customerContext.newPage();
      await pinPage.goto(`${base}/`);
      await pinPage.locator("#pin").waitFor();
      assert.equal(await protocolOf(pinPage), "h2", "the customer's page came over HTTP/2");

      // ---- the real support app joins over wss, trusting the test CA (DENO_CERT) ----
      const { created, id, appWindow } = await startedPinSession(
        t.deps,
        ann,
        () => customerContext.newPage(),
        {
          server: base,
          display: xvfb.display,
          stateDir: `${work}/agent-state`,
          home,
          env: { DENO_CERT: ca.caFile },
        },
        (run) => {
          agent = run.agent;
          output = run.output;
        },
      );
      assert.doesNotMatch(output.join(""), /not encrypted/, "no plain-http warning from the app");
      step("the support app joined over wss with the test CA");

      // ---- the desktop in the technician's workspace (the viewer's WebSocket) ----
      await tech.goto(`${base}/console`);
      await tech.locator(`#session-tabs [data-tab-session="${id}"]`).click();
      let share = 0;
      for (let tries = 0; tries < 60 && share < 0.9; tries++) {
        const view = tech.locator(`#remote-${id} .rv-view`);
        if (tries % 15 === 0 && !await view.evaluate((b) => b.classList.contains("is-on"))) {
          await view.click();
        }
        const allow = appWindow.locator("#allow-view");
        if (await allow.isVisible()) await allow.click();
        await tech.waitForTimeout(500);
        share = await colourShare(tech, DESKTOP);
      }
      assert.ok(share > 0.9, `${(share * 100).toFixed(1)} % of the picture is the desktop's`);
      step(`the technician sees the desktop (${(share * 100).toFixed(1)} % its colour)`);

      // ---- the workspace's file manager (browser storage ↔ customer), files allowed ----
      await tech.click(`#ws-tab-filemanager-${id}`);
      const fm = tech.locator(`#files-${id}`);
      await fm.locator(".fm-storage").click();
      await fm.locator(".fm-ask").click();
      await appWindow.locator("#allow-files").click();
      await fm.locator(".fm-consent[data-consent=granted]").waitFor();
      await fm.locator(row("remote", "three.bin")).waitFor();
      await tech.click(`#ws-${id} [role=tab][data-tool="system"]`);
      await tech.locator(`#ws-${id} [data-sysinfo="${id}"]`).waitFor();
      await tech.click(`#ws-tab-filemanager-${id}`);
      step("file manager with files allowed, the System tab beside it");

      // ---- four downloads held open (their data requests read no further) ----
      const held = await tech.evaluate(async ({ files, path, count }) => {
        const csrf = document.querySelector<HTMLElement>(".file-manager")?.dataset.csrf ?? "";
        const readers: unknown[] = [];
        for (let i = 0; i < count; i++) {
          const opened = await fetch(`${files}/downloads`, {
            method: "POST",
            headers: {
              "content-type": "application/json",
              accept: "application/json",
              "x-csrf-token": csrf,
            },
            body: JSON.stringify({ path }),
          }).then((r) => r.json());
          const response = await fetch(`${files}/transfers/${opened.id}/data?from=0`);
          const reader = response.body!.getReader();
          await reader.read();
          readers.push(reader);
        }
        (globalThis as unknown as { held: unknown }).held = readers;
        return readers.length;
      }, { files: `/console/sessions/${id}/file-manager`, path: `${home}/held.bin`, count: HELD });
      assert.equal(held, HELD);

      // ---- a detached file manager and a detached remote view, same profile ----
      const files = await context.newPage();
      const remote = await context.newPage();
      await files.goto(`${base}/console/sessions/${id}/file-manager-window`);
      await remote.goto(`${base}/console/sessions/${id}/remote`);
      await files.locator(".fm-consent[data-consent=granted]").waitFor();
      await remote.locator(".remote-view").waitFor();
      assert.equal(await protocolOf(files), "h2", "the file-manager window came over HTTP/2");
      const idle: number[] = [];
      for (let i = 0; i < 5; i++) idle.push(await consoleRequestMs(tech));
      // Tens of ms on a quiet machine; a stalled connection (HTTP/1.1's six taken) never
      // answers (Infinity after 10 s). Under CI's load one request took 5.5 s, the rest < 0.9:
      // the typical one is held to a second, none may stall.
      const typical = [...idle].sort((a, b) => a - b)[2];
      assert.ok(
        typical < 1_000 && Math.max(...idle) < 8_000,
        `console requests took ${idle.map(Math.round)} ms`,
      );
      step(
        `${HELD} download(s) held, a detached file manager and remote view open; console ` +
          `requests: ${idle.map(Math.round).join(", ")} ms`,
      );

      // ---- three files copied at once, and the console answers meanwhile ----
      await fm.locator(row("remote", "one.bin")).click();
      await fm.locator(row("remote", "two.bin")).click({ modifiers: ["Control"] });
      await fm.locator(row("remote", "three.bin")).click({ modifiers: ["Control"] });
      const before = (await jobs(tech, id)).length;
      await fm.locator(".fm-copy").click();
      let mostRunning = 0;
      let last = "";
      const timings: number[] = [];
      await waitFor("the three copies", async () => {
        const mine = (await jobs(tech, id)).slice(before);
        const running = mine.filter((j) => j.state === "running").length;
        mostRunning = Math.max(mostRunning, running);
        if (running > 0 && timings.length < 5) timings.push(await consoleRequestMs(tech));
        last = mine.map((j) => `${j.label} ${j.state} ${j.done}/${j.size}`).join("; ");
        return mine.length >= 3 && mine.every((j) => !["queued", "running"].includes(j.state));
      }, 120_000).catch((error) => {
        throw new Error(`${error.message}: ${last}; console: ${timings}`);
      });
      const copied = (await jobs(tech, id)).slice(before);
      assert.deepEqual(copied.filter((j) => j.state !== "done"), [], "every copy done");
      assert.equal(mostRunning, 3, "three downloads at once over h2 (one over HTTP/1.1)");
      assert.ok(timings.length > 0, "the console was asked while the copies ran");
      const worst = Math.max(...timings);
      // The copies take the CPU (server, support app and Chromium on one machine): hundreds of
      // ms here; the limit leaves room for a loaded machine — a stalled connection never answers.
      assert.ok(worst < 5_000, `console requests took ${timings.map(Math.round)} ms`);
      step(
        `3 downloads ran at once beside ${HELD} held; console requests meanwhile: ${
          timings.map(Math.round).join(", ")
        } ms`,
      );

      // ---- a file back to the customer (the upload runs on the file manager's socket) ----
      const upload = `${work}/from-tech.txt`;
      await Deno.writeTextFile(upload, "from the technician over https\n".repeat(2000));
      await fm.locator(".fm-upload input[type=file]").setInputFiles(upload);
      await fm.locator(row("local", "from-tech.txt")).click();
      await fm.locator(".fm-copy").click();
      await waitFor("the upload", async () => {
        const there = await Deno.stat(`${home}/from-tech.txt`).then((s) => s.size, () => 0);
        return there === (await Deno.stat(upload)).size;
      });
      assert.equal(
        await sha256(await Deno.readFile(`${home}/from-tech.txt`)),
        await sha256(await Deno.readFile(upload)),
      );
      step("a file copied to the customer, hash equal");

      // ---- a renewed certificate while all of it runs ----
      // Event streams and requests go on over the old listener; WebSockets Deno closes when a
      // listener shuts down (1001 "Server shutting down"), and the pages and the app open them
      // again: the session goes on, the picture comes back.
      const cdp = await context.newCDPSession(tech);
      const reopened: string[] = [];
      cdp.on("Network.requestWillBeSent", (e) => {
        if (e.type === "EventSource") reopened.push(`stream ${new URL(e.request.url).pathname}`);
      });
      cdp.on("Network.webSocketCreated", (e) => reopened.push(`socket ${new URL(e.url).pathname}`));
      await cdp.send("Network.enable");
      await tech.waitForTimeout(2_000);
      assert.equal(reopened.length, 0, `nothing reopens by itself: ${reopened}`);
      await Deno.writeTextFile(leaf.keyFile, renewed.keyPem);
      await Deno.writeTextFile(leaf.certFile, renewed.certPem);
      const mark = output.join("").length;
      const reload = await server.reload();
      assert.equal(reload.reloaded, true, JSON.stringify(reload));
      await tech.waitForTimeout(3_000);
      assert.deepEqual(
        reopened.filter((r) => r.startsWith("stream")),
        [],
        "no event stream of the console opened again",
      );
      assert.ok((await consoleRequestMs(tech)) < 5_000, "the console answers");
      await tech.click(`#ws-tab-remote-${id}`);
      let back = 0;
      for (let tries = 0; tries < 60 && back < 0.9; tries++) {
        await tech.waitForTimeout(500);
        back = await colourShare(tech, DESKTOP);
      }
      assert.ok(back > 0.9, `the picture is back: ${(back * 100).toFixed(1)} % the desktop's`);
      assert.equal((await findByToken(t.deps, created.session.token))?.customerState, "connected");
      const app = [...output.join("").slice(mark).matchAll(/STATUS (\w+)/g)].map((m) => m[1]);
      assert.equal(app.at(-1), "connected", `the support app: ${app}`);
      // The System tab went "absent" and back to "not asked" with the app: its button says so.
      const system = tech.locator(`#ws-${id} [data-sysinfo="${id}"]`);
      await system.locator(".sysinfo-ask button", { hasText: "Ask the customer" }).waitFor();
      const newcomer = await (await browser.newContext()).newPage();
      const answer = await newcomer.goto(`${base}/signin`);
      assert.equal((await answer!.securityDetails())?.subjectName, "localhost-renewed");
      step(
        `certificate renewed: a new visitor gets it; no event stream reopened; sockets reopened: ${
          reopened.join(", ") || "none"
        }; the support app: ${app.join(" → ")}; the picture is back`,
      );

      // ---- the console as the technician sees it, at two sizes ----
      await Deno.mkdir(SHOTS, { recursive: true });
      await tech.bringToFront();
      for (const size of [{ width: 1366, height: 768 }, { width: 1920, height: 1080 }]) {
        await tech.setViewportSize(size);
        await tech.waitForTimeout(500);
        await tech.screenshot({ path: `${SHOTS}/tls-console-${size.width}.png` });
      }
      assert.deepEqual(errors, []);
    } catch (error) {
      console.error(output.join("").slice(-4000));
      throw error;
    } finally {
      await browser.close();
      if (agent) {
        try {
          (agent as Deno.ChildProcess).kill("SIGTERM");
          await (agent as Deno.ChildProcess).status;
        } catch { /* gone already */ }
      }
      await Promise.race([server.shutdown(), new Promise((r) => setTimeout(r, 3_000))]);
      await t.close();
      await xvfb.stop();
      await ca.remove();
      await Deno.remove(work, { recursive: true }).catch(() => {});
    }
  },
});
