/**
 * What a technician's viewer may send over its socket, as a zod schema (the server checks every
 * frame against it). Input messages are the agent protocol's own schemas, one source of truth.
 * The island imports only the type (`ViewerInput` in `viewer.ts`), so zod stays on the server.
 */
import { z } from "zod";
import { INPUT_MESSAGES, WHITEBOARD_MESSAGES } from "./messages.ts";
import { QUALITY_PRESETS, SCREEN_ID_PATTERN, VIDEO_CODECS } from "./limits.ts";

export const ViewerInputSchema = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("view"), on: z.boolean() }),
  z.strictObject({ type: z.literal("control"), on: z.boolean() }),
  /** The answer to the offer `id` (an answer to an offer since replaced is ignored). */
  z.strictObject({
    type: z.literal("answer"),
    sdp: z.string().max(20_000),
    id: z.number().int().nonnegative(),
  }),
  z.strictObject({ type: z.literal("keyframe") }),
  /** No picture came for seconds: a new peer and offer, please (at most every 2 s). */
  z.strictObject({ type: z.literal("reoffer") }),
  z.strictObject({ type: z.literal("take_control") }),
  z.strictObject({ type: z.literal("request_control") }),
  z.strictObject({ type: z.literal("give_control"), userId: z.string().uuid() }),
  z.strictObject({ type: z.literal("decline_control") }),
  z.strictObject({ type: z.literal("quality"), preset: z.enum(QUALITY_PRESETS) }),
  z.strictObject({ type: z.literal("ping"), at: z.number().finite() }),
  /**
   * The codecs this viewer's browser decodes (islands/remote_view/codecs.ts), sent when its
   * socket opens. A viewer that never says: VP8 only.
   */
  z.strictObject({
    type: z.literal("codecs"),
    codecs: z.array(z.enum(VIDEO_CODECS)).max(VIDEO_CODECS.length),
    /**
     * The island draws the customer's pointer itself from `cursor` messages (protocol/cursor.ts);
     * an island that does not say gets it drawn into the picture.
     */
    cursor: z.boolean().optional(),
  }),
  /** Which of the customer's screens to show (null: all); see the agent's `screen`. */
  z.strictObject({
    type: z.literal("screen"),
    id: z.string().regex(SCREEN_ID_PATTERN).nullable(),
  }),
  ...INPUT_MESSAGES,
  ...WHITEBOARD_MESSAGES,
]);
export type ViewerInput = z.infer<typeof ViewerInputSchema>;
