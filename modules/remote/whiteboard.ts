/**
 * The technician's whiteboard and laser pointer on the customer's screen (SPEC R4), as a
 * `RemoteSession` (hub.ts) relays them: what may pass to the agent and when, decided here so
 * the rule is one function (`whiteboardRefusal`), tested row by row.
 *
 * - Only to an agent that said it can show drawings (its hello's `whiteboard`); a browser share
 *   cannot draw on the customer's screen at all (`needs_app`).
 * - Only while the customer shares the screen (view granted); the agent checks that again.
 * - Strokes, Clear and Undo only while the whiteboard is on; while it is on, nobody's input passes
 *   (hub.ts `input`: "no control while on").
 * - The laser needs no whiteboard; the window that shows it hides it when it goes.
 * - The agent's picture leaves the laser out (agent/platform/laser_patch.ts; the pointing window
 *   paints its own dot), so each laser move goes to the session's other watching viewers too
 *   (ViewerMessage `laser`, with that window's pen number and technician's name): a colleague or
 *   a monitoring admin sees where it points. Its end — the laser off, that window gone, the
 *   drawings reset — reaches every other viewer, so no dot stays behind.
 * - Undo takes back the last line of the window that asks (what its own preview drops too), so
 *   each stroke goes out with that window's number (`by`) — only to an agent whose hello offered
 *   `whiteboardUndo`: an older one's strict decoder would refuse the field and Undo itself
 *   (`no_undo`; the island disables the button with the reason).
 */
import type { WhiteboardMessage } from "../../protocol/mod.ts";
import type { AgentLink, ViewerLink } from "./session_links.ts";

/** Why a whiteboard message is not passed on (a `remote.refused.<code>`), or null. */
export type WhiteboardRefusal =
  | "agent_absent"
  | "needs_app"
  | "no_overlay"
  | "no_undo"
  | "view_not_granted"
  | "whiteboard_off";

export function whiteboardRefusal(
  message: WhiteboardMessage,
  at: { agent: AgentLink | null; viewGranted: boolean; on: boolean },
): WhiteboardRefusal | null {
  if (message.type === "whiteboard" && !message.on) return null; // turning it off always may
  if (message.type === "laser" && message.at === null) return null; // so may hiding the laser
  if (!at.agent) return "agent_absent";
  if (at.agent.viewOnly) return "needs_app";
  if (!at.agent.whiteboard) return "no_overlay";
  if (message.type === "whiteboardUndo" && !at.agent.whiteboardUndo) return "no_undo";
  if (!at.viewGranted) return "view_not_granted";
  const drawn = ["stroke", "whiteboardClear", "whiteboardUndo"].includes(message.type);
  if (drawn && !at.on) {
    return "whiteboard_off";
  }
  return null;
}

/** The session's whiteboard state: on or off, and whose window shows the laser. */
export class WhiteboardState {
  on = false;
  /** The window whose laser shows on the customer's screen now (hidden when it leaves). */
  laserBy: ViewerLink | null = null;
  /** Each drawing window's number (`by`), given at its first line; kept for the session. */
  readonly #pens = new WeakMap<ViewerLink, number>();
  #nextPen = 1;
  /** The windows whose dot the other viewers draw now, and where it is. */
  readonly #pointing = new Map<ViewerLink, { x: number; y: number }>();

  /**
   * Passes `message` to the agent unless refused; returns the refusal, or null. `changed` is
   * true when the whiteboard went on or off (the viewers and the log hear it).
   */
  relay(
    message: WhiteboardMessage,
    from: ViewerLink,
    at: { agent: AgentLink | null; viewGranted: boolean; viewers: Iterable<ViewerLink> },
  ): { refused: WhiteboardRefusal | null; changed: boolean } {
    const refused = whiteboardRefusal(message, { ...at, on: this.on });
    if (refused) return { refused, changed: false };
    let changed = false;
    if (message.type === "whiteboard") {
      changed = message.on !== this.on;
      this.on = message.on;
    }
    if (message.type === "laser") this.laserBy = message.at ? from : null;
    at.agent?.send(this.#signed(message, from, at.agent.whiteboardUndo === true));
    if (message.type === "laser") this.#tellLaser(from, message.at, at.viewers);
    return { refused: null, changed };
  }

  /** A line or Undo with the window's number (an older agent: without any, as it knows them). */
  #signed(message: WhiteboardMessage, from: ViewerLink, owners: boolean): WhiteboardMessage {
    if (message.type !== "stroke" && message.type !== "whiteboardUndo") return message;
    const { by: _ignored, ...plain } = message; // a viewer does not name the pen itself
    if (!owners) return plain;
    return { ...plain, by: this.#pen(from) };
  }

  #pen(from: ViewerLink): number {
    let by = this.#pens.get(from);
    if (by === undefined) this.#pens.set(from, by = this.#nextPen++);
    return by;
  }

  /** The other viewers hear where `from`'s dot is: moves those watching, its end all of them. */
  #tellLaser(from: ViewerLink, at: { x: number; y: number } | null, viewers: Iterable<ViewerLink>) {
    if (at) this.#pointing.set(from, at);
    else if (!this.#pointing.delete(from)) return; // nobody draws it
    const message = { type: "laser", by: this.#pen(from), name: from.name, at } as const;
    for (const viewer of viewers) {
      if (viewer !== from && (at === null || viewer.watching)) viewer.send(message);
    }
  }

  /** A viewer starts watching: it hears where the other windows' dots rest now. */
  watching(viewer: ViewerLink) {
    for (const [from, at] of this.#pointing) {
      if (from !== viewer) viewer.send({ type: "laser", by: this.#pen(from), name: from.name, at });
    }
  }

  /** A viewer left: its laser is hidden on the customer's screen and on the other viewers'. */
  left(viewer: ViewerLink, agent: AgentLink | null, viewers: Iterable<ViewerLink>) {
    this.#tellLaser(viewer, null, viewers);
    if (this.laserBy !== viewer) return;
    this.laserBy = null;
    agent?.send({ type: "laser", at: null });
  }

  /**
   * The agent no longer shows anything (view taken back, a new link, the customer removed
   * the drawings): returns whether the whiteboard was on. The other viewers' dots go too.
   */
  reset(viewers: Iterable<ViewerLink>): boolean {
    for (const from of [...this.#pointing.keys()]) this.#tellLaser(from, null, viewers);
    const was = this.on;
    this.on = false;
    this.laserBy = null;
    return was;
  }
}
