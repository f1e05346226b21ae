// The contenders `deno task bench:remote` measures, in this order. The first one is the
// baseline the others are compared against (ratios are other / first). To add one,
// implement `Contender` (contender.ts) in its own file and append it here; pick contenders
// with `deno task bench:remote --only vnc,<name>`.
//
// Not listed, but available for checks: makeVncContender({ name, x11vncArgs }) for x11vnc
// variants (e.g. ["-noxdamage"], ["-xd_area", "0"]), and
// makeVncContender({ name: "vnc-video", viaVideo: true }), which hands the decoder a <video>
// (captureStream of noVNC's canvas) to exercise the harness's <video> path.
import type { Contender } from "./contender.ts";
import { rescueContender } from "./rescue.ts";
import { shareContender } from "./share.ts";
import { vncContender } from "./vnc.ts";

export const contenders: Contender[] = [
  vncContender,
  rescueContender,
  shareContender,
];
