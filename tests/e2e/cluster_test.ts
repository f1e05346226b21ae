/**
 * Two real instances (`main.ts` processes) on one PostgreSQL database behind Debian's HAProxy
 * (round-robin, no stickiness), the real agent on Xvfb, Chromium for the technician and the
 * customer — and then the instance holding the agent is SIGKILLed.
 *
 * A technician's console is open directly on each instance; the agent and the customer's
 * page come through the load balancer and land where it sends them. The instance the agent
 * lands on (its home, `agent_homes`) is "B"; the console on the other one ("A") does the work,
 * so every live update and every keystroke crosses instances: Waiting appears live on A,
 * the technician starts, the customer allows control in the agent's window, the technician
 * types into an xterm on the Xvfb display through A and the command runs. Chat goes both ways.
 * Then B is killed: the agent and the customer's page reconnect through the balancer to A,
 * the session is Active again, the picture and the control come back, and every one of the
 * 20 chat lines (10 before the kill, 10 after) is on both sides exactly once.
 */
import assert from "node:assert/strict";
import { type Browser, chromium, type Page } from "playwright-core";
import postgres from "postgres";
import { CHROMIUM_ARGS, CHROMIUM_HEADLESS } from "../support/browser.ts";
import { startXvfb } from "../../agent/platform/xvfb_test_support.ts";
import {
  exists,
  framesDecoded,
  KEEP_PEERS,
  logTimes,
  peerReport,
  startAgent,
  waitFor,
} from "../support/cluster_e2e.ts";
import {
  type Cluster,
  CLUSTER_ADMIN,
  type ClusterInstance,
  freshDatabase,
  startCluster,
} from "../../tools/cluster/harness.ts";

const DATABASE_URL = Deno.env.get("DATABASE_URL");
let began = performance.now();
const seconds = () => ((performance.now() - began) / 1000).toFixed(1).padStart(5);
/** Progress lines with the time since the start, so a stuck step names itself. */
const step = (what: string) => console.log(`  ${seconds()} s · ${what}`);
const row = (id: string) => `#queue tbody tr[data-session="${id}"]`;

async function waitStatus(page: Page, id: string, status: string, timeout = 20_000) {
  await page.locator(`${row(id)}[data-status="${status}"]`).waitFor({ state: "attached", timeout });
}

const LENIENT = Boolean(Deno.env.get("E2E_CLUSTER_LENIENT"));
const missed: string[] = [];

/**
 * A step that E2E_CLUSTER_LENIENT=1 lets fail (noted, reported at the end, the test still
 * fails) so that one run shows every step that does not work yet; otherwise it just runs.
 */
async function soft(what: string, fn: () => Promise<void>) {
  try {
    await fn();
  } catch (error) {
    if (!LENIENT) throw error;
    missed.push(`${what}: ${String(error).split("\n")[0]}`);
    step(`FAILED (going on): ${what}: ${String(error).split("\n")[0]}`);
  }
}

/**
 * Waits for `status` to arrive live on `page`; when it does not, a reload tells apart "not
 * delivered live" from "never happened" in the failure. (E2E_CLUSTER_LENIENT=1 goes on after
 * the reload, to reach the later steps while a part is missing.)
 */
async function waitLive(page: Page, id: string, status: string, where: string) {
  try {
    await waitStatus(page, id, status, 10_000);
  } catch (error) {
    await page.reload();
    const after = await page.locator(row(id)).getAttribute("data-status").catch(() => null);
    const why = `"${status}" did not arrive live on ${where} (after a reload: "${after}")`;
    if (!LENIENT) throw new Error(why, { cause: error });
    missed.push(why);
    step(`NOT LIVE: ${why}`);
    await page.waitForFunction(() => "htmx" in globalThis);
  }
}

