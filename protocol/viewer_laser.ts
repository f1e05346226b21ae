/**
 * Server → viewer (a `ViewerMessage`, protocol/viewer.ts): another technician's laser pointer on
 * the customer's screen (SPEC R4), relayed as that window sends it (once per frame at most). The
 * agent's picture leaves the laser out (its own window paints its dot at once), so the session's
 * other viewers draw it over the picture themselves (modules/remote/whiteboard.ts relays it,
 * islands/remote_view/preview_overlay.ts paints it). An older island ignores it.
 */
export interface OthersLaser {
  type: "laser";
  /** The pointing window (the whiteboard's pen number for it: one per window, kept). */
  by: number;
  /** Its technician's name, shown beside the dot. */
  name: string;
  /** In the customer's screen pixels; null: that dot is gone (the laser off, the pointer off
   * the picture, that window closed, view taken back). */
  at: { x: number; y: number } | null;
}
