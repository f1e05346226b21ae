/**
 * Which login screen (greeter) runs on the display the service found, and how to type the
 * customer's credentials into it. Display managers draw their login screen with a greeter
 * program on their own X server: LightDM's `lightdm-gtk-greeter`, GDM's `gnome-shell
 * --mode=gdm` (inside `gdm-x-session` on Xorg, `gdm-wayland-session` on Wayland), SDDM's
 * `sddm-greeter`. The service reads each process's command line in /proc (and, as root, its
 * environment: which DISPLAY it draws on, whether it is a Wayland client) and picks a profile
 * from a small table: the keys that move from the user name to the password differ. A greeter
 * this table does not name but whose program says it is one (`…-greeter`) gets the generic
 * profile. Nothing recognised, or a Wayland login screen: nothing is typed, and the reason is
 * said (`planSignIn`).
 */
import type { GreeterId, SignInCode } from "../../protocol/mod.ts";
import { namesIn, textOf } from "./display_finder.ts";
import type { GreeterAsk } from "./lightdm_log.ts";

const RETURN = 0xff0d;
const TAB = 0xff09;

/** One step of typing into a greeter. */
export type GreeterStep =
  | { type: "user" }
  | { type: "password" }
  | { type: "key"; keysym: number; name: string; shift?: true }
  /**
   * A pause; `forPrompt`: until the greeter asks its next question, where that can be seen
   * (LightDM's log: `typeIntoGreeter`'s `prompted`), else `ms`.
   */
  | { type: "pause"; ms: number; forPrompt?: true };

export interface GreeterProfile {
  id: GreeterId;
  /** Product name, for the log ("LightDM GTK greeter"). */
  name: string;
  steps: readonly GreeterStep[];
}

const USER: GreeterStep = { type: "user" };
const PASSWORD: GreeterStep = { type: "password" };
const ENTER: GreeterStep = { type: "key", keysym: RETURN, name: "Enter" };

/**
 * The profiles. LightDM GTK and GDM ask for the user name first, then (after PAM answers) for
 * the password in the same place: Enter, a pause, the password, Enter. GDM needs its user-name
 * entry focused (`disable-user-list=true`, or "Not listed?"); with its user list shown, the
 * typed name goes nowhere and the result says the login screen stayed. SDDM's themes show both
 * fields at once: Tab between them.
 */
export const GREETER_PROFILES: Readonly<Record<GreeterId, GreeterProfile>> = {
  lightdm_gtk: {
    id: "lightdm_gtk",
    name: "LightDM GTK greeter",
    steps: [USER, ENTER, { type: "pause", ms: 1000, forPrompt: true }, PASSWORD, ENTER],
  },
  gdm_xorg: {
    id: "gdm_xorg",
    name: "GDM (Xorg)",
    steps: [USER, ENTER, { type: "pause", ms: 1500 }, PASSWORD, ENTER],
  },
  sddm: {
    id: "sddm",
    name: "SDDM",
    steps: [USER, { type: "key", keysym: TAB, name: "Tab" }, PASSWORD, ENTER],
  },
  generic: {
    id: "generic",
    name: "login screen",
    steps: [USER, ENTER, { type: "pause", ms: 1000 }, PASSWORD, ENTER],
  },
};

/** The keys for one sign-in, and what they type in words (for the service's log). */
export interface SignInKeys {
  steps: readonly GreeterStep[];
  what: string;
}

/**
 * The LightDM GTK greeter's keys for what it asks now (lightdm_log.ts; null: not known, its
 * usual steps): a user name — the usual steps; the password of `user` — only the password
 * (a refused attempt left the name there, or its user list starts on that user); another
 * user's password with its name field (a refused attempt by someone else, with no list or
 * through the list's "Other…") — Shift+Tab back to the field first, whose text GTK then selects
 * so the name typed replaces it. With its user list on another user: null — no name is typed
 * there (it would go into that user's password field); the list is walked first
 * (`chooseListedUser`).
 */
export function lightdmKeys(ask: GreeterAsk | null, user: string): SignInKeys | null {
  const usual = {
    steps: GREETER_PROFILES.lightdm_gtk.steps,
    what: "the user name and the password",
  };
  if (ask === null || ask.asks === "name") return usual;
  if (ask.user === user) {
    return { steps: [PASSWORD, ENTER], what: "the password (it asks it for that user already)" };
  }
  if (!ask.nameField) return null;
  return {
    steps: [{ type: "key", keysym: TAB, name: "Shift+Tab", shift: true }, ...usual.steps],
    what: "the user name over the one it holds, and the password",
  };
}

/** A greeter process found running. */
export interface FoundGreeter {
  pid: number;
  profile: GreeterProfile;
  /** The DISPLAY in its environment (":0"), null when it has none or it cannot be read. */
  display: string | null;
  /** It draws with Wayland (GDM on Wayland, a Wayland client). */
  wayland: boolean;
}

