/**
 * Whether the screen can be captured, as the technicians are told (`capture` in protocol/): a
 * grab that fails — Windows' secure desktop (a UAC prompt, the lock or the sign-in screen), an X
 * server refusing the copy — pauses the picture, and the first grab that works again resumes it.
 * One message at each change, not one a tick; a new connection (the agent reconnected while the
 * pause lasts) hears it again, since the server forgets a pause with the connection. The log,
 * which is the customer's terminal, gets one line per failure text and one when it works again.
 */
import type { AgentMessage, CapturePauseReason } from "../protocol/mod.ts";
import { SecureDesktopError } from "./platform/types.ts";

/** Where the notice goes: the connection's message side (screen.ts's `Link`). */
export interface NoticeLink {
  send(message: AgentMessage): void;
}

/** The reason a technician can act on, from what the grab threw. */
export function pauseReason(error: unknown): CapturePauseReason {
  return error instanceof SecureDesktopError ? "secure_desktop" : "failed";
}

export class CaptureNotice {
  /** The failure's text last logged (null: capturing). */
  #failing: string | null = null;
  #reason: CapturePauseReason | null = null;
  /** The connection that heard the current pause. */
  #told: NoticeLink | null = null;

  constructor(private readonly log: (line: string) => void = () => {}) {}

  /** Paused now, and why (null: the screen is captured). */
  get paused(): CapturePauseReason | null {
    return this.#reason;
  }

  /** A grab (or its encode) threw. */
  failed(error: unknown, link: NoticeLink | null): void {
    const text = String(error);
    if (text !== this.#failing) {
      this.#failing = text;
      this.log(`capture failed: ${text} (said once until it works again)`);
    }
    const reason = pauseReason(error);
    if (reason === this.#reason && link === this.#told) return;
    this.#reason = reason;
    this.#told = link;
    link?.send({ type: "capture", paused: true, reason, detail: text.slice(0, 200) });
  }

  /** A capture went through: a pause said before is over. */
  works(link: NoticeLink | null): void {
    if (this.#failing === null) return;
    this.#failing = null;
    this.#reason = null;
    this.log("capture works again");
    if (this.#told) link?.send({ type: "capture", paused: false });
    this.#told = null;
  }
}
