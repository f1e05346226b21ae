// Service mode's banner (SPEC R9, issue 19): the agent its session unit starts — the unit
// written by `service.restart` under a temporary root, its ExecStart and Environment run the way
// systemd would — shows in its own window that someone is connected in service mode (the
// indicator the customer sees whenever the session runs as a service), with Disconnect; the
// unit's RESCUE_SERVICE_MODE is what turns it on. Disconnect in the window ends the link.
// Screenshots go to SCREENSHOTS (a folder) when set.
import assert from "node:assert/strict";
import { browserTest, withBrowser } from "../support/browser.ts";
import { technician, workingSession } from "../support/sessions.ts";
import { defaultPermissions } from "../../modules/permissions/mod.ts";
import { serviceModeHandlers } from "../../agent/unattended/service_mode.ts";
import { unitCommand } from "../../agent/unattended/installer.ts";

const SHOTS = Deno.env.get("SCREENSHOTS");

async function eventually<T>(what: string, check: () => Promise<T | null>, ms = 30_000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const value = await check().catch(() => null);
    if (value) return value;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

browserTest(
  "service mode: the agent started from its unit shows '… is connected (service mode)' in its window, and Disconnect ends the link",
  async (t) => {
    const ann = await technician(t, {
      permissions: [...defaultPermissions(), "unattendedAccess"],
    });
    const session = await workingSession(t, ann);
    const root = await Deno.makeTempDir({ prefix: "service-mode-root-" });
    const dataDir = await Deno.makeTempDir({ prefix: "service-mode-data-" });
    const output: string[] = [];
    let child: Deno.ChildProcess | null = null;
    let unit = "";
    await withBrowser(t, async ({ base, newPage }) => {
      try {
        const handlers = serviceModeHandlers({
          os: "linux",
          serverUrl: base,
          token: session.token,
          dataDir,
          log: () => {},
        }, {
          root,
          launched: {
            execPath: Deno.execPath(),
            mainModule: new URL("../../agent/main.ts", import.meta.url).href,
            args: ["--no-open"],
            cwd: Deno.cwd(),
          },
          // What systemd would do with the unit: its ExecStart with its Environment lines.
          start: async (unitPath) => {
            unit = await Deno.readTextFile(unitPath);
            const { argv, env } = unitCommand(unit);
            child = new Deno.Command(argv[0], {
              args: argv.slice(1),
              env: { ...env, LANG: "en_US.UTF-8", DISPLAY: ":199" },
              clearEnv: false,
              stdout: "piped",
              stderr: "piped",
            }).spawn();
            for (const stream of [child.stdout, child.stderr]) {
              (async () => {
                for await (const text of stream.pipeThrough(new TextDecoderStream())) {
                  output.push(text);
                }
              })();
            }
          },
          leave: () => {},
          settleMs: 0,
        });
        await handlers["service.restart"]!({ kind: "service.restart" }, {
          signal: new AbortController().signal,
          emit: () => {},
          confirm: () => Promise.resolve(true),
          log: () => {},
        });
        assert.match(unit, /^Environment=RESCUE_SERVICE_MODE=1$/m);

        const url = await eventually(
          "the agent's window",
          () => Promise.resolve(/PAGE (\S+)/.exec(output.join(""))?.[1] ?? null),
        );
        const state = await eventually("connected to the server", async () => {
          const now = await (await fetch(`${url}state?after=-1`)).json();
          return now.status === "connected" ? now : null;
        });
        assert.deepEqual(state.connected, { technician: null, mode: "service" });
        assert.equal(state.canDisconnect, true);

        // The banner as the customer sees it.
        const page = await newPage();
        await page.setViewportSize({ width: 1366, height: 768 });
        await page.goto(url);
        const banner = page.locator("#connected");
        await banner.waitFor({ state: "visible" });
        assert.equal(
          (await page.locator("#connected-text").innerText()).trim(),
          "Your technician is connected to this computer (service mode). Everything they do is logged.",
        );
        assert.ok(await page.locator("#disconnect").isVisible());
        if (SHOTS) await page.screenshot({ path: `${SHOTS}/unattended-service-banner-1366.png` });
        await page.locator("#disconnect").click();
        await eventually(
          "the link ended",
          () => Promise.resolve(/STATUS ended/.test(output.join("")) || null),
        );
        assert.deepEqual(page.errors, []);
      } finally {
        try {
          (child as Deno.ChildProcess | null)?.kill("SIGTERM");
        } catch {
          // Already gone.
        }
        await (child as Deno.ChildProcess | null)?.status;
        await Deno.remove(root, { recursive: true });
        await Deno.remove(dataDir, { recursive: true });
      }
    });
  },
);