function _base(path: string | undefined): string {
  return (path ?? "").split("/").pop() ?? "";
}

/**
 * The profile for a process's command line, or null when it is not a greeter. A script's
 * interpreter (`sh`, `python3`) runs it as its first argument: that name counts too.
 */
export function greeterProfileFor(argv: readonly string[]): GreeterProfile | null {
  const names = [_base(argv[0])];
  if (/^(sh|bash|dash|python3?|perl)$/.test(names[0]) && argv[1]) names.push(_base(argv[1]));
  for (const name of names) {
    if (name === "lightdm-gtk-greeter") return GREETER_PROFILES.lightdm_gtk;
    if (/^sddm-greeter(-qt\d)?$/.test(name)) return GREETER_PROFILES.sddm;
    if (name === "gnome-shell" && argv.some((arg) => arg === "--mode=gdm")) {
      return GREETER_PROFILES.gdm_xorg;
    }
    if (/^[a-z0-9-]+-greeter$/.test(name)) return GREETER_PROFILES.generic;
  }
  return null;
}

/** Reads a process's environment (NUL-separated) into a map; empty when unreadable. */
export function parseEnviron(raw: string | null): Map<string, string> {
  const env = new Map<string, string>();
  for (const part of (raw ?? "").split("\0")) {
    const at = part.indexOf("=");
    if (at > 0) env.set(part.slice(0, at), part.slice(at + 1));
  }
  return env;
}

/**
 * The greeters running here (`root` is for tests: a folder holding a fake `proc`). GDM's
 * greeter is a Wayland one when it runs under `gdm-wayland-session` — told by its environment
 * (WAYLAND_DISPLAY, XDG_SESSION_TYPE) or, when that cannot be read, by that session program
 * running while no `gdm-x-session` does.
 */
export async function findGreeters(options: { root?: string } = {}): Promise<FoundGreeter[]> {
  const root = (options.root ?? "/").replace(/\/$/, "");
  const found: FoundGreeter[] = [];
  let gdmWayland = false;
  let gdmX = false;
  for (const name of await namesIn(`${root}/proc`)) {
    if (!/^\d+$/.test(name)) continue;
    const argv = (await textOf(`${root}/proc/${name}/cmdline`) ?? "").split("\0").filter(Boolean);
    const program = _base(argv[0]);
    if (program === "gdm-wayland-session") gdmWayland = true;
    if (program === "gdm-x-session") gdmX = true;
    const profile = greeterProfileFor(argv);
    if (!profile) continue;
    const env = parseEnviron(await textOf(`${root}/proc/${name}/environ`));
    const display = env.get("DISPLAY")?.replace(/\.\d+$/, "") ?? null;
    const wayland = env.has("WAYLAND_DISPLAY") || env.get("XDG_SESSION_TYPE") === "wayland";
    found.push({ pid: Number(name), profile, display, wayland });
  }
  // Unreadable environments (not root): GDM says which session kind it started.
  for (const greeter of found) {
    if (greeter.profile.id === "gdm_xorg" && greeter.display === null && gdmWayland && !gdmX) {
      greeter.wayland = true;
    }
  }
  return found.sort((a, b) => a.pid - b.pid);
}

/** Whether to type, into which greeter — or the code saying why not. */
export type SignInPlan =
  | { ok: true; greeter: FoundGreeter }
  | {
    ok: false;
    code: Extract<SignInCode, "no_display" | "wayland" | "no_greeter" | "no_credentials">;
    greeter?: FoundGreeter;
  };

/**
 * Decides, from what the display finder and `findGreeters` learned, whether the service
 * types the credentials: only on an X display (null when there is none), into the one
 * greeter drawing there — its DISPLAY that display, or unknown while it is the only greeter
 * — and only with credentials for this connection. A Wayland greeter is refused by name: no
 * X input reaches it.
 */
export function planSignIn(input: {
  display: string | null;
  greeters: readonly FoundGreeter[];
  hasCredentials: boolean;
}): SignInPlan {
  const { display, greeters } = input;
  const waylandOne = greeters.find((g) => g.wayland);
  if (display === null) return { ok: false, code: waylandOne ? "wayland" : "no_display" };
  const screen = display.replace(/\.\d+$/, "");
  const here = greeters.filter((g) => !g.wayland && g.display === screen);
  const unknown = greeters.filter((g) => !g.wayland && g.display === null);
  const greeter = here[0] ?? (unknown.length === 1 && here.length === 0 ? unknown[0] : undefined);
  if (!greeter) {
    const waylandHere = greeters.find((g) => g.wayland && (g.display === screen || !g.display));
    return { ok: false, code: waylandHere ? "wayland" : "no_greeter" };
  }
  if (!input.hasCredentials) return { ok: false, code: "no_credentials", greeter };
  return { ok: true, greeter };
}
