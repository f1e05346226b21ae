/**
 * The support app's desktop at start (main.ts): the X display it was given (`--display`,
 * $DISPLAY) — or, started over SSH by LAN connect (`--find-display`), the desktop of the user
 * it runs as (unattended/user_display.ts; an SSH session's own DISPLAY would be its X
 * forwarding, not the desktop). A desktop that cannot be shared — none of that user's, a
 * missing library, a display that will not open, no backend for the system — gives a
 * `NoDesktop`, why in English (the technician, logs), in the customer's words (the terminal,
 * the window), and as data for the server (the hello's `noDesktop`).
 */
import type { AgentMessage } from "../protocol/mod.ts";
import { loadLibs } from "./media/vpx_ffi.ts";
import {
  describeDesktopProblem,
  type Desktop,
  desktopProblem,
  explainDesktopError,
  NoDesktop,
  openDesktop,
} from "./platform/mod.ts";
import { problemSaid } from "./platform/libraries.ts";
import { type AgentStrings, fill } from "./strings.ts";
import { findUserDisplay, seatDisplays } from "./unattended/user_display.ts";

export interface StartedDesktop {
  desktop: Desktop;
  /** Why it cannot be shared, in English; undefined when it can. */
  noDesktop?: string;
  /** The same in the customer's words. */
  noDesktopShown?: string;
  /** The same for the server. */
  noDesktopSaid?: Extract<AgentMessage, { type: "hello" }>["noDesktop"];
}

export async function startDesktop(
  options: {
    display?: string;
    findDisplay: boolean;
    strings: AgentStrings;
    log(line: string): void;
  },
): Promise<StartedDesktop> {
  const { strings, log } = options;
  let display = options.display;
  if (options.findDisplay && !display && Deno.build.os === "linux") {
    const user = (Deno.env.get("USER") ?? Deno.env.get("LOGNAME") ?? "").slice(0, 64);
    const found = await findUserDisplay({ uid: Deno.uid() ?? -1, seat: await seatDisplays() });
    if (!found.ok) {
      log(`no desktop to share: ${found.why}`);
      console.error(fill(strings.terminal.noDesktop, { why: strings.desktop.noDisplay }));
      return {
        desktop: new NoDesktop(),
        noDesktop: found.why,
        noDesktopShown: strings.desktop.noDisplay,
        noDesktopSaid: { reason: found.reason, ...(user && { user }) },
      };
    }
    log(`desktop found: ${found.how}`);
    display = found.display;
    Deno.env.set("DISPLAY", found.display);
    if (found.authority) Deno.env.set("XAUTHORITY", found.authority);
    else Deno.env.delete("XAUTHORITY");
  }
  try {
    const desktop = openDesktop({ display });
    loadLibs(); // the encoder's libraries, checked now rather than at the first frame
    return { desktop };
  } catch (error) {
    const named = display ?? Deno.env.get("DISPLAY");
    const problem = desktopProblem(error, named);
    const shown = describeDesktopProblem(problem, strings.desktop);
    console.error(fill(strings.terminal.noDesktop, { why: shown }));
    return {
      desktop: new NoDesktop(),
      noDesktop: explainDesktopError(error, named),
      noDesktopShown: shown,
      noDesktopSaid: problemSaid(problem),
    };
  }
}