Deno.test({
  name:
    "e2e cluster: console on A controls the agent on B through HAProxy; B is killed, nothing is lost",
  ignore: !DATABASE_URL,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    began = performance.now();
    const db = await freshDatabase(DATABASE_URL!, "rescue_e2e_cluster");
    const sql = postgres(db.url, { max: 2, onnotice: () => {} });
    const xvfb = await startXvfb({ width: 1280, height: 720 });
    const work = await Deno.makeTempDir({ prefix: "rescue-cluster-e2e-" });
    const xterm = new Deno.Command("xterm", {
      args: ["-geometry", "120x40+0+0", "-fa", "Monospace", "-fs", "12", "-e", "sh"],
      cwd: work,
      env: { DISPLAY: xvfb.display, LANG: "C.UTF-8", PS1: "$ " },
      stdout: "null",
      stderr: "null",
    }).spawn();
    // Whatever started is stopped in `finally`, whichever step failed.
    const started: { cluster?: Cluster; browser?: Browser } = {};
    let agent: ReturnType<typeof startAgent> | undefined;
    try {
      const cluster = started.cluster = await startCluster({
        instances: 2,
        databaseUrl: db.url,
        lb: true,
        log: true,
      });
      const lb = cluster.lbUrl!;
      step(`2 instances and HAProxy up (${lb})`);
      const browser = started.browser = await chromium.launch({
        executablePath: CHROMIUM_HEADLESS,
        headless: true,
        args: CHROMIUM_ARGS,
      });
      const newContext = async () => {
        const context = await browser.newContext({ locale: "en-US" });
        context.setDefaultTimeout(15_000);
        return context;
      };
      const newPage = async (context: Awaited<ReturnType<typeof newContext>>) => {
        const page = Object.assign(await context.newPage(), { errors: [] as string[] });
        page.on("pageerror", (error) => page.errors.push(`pageerror: ${error.message}`));
        return page;
      };
      // The technician, signed in once (cookies are per host, not per port), with a console
      // open directly on each instance.
      const techContext = await newContext();
      await techContext.addInitScript(KEEP_PEERS);
      const consoles = new Map<ClusterInstance, Awaited<ReturnType<typeof newPage>>>();
      for (const instance of cluster.instances) {
        const page = await newPage(techContext);
        if (consoles.size === 0) {
          await page.goto(`${instance.url}/signin`);
          await page.fill("#email", CLUSTER_ADMIN.email);
          await page.fill("#password", CLUSTER_ADMIN.password);
          await Promise.all([
            page.waitForURL(/\/console/),
            page.click("form[action='/signin'] button[type=submit]"),
          ]);
        } else {
          await page.goto(`${instance.url}/console`);
        }
        await page.waitForFunction(() => "htmx" in globalThis);
        consoles.set(instance, page);
      }
      step("consoles open on both instances");

      // A PIN session, created on the first instance's console.
      const first = consoles.get(cluster.instances[0])!;
      await first.click("button[data-method=pin]");
      await first.fill("#ns-name", "Carol");
      await first.click("#new-session-form button[type=submit]");
      const pin = (await first.locator("#created-pin").textContent())!.trim();
      const link = (await first.locator("#created-link").textContent())!.trim();
      assert.equal(new URL(link).origin, lb, "links point at the load balancer (PUBLIC_URL)");
      const token = link.split("/s/")[1];
      const [{ id }] = await sql`select id from support_sessions where token = ${token}`;

      // The agent comes through the balancer; wherever it lands is B.
      agent = startAgent(pin, lb, xvfb.display, work, step);
      const agentPage = await agent.page;
      let home = "";
      await waitFor("the agent's home instance", async () => {
        const rows = await sql`select instance_id from agent_homes where session_id = ${id}`;
        home = rows[0]?.instance_id ?? "";
        return home !== "";
      });
      const b = cluster.instances.find((i) => i.id === home)!;
      const a = cluster.instances.find((i) => i !== b)!;
      const tech = consoles.get(a)!;
      step(`agent joined on instance ${cluster.instances.indexOf(b) + 1} (B)`);
      // Waiting appears live on both consoles — on A through the bus.
      await waitLive(consoles.get(b)!, id, "waiting", "B's console (the agent's instance)");
      await waitLive(tech, id, "waiting", "A's console (the other instance)");
      step("Waiting live on A and B");

      const appContext = await newContext();
      const appWindow = await newPage(appContext);
      await appWindow.goto(agentPage);
      await appWindow.locator("#consent").waitFor();
      const customer = await newPage(await newContext());
      await customer.goto(`${lb}/s/${token}`);
      await customer.locator("#customer-chat-input").waitFor();
      step("customer page (through HAProxy) and agent window open");

      // Start on A, open the workspace, ask for control; the customer allows.
      await tech.click(`${row(id)} button[data-action=start]`);
      await waitStatus(tech, id, "active");
      await tech.locator(`#session-tabs [data-tab-session="${id}"]`).click();
      const view = tech.locator(`.remote-view[data-session="${id}"]`);
      await view.locator(".rv-control").click();
      await appWindow.locator("#allow-control").waitFor({ state: "visible", timeout: 20_000 });
      await appWindow.click("#allow-control");
      await appWindow.locator("#stop-control").waitFor({ state: "visible" });
      // What the viewer and its WebRTC peers say, when the picture does not come.
      const whyNoPicture = async (error: unknown): Promise<never> => {
        const viewer = await tech.evaluate(() =>
          JSON.stringify((globalThis as { __remoteView?: unknown }).__remoteView)
        );
        const peers = await peerReport(tech);
        throw new Error(`${error}\nviewer: ${viewer}\npeers: ${peers}\n${tech.errors.join("\n")}`);
      };
      await soft("the picture reaches A", () =>
        tech.waitForFunction(
          () => {
            const video = document.querySelector<HTMLVideoElement>(".rv-video");
            return Boolean(video && video.videoWidth === 1280 && video.videoHeight === 720);
          },
          undefined,
          { timeout: 40_000 },
        ).then(() => {}, whyNoPicture));
      step("control allowed; the picture reaches A");

      // Type into the xterm through A: the input crosses to B, where the agent is.
      const typeCommand = async (file: string, text: string) => {
        await view.locator(".rv-actual").click();
        const box = (await view.locator(".rv-video").boundingBox())!;
        await tech.mouse.click(box.x + 300, box.y + 200);
        await tech.keyboard.type(`echo ${text} > ${file}`);
        await tech.keyboard.press("Enter");
        await waitFor(`the typed command's ${file}`, () => exists(`${work}/${file}`), 20_000);
        assert.equal(await Deno.readTextFile(`${work}/${file}`), `${text}\n`);
      };
      await soft("typing through A", () => typeCommand("typed.txt", "cluster-ok"));
      step("keystrokes from A ran in the xterm on B's agent");

      // Chat both ways, each line shown on its sender's side before the next.
      const techLog = tech.locator(`#log-${id} .log-line`);
      const customerLog = customer.locator("#customer-log .log-line");
      const lines: string[] = [];
      const say = (who: "tech" | "customer", n: number) => {
        const text = `${who} line ${n} ${crypto.randomUUID().slice(0, 6)}`;
        lines.push(text);
        const [page, input, log] = who === "tech"
          ? [tech, `#chat-input-${id}`, techLog]
          : [customer, "#customer-chat-input", customerLog];
        return soft(`chat line ${n} (${who})`, async () => {
          await page.fill(input, text);
          await page.locator(input).press("Enter");
          await log.filter({ hasText: text }).first().waitFor({ timeout: 20_000 });
        });
      };
      if (await tech.locator(`#ws-tab-chat-${id}`).count()) await tech.click(`#ws-tab-chat-${id}`);
      for (let n = 1; n <= 10; n++) await say(n % 2 ? "tech" : "customer", n);
      step("10 chat lines before the kill");

      // B dies.
      const killedAt = performance.now();
      const killedWall = Date.now();
      const sinceKill = () => Math.round(performance.now() - killedAt);
      b.kill("SIGKILL");
      await b.exited;
      step("B killed (SIGKILL)");
      // The technician goes on talking while the customer's page reconnects.
      for (let n = 11; n <= 15; n++) await say("tech", n);
      let agentBack = NaN, customerBack = NaN;
      await soft("the agent's new home on A", async () => {
        await waitFor("the agent's new home on A", async () => {
          const rows = await sql`select instance_id from agent_homes where session_id = ${id}`;
          return rows[0]?.instance_id === a.id;
        }, 20_000);
        agentBack = sinceKill();
        // When the agent's socket opened on A (the request log), against when A recorded it home.
        const opened = await logTimes(a, (l) => l.path === "/agent/ws", killedWall);
        step(
          `agent's socket on A ${opened[0]} ms, its home there ${agentBack} ms after the kill`,
        );
      });
      await soft("the customer's page back with A's lines", async () => {
        await customerLog.filter({ hasText: lines[14] }).waitFor({ timeout: 20_000 });
        customerBack = sinceKill();
        step(`customer page back (has A's lines) ${customerBack} ms after the kill`);
      });
      await soft(
        "the customer's streams held by A alone",
        () =>
          waitFor("B's stream holds gone, A's there", async () => {
            const holds = await sql`
            select distinct instance_id from customer_stream_holds where session_id = ${id}`;
            return holds.length === 1 && holds[0].instance_id === a.id;
          }, 10_000),
      );
      await soft("the session Active again on A", async () => {
        await waitStatus(tech, id, "active", 20_000);
        step(`session Active on A ${sinceKill()} ms after the kill`);
      });
      for (let n = 16; n <= 20; n++) await say("customer", n);
      step("10 chat lines after the kill");

      // Every line, on both sides and in the database, exactly once.
      for (const [side, log] of [["console", techLog], ["customer", customerLog]] as const) {
        await soft(`every chat line once on the ${side}'s side`, async () => {
          const counts = await Promise.all(lines.map((t) => log.filter({ hasText: t }).count()));
          const wrong = lines.map((t, i) => `${t} ×${counts[i]}`).filter((_, i) => counts[i] !== 1);
          assert.deepEqual(wrong, [], `${side}: lines not shown exactly once`);
        });
      }
      await soft("every chat line stored once, in order", async () => {
        const stored = await sql`
          select body from session_log where session_id = ${id} and kind = 'chat' order by id`;
        assert.deepEqual(stored.map((r) => r.body), lines);
      });

      // The picture and the control come back through A.
      let frames = await framesDecoded(tech), gained = 0;
      // The viewer's sockets on A since the kill (the first ones relayed to the dead B fail).
      const viewerTimes = async () => {
        const failed = await logTimes(a, (l) => l.msg?.startsWith("relay to"), killedWall);
        const opened = await logTimes(a, (l) => /\/remote\/ws$/.test(l.path ?? ""), killedWall);
        return `viewer sockets on A at +${opened.join(", +")} ms, relays to B failed at +${
          failed.join(", +")
        } ms`;
      };
      await soft(
        "the picture resumes on A",
        () =>
          waitFor("frames after the reconnect", async () => {
            const colour = Math.floor(Math.random() * 0xffffff).toString(16).padStart(6, "0");
            await new Deno.Command("xsetroot", {
              args: ["-solid", `#${colour}`],
              env: { DISPLAY: xvfb.display },
            }).output();
            // A new peer (or video element) counts from 0 again: add up the increases only.
            const now = await framesDecoded(tech);
            gained += Math.max(0, now - frames);
            frames = now;
            return gained > 2;
          }, 30_000).catch(async (error) => whyNoPicture(`${error}\n${await viewerTimes()}`)),
      );
      step(`picture resumed on A (${await viewerTimes()})`);
      await soft("typing after the kill", () => typeCommand("typed-after.txt", "still-in-control"));
      step("control resumed: keystrokes land again");
      console.log(
        `  figures: agent back ${agentBack} ms, customer page back ${customerBack} ms after ` +
          `SIGKILL; whole test ${seconds().trim()} s`,
      );
      assert.deepEqual(missed, [], "steps that failed (E2E_CLUSTER_LENIENT)");
      assert.deepEqual(tech.errors, [], "no script error on A's console");
      assert.deepEqual(customer.errors, [], "no script error on the customer's page");
    } catch (error) {
      if (agent) console.error(agent.output.join("").slice(-3000));
      for (const [i, instance] of (started.cluster?.instances ?? []).entries()) {
        const log = (await instance.logTail(400)).split("\n")
          .filter((l) => !l.includes('"/healthz"') && !l.includes('"/static/'))
          .slice(-40).join("\n");
        // The whole log outlives the cluster's directory, for a closer look.
        const kept = `${Deno.makeTempDirSync({ prefix: "rescue-cluster-e2e-log-" })}/instance.log`;
        await Deno.copyFile(instance.logFile, kept).catch(() => {});
        console.error(`--- instance ${i + 1} (${instance.id}, whole log: ${kept})\n${log}`);
      }
      throw error;
    } finally {
      if (agent) {
        agent.child.kill("SIGKILL");
        await agent.child.status;
      }
      await started.browser?.close();
      await started.cluster?.stop();
      await sql.end();
      await db.drop();
      xterm.kill("SIGKILL");
      await xterm.status;
      await xvfb.stop();
      await Deno.remove(work, { recursive: true });
    }
  },
});
