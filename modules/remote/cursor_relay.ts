/**
 * The customer's pointer apart from the picture (issue 14, protocol/cursor.ts): whether the agent
 * is asked to send it so, the last place and shape it sent, and handing them to the viewers.
 *
 * Separate when the agent offered it (its hello's `separateCursor`) and every viewer of the
 * session said its island draws the pointer itself (`cursor` in its `codecs`); viewers that have
 * not said yet and do not watch are left out, as for the codec (codec_choice.ts). One viewer that
 * cannot turns the session back to the pointer drawn into the picture, its leaving turns it
 * separate again. With no viewer counted the mode stays as it is: a reloaded panel does not cost
 * the agent two switches. A new agent connection starts drawn in (as the agent does). While the
 * session is recorded the pointer is drawn in, whoever watches: a recording is the frames as
 * they pass (modules/recording), and one without the pointer would not show what was clicked.
 *
 * The pointer goes to exactly the viewers that get the picture (a peer: view granted and
 * watching); one that starts getting it is first sent the last place with the shape, and one that
 * stops, or every viewer when the pointer goes back into the picture, is sent `cursor: null`.
 */
import type { CursorShape, CursorState, ServerMessage, ViewerMessage } from "../../protocol/mod.ts";

/** The agent as the choice sees it. */
export interface CursorAgent {
  readonly separateCursor?: boolean;
  send(message: ServerMessage): void;
}

/** A viewer as the relay sees it. */
export interface CursorViewer {
  /** Its island draws the pointer (undefined: not said, or an older island). */
  readonly cursor?: boolean;
  /** Whether it has said what it decodes (the same `codecs` message carries `cursor`). */
  readonly codecs?: readonly unknown[];
  readonly watching?: boolean;
  /** Its picture's peer: the pointer goes where the picture goes. */
  readonly peer: unknown;
  send(message: ViewerMessage): void;
}

/**
 * Whether the agent should send the pointer apart (null: no viewer counted, keep the mode);
 * never while `recording`.
 */
export function chooseSeparate(
  agent: { readonly separateCursor?: boolean } | null,
  viewers: Iterable<CursorViewer>,
  recording = false,
): boolean | null {
  if (!agent?.separateCursor || recording) return false;
  let any = false;
  for (const viewer of viewers) {
    if (viewer.codecs === undefined && !viewer.watching) continue; // not said yet
    if (viewer.cursor !== true) return false;
    any = true;
  }
  return any ? true : null;
}

export class CursorRelay {
  #separate = false;
  #place: Omit<CursorState, "shape"> | null = null;
  #shape: CursorShape | null = null;

  /** Whether the agent was told to send the pointer apart. */
  get separate(): boolean {
    return this.#separate;
  }

  /** A new agent connection: it draws the pointer in until told; what the last one sent is gone. */
  attached(agent: CursorAgent, viewers: Iterable<CursorViewer>, recording = false) {
    const was = this.#separate;
    this.#separate = false;
    this.#place = null;
    this.#shape = null;
    if (was) this.#tellNull(viewers);
    this.choose(agent, viewers, recording);
  }

  /**
   * The viewers changed (joined, said, left) or a recording started or stopped (`recording`):
   * the agent is told when the mode changes.
   */
  choose(agent: CursorAgent | null, viewers: Iterable<CursorViewer>, recording = false) {
    const separate = chooseSeparate(agent, viewers, recording);
    if (!agent || separate === null || separate === this.#separate) return;
    this.#separate = separate;
    agent.send({ type: "cursorMode", separate });
    if (!separate) {
      this.#place = null;
      this.#tellNull(viewers);
    }
  }

  /** The agent's `cursor`: kept, and handed to every viewer that gets the picture. */
  fromAgent(state: CursorState, viewers: Iterable<CursorViewer>) {
    // Sent before the agent heard `cursorMode` off: its frames carry the pointer again.
    if (!this.#separate) return;
    const { shape, ...place } = state;
    this.#place = place;
    if (shape) this.#shape = shape;
    if (!this.#shape) return; // nothing to draw yet: the agent sends the shape first
    // The shape goes along when it is new; a viewer that joined since got it from `showTo`.
    const message: ViewerMessage = { type: "cursor", cursor: shape ? { ...place, shape } : place };
    for (const viewer of viewers) {
      if (!viewer.peer) continue;
      viewer.send(message);
    }
  }

  /** `viewer` starts getting the picture: the last place, with the shape. */
  showTo(viewer: CursorViewer) {
    if (!this.#separate || !this.#place || !this.#shape) return;
    viewer.send({ type: "cursor", cursor: { ...this.#place, shape: this.#shape } });
  }

  /** `viewer` stops getting the picture: it draws no pointer. */
  hideFrom(viewer: CursorViewer) {
    if (this.#separate) viewer.send({ type: "cursor", cursor: null });
  }

  #tellNull(viewers: Iterable<CursorViewer>) {
    for (const viewer of viewers) viewer.send({ type: "cursor", cursor: null });
  }
}
