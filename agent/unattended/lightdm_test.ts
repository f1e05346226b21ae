// The sign-in on a real login screen: Debian's LightDM with its GTK greeter on a virtual X
// server (lightdm_test_support.ts), found the way the service finds it at boot — the X server in
// /proc, the cookie file of its `-auth` argument (LightDM's, `<run dir>/root/:N`) taken as
// XAUTHORITY, the greeter by its process — and a local user's credentials typed through XTest.
// Refused first (a name that has no account, then a wrong password), each time leaving the
// greeter in another state, which the keys typed next must fit. Then the greeter closes and
// the session LightDM starts writes its marker, as that user, on that display. Needs root and the Debian packages lightdm, lightdm-gtk-greeter, dbus and xvfb
// (tools/test_setup.ts installs them); skipped, saying why, only when those are absent.
import assert from "node:assert/strict";
import type { GreeterId, SignInCode } from "../../protocol/mod.ts";
import { type Desktop, openDesktop } from "../platform/mod.ts";
import { attachToDisplay } from "./display_finder.ts";
import { findGreeters, type FoundGreeter } from "./greeter.ts";
import { readGreeterAsk } from "./lightdm_log.ts";
import { signInAtLoginScreen, type SignInOptions } from "./login_screen.ts";
import {
  createTestUser,
  framePng,
  lightdmMissing,
  type RealLightdm,
  startLightdm,
  type TestUser,
  waitUntil,
} from "./lightdm_test_support.ts";
import { greeterLock } from "./greeter_test_support.ts";

const missing = lightdmMissing();
if (missing) console.log(`lightdm_test: skipped, ${missing}`);
/** Where the greeter's screenshot goes (none unless set). */
const SHOTS = Deno.env.get("LIGHTDM_SHOTS");

function signIn(display: string, desktop: Desktop, credentials: SignInOptions["credentials"]) {
  const lines: string[] = [];
  const reports: [SignInCode, GreeterId | undefined][] = [];
  const options: SignInOptions = {
    display,
    desktop,
    credentials,
    controlAllowed: true,
    log: (line) => lines.push(line),
    report: (code, greeter) => reports.push([code, greeter]),
  };
  return { options, lines, reports };
}

/** Whether the screen shows more than one colour (the greeter has drawn). */
function drawn(desktop: Desktop): boolean {
  const frame = desktop.grab();
  const seen = new Set<number>();
  for (let y = 0; y < frame.height; y += 16) {
    for (let x = 0; x < frame.width; x += 16) {
      const i = y * frame.stride + x * 4;
      seen.add((frame.data[i] << 16) | (frame.data[i + 1] << 8) | frame.data[i + 2]);
    }
  }
  return seen.size > 8;
}

/** A real LightDM showing its greeter, attached to as the service attaches at boot. */
interface AtLoginScreen {
  lightdm: RealLightdm;
  display: string;
  screen: Desktop;
  greeter: FoundGreeter;
}

/**
 * Creates the local users (the first signs in), starts LightDM, finds its greeter, attaches to
 * its display as the service does at boot, waits for the greeter's prompt, and runs `body`;
 * stops and deletes it all after.
 */
async function atLoginScreen(
  options: { users: number; hideUsers?: boolean; lastUser?: (users: TestUser[]) => string },
  body: (at: AtLoginScreen, users: TestUser[]) => Promise<void>,
) {
  const dir = await Deno.makeTempDir({ prefix: "lightdm_test_" });
  const saved = { xauthority: Deno.env.get("XAUTHORITY"), home: Deno.env.get("HOME") };
  const users: TestUser[] = [];
  let lightdm: RealLightdm | null = null;
  let desktop: Desktop | null = null;
  try {
    for (let i = 0; i < options.users; i++) users.push(await createTestUser(dir));
    lightdm = await startLightdm(dir, {
      hideUsers: options.hideUsers,
      lastUser: options.lastUser?.(users),
    });
    const { display } = lightdm;
    const greeter = await waitUntil("the GTK greeter", async () => {
      const found = await findGreeters();
      return found.find((g) => g.display === display && g.profile.id === "lightdm_gtk");
    }, 30_000);
    // As the service at boot: no X authority of its own, no ~/.Xauthority to fall back on.
    Deno.env.delete("XAUTHORITY");
    Deno.env.set("HOME", dir);
    assert.throws(() => openDesktop({ display }), /Cannot open X display/);
    const attachLines: string[] = [];
    assert.deepEqual(await attachToDisplay(display, (line) => attachLines.push(line)), {
      display,
      why: null,
    });
    assert.equal(Deno.env.get("XAUTHORITY"), `${lightdm.runDir}/root/${display}`);
    assert.match(attachLines[0], /\(Xvfb, process \d+\), X authority from its command line/);
    const screen = openDesktop({ display });
    desktop = screen;
    // The greeter asks once PAM has prompted (LightDM logs the prompt) and it has drawn.
    await waitUntil("the greeter's prompt", async () => {
      const said = await lightdm!.log();
      return /Prompt greeter with/.test(said) && drawn(screen) ? true : undefined;
    }, 30_000);
    await body({ lightdm, display, screen, greeter }, users);
  } finally {
    desktop?.close();
    if (saved.xauthority === undefined) Deno.env.delete("XAUTHORITY");
    else Deno.env.set("XAUTHORITY", saved.xauthority);
    if (saved.home === undefined) Deno.env.delete("HOME");
    else Deno.env.set("HOME", saved.home);
    await lightdm?.stop();
    for (const user of users) await user.remove();
    await Deno.remove(dir, { recursive: true });
  }
}

