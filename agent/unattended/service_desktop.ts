/**
 * The unattended service's desktop: the display it finds (display_finder.ts: the login
 * screen's X server, or the configured display), opened — or why there is none, in words for
 * its log and window and as the hello's `noDesktop` for the server, the same code a support
 * app sends (desktop_start.ts), so the technician's workspace and queue say it and offer no
 * view or control.
 */
import type { AgentMessage } from "../../protocol/mod.ts";
import { problemSaid } from "../platform/libraries.ts";
import { type Desktop, desktopProblem, explainDesktopError, NoDesktop } from "../platform/mod.ts";
import { attachToDisplay } from "./display_finder.ts";

type Hello = Extract<AgentMessage, { type: "hello" }>;

export interface ServiceDesktop {
  desktop: Desktop;
  /** The display shared (null: none). */
  display: string | null;
  /** Why there is none, in English (the log, the service's window). */
  why?: string;
  /** The same for the server (the hello's `noDesktop`). */
  said?: NonNullable<Hello["noDesktop"]>;
}

/**
 * Finds the service's display and opens it with `open` (the X11 desktop and the encoder's
 * libraries; a missing one is said as such). `root` is for tests ("/" otherwise).
 */
export async function findServiceDesktop(
  configured: string | undefined,
  options: { log: (line: string) => void; open: (display: string) => Desktop; root?: string },
): Promise<ServiceDesktop> {
  const found = await attachToDisplay(configured, options.log, { root: options.root });
  if (found.display === null) {
    return {
      desktop: new NoDesktop(),
      display: null,
      why: found.why,
      said: { reason: found.reason },
    };
  }
  try {
    return { desktop: options.open(found.display), display: found.display };
  } catch (error) {
    return {
      desktop: new NoDesktop(),
      display: null,
      why: explainDesktopError(error, found.display),
      said: problemSaid(desktopProblem(error, found.display)),
    };
  }
}

/** The service's hello for a connection: its screen, or why it has none. */
export function serviceHello(
  base: Omit<Hello, "type" | "screen" | "keyboard" | "noDesktop">,
  found: ServiceDesktop,
): Omit<Hello, "type"> {
  return {
    ...base,
    screen: { width: found.desktop.width, height: found.desktop.height },
    keyboard: found.desktop.keyboardLayout(),
    ...(found.said && { noDesktop: found.said }),
  };
}
