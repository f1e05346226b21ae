/**
 * The customer page's held question (`GET /s/<t>/device?after=v`) wakes when the session ends,
 * wherever it ends. support's `whenSessionEnds` hook (`forgetDeviceInfoAtEnd`) runs only on the
 * instance that wrote the end, and in a cluster the board — and the question waiting on it —
 * may be on another (the device home, device_home.ts): without this the page heard of the end
 * only when its question timed out, up to `WAIT_MS` (25 s) later. Every end is published as a
 * `session` notice, which the live hub carries to every instance (modules/live, LISTEN/NOTIFY);
 * while a question is held here it listens for its session's notices (and `resync`, when some
 * may have been missed) and, once the session reads as ended, forgets the board's entry, which
 * wakes the question (board.ts `forget`).
 */
import type { AppDeps } from "../http/mod.ts";
import { loadSession } from "../support/mod.ts";
import { deviceBoard } from "./board.ts";

/**
 * Waits until the session's board passes version `after`, `ms` pass, `signal` aborts, or the
 * session ends on any instance (the board's entry is then forgotten here).
 */
export async function waitForDeviceNews(
  deps: AppDeps,
  session: { id: string; orgId: string },
  options: { after: number; ms: number; signal?: AbortSignal },
): Promise<void> {
  const board = deviceBoard(deps);
  const unsubscribe = deps.live.subscribe(session.orgId, (event) => {
    const about = event.kind === "resync" ||
      (event.kind === "session" && event.sessionId === session.id);
    if (!about) return;
    loadSession(deps.db, session.id)
      .then((now) => now.endedAt && board.forget(session.id))
      .catch(() => {});
  });
  try {
    await board.waitPast(session.id, options.after, options.ms, options.signal);
  } finally {
    unsubscribe();
  }
}