/** Waits for the session's marker: it ran as `user`, on `display`. */
async function sessionStarted(lightdm: RealLightdm, user: TestUser, display: string) {
  const started = await waitUntil(
    "the session's marker",
    () => Deno.readTextFile(lightdm.marker),
    30_000,
  );
  assert.equal(started, `${user.name} ${display}\n`, "the session runs as the user, there");
}

Deno.test({
  name:
    "signInAtLoginScreen() at a real LightDM: found as at boot, refused twice, then the credentials typed start the user's session",
  ignore: missing !== null,
  async fn() {
    using _greeters = await greeterLock(); // a real LightDM may run in another test
    await atLoginScreen({ users: 1 }, async ({ lightdm, display, screen, greeter }, [user]) => {
      if (SHOTS) {
        await Deno.mkdir(SHOTS, { recursive: true });
        await Deno.writeFile(`${SHOTS}/lightdm-greeter.png`, await framePng(screen.grab()));
      }
      // Refused twice, each leaving the greeter in a state it does not start in: on the
      // password of an account that does not exist, then on this user's password. The keys
      // follow what LightDM's log says it asks (lightdm_log.ts).
      let refusals = 0;
      const refused = async (name: string, password: string, what: RegExp) => {
        const run = signIn(display, screen, { user: name, password });
        run.options.closeWaitMs = 5_000;
        assert.equal(
          await signInAtLoginScreen(run.options),
          "greeter_stayed",
          run.lines.join("\n"),
        );
        assert.match(run.lines[0], what);
        // LightDM said no, and the greeter asks again (the password of the name it holds).
        refusals++;
        // 30 s: PAM's fail delay and the greeter's new question took over 15 s at load 14
        // (CI rehearsal beside other work).
        await waitUntil("the refusal", async () => {
          const said = await lightdm.log();
          const seen = said.match(/Authenticate result for user .*: Authentication failure/g);
          return (seen?.length ?? 0) >= refusals && said.trimEnd().endsWith("message(s)")
            ? true
            : undefined;
        }, 30_000);
      };
      const stranger = `${user.name}x`;
      await refused(stranger, user.password, /typing the user name and the password/);
      assert.match(await lightdm.log(), new RegExp(`start authentication for ${stranger}\n`));
      if (SHOTS) {
        await Deno.writeFile(`${SHOTS}/lightdm-refused.png`, await framePng(screen.grab()));
      }
      await refused(user.name, "not-the-password", /the user name over the one it holds/);
      assert.match(await lightdm.log(), new RegExp(`start authentication for ${user.name}\n`));
      await Deno.stat(lightdm.marker).then(
        () => assert.fail("a session started with a wrong password"),
        () => {},
      );

      const right = signIn(display, screen, { user: user.name, password: user.password });
      right.options.closeWaitMs = 20_000;
      assert.equal(
        await signInAtLoginScreen(right.options),
        "greeter_closed",
        right.lines.join("\n"),
      );
      assert.deepEqual(right.reports, [["signing_in", "lightdm_gtk"], [
        "greeter_closed",
        "lightdm_gtk",
      ]]);
      assert.match(
        right.lines[0],
        new RegExp(`LightDM GTK greeter \\(process ${greeter.pid}\\) on ${display}: typing`),
      );
      await sessionStarted(lightdm, user, display);
      assert.match(right.lines[0], /typing the password \(it asks it for that user already\)/);
      const logged = right.lines.join("\n");
      assert.ok(!logged.includes(user.password), "the password is in no log line");
    });
  },
});

Deno.test({
  name:
    "signInAtLoginScreen() at a real LightDM showing its user list on another user: the arrow keys walk it — to 'Other…' for a name not in it, then back to the name field",
  ignore: missing !== null,
  async fn() {
    using _greeters = await greeterLock(); // a real LightDM may run in another test
    await atLoginScreen(
      { users: 2, hideUsers: false, lastUser: (users) => users[1].name },
      async ({ lightdm, display, screen, greeter }, [user, other]) => {
        assert.deepEqual(await readGreeterAsk(greeter.pid), {
          asks: "password",
          user: other.name,
          listed: true,
          seen: 1,
          prompted: true,
          nameField: false,
        }, "the greeter opens on the other user's password");
        if (SHOTS) {
          await Deno.writeFile(`${SHOTS}/lightdm-user-list.png`, await framePng(screen.grab()));
        }
        // A name not in the list: walked to "Other…" at its end, typed in its name field, and
        // refused. The greeter then holds that name in the field: Shift+Tab back to it.
        const stranger = signIn(display, screen, { user: `${user.name}x`, password: "pw" });
        stranger.options.closeWaitMs = 5_000;
        assert.equal(await signInAtLoginScreen(stranger.options), "greeter_stayed");
        assert.match(stranger.lines[0], /typing the user name and the password/);
        await waitUntil("the refusal", async () => {
          const said = await lightdm.log();
          return /Authentication failure/.test(said) && said.trimEnd().endsWith("message(s)")
            ? true
            : undefined;
        }, 15_000);
        const run = signIn(display, screen, { user: user.name, password: user.password });
        run.options.closeWaitMs = 20_000;
        assert.equal(
          await signInAtLoginScreen(run.options),
          "greeter_closed",
          run.lines.join("\n"),
        );
        assert.match(run.lines[0], /typing the user name over the one it holds/);
        assert.match(await lightdm.log(), new RegExp(`start authentication for ${user.name}\n`));
        await sessionStarted(lightdm, user, display);
      },
    );
  },
});
