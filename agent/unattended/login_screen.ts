/**
 * The login step of an unattended connection on Linux: when the display the service shares
 * is a login screen and there are credentials for this connection — kept by the customer
 * (credentials.ts) or typed by the technician at Connect — type them into the greeter
 * (greeter.ts picks its profile, greeter_typing.ts types through XTest) and say how it went
 * in true words: the service's log, and a code the server writes into the session's log
 * (`report`; never the credentials). Whether the computer accepted them is not known to the
 * service; what it can see is whether the greeter went away (a session is starting) or stayed
 * (refused, or it asks for something else — the technician sees the screen).
 */
import type { GreeterId, SignInCode } from "../../protocol/mod.ts";
import type { Desktop } from "../platform/mod.ts";
import type { OsCredentials } from "./credentials.ts";
import {
  findGreeters,
  type FoundGreeter,
  lightdmKeys,
  planSignIn,
  type SignInKeys,
} from "./greeter.ts";
import { chooseListedUser, readGreeterAsk, waitForPrompt } from "./lightdm_log.ts";
import { SecretText, typeIntoGreeter } from "./greeter_typing.ts";

/** How long the greeter may take to close after the last key. */
const CLOSE_WAIT_MS = 10_000;

export interface SignInOptions {
  /** The X display the service shares (its desktop opened there), or null. */
  display: string | null;
  desktop: Pick<Desktop, "key"> | null;
  /**
   * The credentials for this connection, null when there are none, or why the kept ones (or,
   * `sealed`, those typed at Connect and sealed to this device) cannot be opened. Their
   * fields are blanked here once copied for typing.
   */
  credentials: OsCredentials | null | { unreadable: string; sealed?: true };
  log: (line: string) => void;
  /**
   * Whether the customer allowed controlling the screen (the grant's `control` tool): typing
   * into the login screen is controlling it, so without it nothing is typed.
   */
  controlAllowed: boolean;
  /** Tells the session's log (through the server) how the sign-in goes. */
  report: (code: SignInCode, greeter?: GreeterId) => void;
  /** Tests: a folder holding a fake `proc` (default "/"). */
  root?: string;
  closeWaitMs?: number;
  sleep?: (ms: number) => Promise<void>;
  keyGapMs?: number;
}

const NOTHING_TYPED: Record<
  "no_display" | "wayland" | "no_greeter" | "no_credentials",
  (display: string | null) => string
> = {
  no_display: () => "there is no X display to type into",
  wayland: () => "the login screen is drawn by Wayland, which X input cannot reach",
  no_greeter: (display) =>
    `no login screen this service knows runs on ${display} (someone may be signed in ` +
    "already; the greeters known are in docs/unattended.md)",
  no_credentials: () =>
    "there are no credentials for this connection (none kept, none typed at Connect)",
};

/** Signs in on the login screen where it can; returns the final code it reported. */
export async function signInAtLoginScreen(options: SignInOptions): Promise<SignInCode> {
  const { log, report } = options;
  const given = options.credentials;
  if (given && "unreadable" in given) {
    const code = given.sealed ? "sealed_unreadable" : "unreadable";
    const which = given.sealed ? "the credentials typed at Connect" : "the kept credentials";
    log(`login screen: nothing typed — ${which}: ${given.unreadable}`);
    report(code);
    return code;
  }
  if (!options.controlAllowed) {
    if (given === null) return "not_allowed";
    log("login screen: nothing typed — the customer did not allow controlling the screen");
    report("not_allowed");
    return "not_allowed";
  }
  const greeters = await findGreeters({ root: options.root });
  const plan = planSignIn({
    display: options.desktop ? options.display : null,
    greeters,
    hasCredentials: given !== null,
  });
  if (!plan.ok) {
    log(`login screen: nothing typed — ${NOTHING_TYPED[plan.code](options.display)}`);
    // Without credentials there is nothing to tell unless a login screen waits for them.
    if (given !== null || plan.greeter) report(plan.code, plan.greeter?.profile.id);
    return plan.code;
  }
  const { greeter } = plan;
  const profile = greeter.profile;
  const { keys, prompted } = await _keysFor(greeter, given!.user, options);
  if (!keys) {
    log(
      `login screen: nothing typed — ${profile.name} shows its list of users, and the user is ` +
        "not in it (nor an entry for another name): a name typed there would go into the chosen " +
        "user's password field (greeter-hide-users=true shows a name field)",
    );
    report("not_listed", profile.id);
    return "not_listed";
  }
  const secret = { user: SecretText.from(given!.user), password: SecretText.from(given!.password) };
  // The strings themselves cannot be wiped; at least nothing here holds them any longer.
  given!.password = "";
  log(
    `login screen: ${profile.name} (process ${greeter.pid}) on ${options.display}: typing ` +
      `${keys.what} (user name ${secret.user.length} characters; the password never logged)`,
  );
  report("signing_in", profile.id);
  const typed = await typeIntoGreeter(options.desktop!, keys.steps, secret, {
    sleep: options.sleep,
    keyGapMs: options.keyGapMs,
    prompted,
  });
  if (!typed.ok) {
    log(`login screen: typing stopped — ${typed.why}`);
    report(typed.code, profile.id);
    return typed.code;
  }
  const closed = await _gone(
    `${(options.root ?? "/").replace(/\/$/, "")}/proc/${greeter.pid}`,
    options.closeWaitMs ?? CLOSE_WAIT_MS,
  );
  const code = closed ? "greeter_closed" : "greeter_stayed";
  log(
    closed
      ? `login screen: typed; ${profile.name} closed — the computer is signing in`
      : `login screen: typed; ${profile.name} is still there — the credentials may have been ` +
        "refused, or it asks for something else (the screen shows which)",
  );
  report(code, profile.id);
  return code;
}

/**
 * The keys for this greeter: its profile's, except LightDM's GTK greeter, whose log says what
 * it asks now (lightdm_log.ts); with its user list on another user, the arrow keys choose the
 * user first — no keys when the user is not in the list. Keys go in only once PAM's question
 * has reached the greeter (it clears its field when it does), and the pause after the user
 * name lasts until the next one has (`prompted`).
 */
async function _keysFor(
  greeter: FoundGreeter,
  user: string,
  options: Pick<SignInOptions, "desktop" | "root">,
): Promise<{ keys: SignInKeys | null; prompted?: () => Promise<void> }> {
  if (greeter.profile.id !== "lightdm_gtk") {
    return { keys: { steps: greeter.profile.steps, what: "the user name and the password" } };
  }
  const { root } = options;
  let ask = await readGreeterAsk(greeter.pid, { root });
  if (!lightdmKeys(ask, user) && options.desktop) {
    ask = await chooseListedUser(options.desktop, greeter.pid, user, { root });
  }
  if (ask && !ask.prompted) ask = await waitForPrompt(greeter.pid, ask.seen - 1, { root });
  const keys = lightdmKeys(ask, user);
  if (!ask) return { keys };
  const after = ask.seen;
  return { keys, prompted: async () => void await waitForPrompt(greeter.pid, after, { root }) };
}

/** Waits until `path` (a /proc entry) is gone; false when it is still there after `ms`. */
async function _gone(path: string, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  for (;;) {
    try {
      await Deno.stat(path);
    } catch {
      return true;
    }
    if (Date.now() >= until) return false;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
