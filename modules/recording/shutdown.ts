/**
 * A server that stops (SIGTERM, SIGINT: an upgrade, a restart) finishes the parts it is writing
 * before it exits: each file gets its Segment size and Duration and each row its end and size,
 * as a Stop would — without this a restart left every recording in progress without a length
 * ("unfinished" on its record page, 0.0 MB) and its file without a duration to seek by.
 */
import type { AppDeps } from "../http/mod.ts";
import { remoteHub } from "../remote/mod.ts";
import { recorderOf } from "./session_recorders.ts";

/** Stops every recording this app is writing; resolves once their parts are on disk. */
export async function finishRecordings(deps: AppDeps): Promise<void> {
  const stops = remoteHub(deps).all().map((remote) => recorderOf(remote)?.stop(null));
  await Promise.allSettled(stops);
}
