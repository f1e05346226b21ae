import assert from "node:assert/strict";
import {
  KEYFRAME_AFTER_MS,
  type PictureSample,
  PictureWatch,
  REOFFER_AFTER_MS,
  REOFFER_MAX_MS,
} from "./picture_watch.ts";

const waiting = (now: number, more: Partial<PictureSample> = {}): PictureSample => ({
  now,
  wanted: true,
  picture: false,
  connection: null,
  ...more,
});

/** The asks of one sample a second from `from` to `to` (ms), as "t:ask". */
function run(watch: PictureWatch, from: number, to: number, more: Partial<PictureSample> = {}) {
  const asks: string[] = [];
  for (let now = from; now <= to; now += 1000) {
    const ask = watch.sample(waiting(now, more));
    if (ask) asks.push(`${now / 1000}:${ask}`);
  }
  return asks;
}

Deno.test("PictureWatch asks for a new offer when no picture comes, each wait twice as long", () => {
  const watch = new PictureWatch();
  // No offer ever came (or our answer went to a replaced peer): re-offer after 6 s, 12 s, 24 s…
  assert.deepEqual(run(watch, 0, 80_000), ["6:reoffer", "18:reoffer", "42:reoffer", "72:reoffer"]);
  assert.equal(REOFFER_AFTER_MS * 8 > REOFFER_MAX_MS, true, "the wait stops growing at 30 s");
});

Deno.test("PictureWatch asks for a keyframe while connected without a frame, then a new offer", () => {
  const watch = new PictureWatch();
  const asks = run(watch, 0, 6_000, { connection: "connected" });
  assert.deepEqual(asks, ["2:keyframe", "4:keyframe", "6:reoffer"]);
  assert.equal(KEYFRAME_AFTER_MS, 2_000);
});

Deno.test("PictureWatch: a new offer restarts the wait; a picture or not watching ends it", () => {
  const watch = new PictureWatch();
  assert.deepEqual(run(watch, 0, 4_000), []);
  watch.offered(4_500); // the server's offer (after a codec change, say): a fresh wait
  assert.deepEqual(run(watch, 5_000, 10_000), []);
  assert.deepEqual(run(watch, 11_000, 11_000), ["11:reoffer"]);
  // The picture came: nothing is asked, however long the screen stays still.
  assert.deepEqual(run(watch, 12_000, 60_000, { picture: true, connection: "connected" }), []);
  // Not watching (view off, revoked, the agent away, the socket down): nothing is asked.
  assert.deepEqual(run(watch, 61_000, 120_000, { wanted: false }), []);
  // Watching again: the first wait is 6 s again, not the grown one.
  assert.deepEqual(run(watch, 121_000, 127_000), ["127:reoffer"]);
});
