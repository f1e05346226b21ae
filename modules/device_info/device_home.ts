/**
 * Where a session's device board lives in a cluster (`device_homes`): its values and the
 * customer page's held question are in one instance's memory (board.ts), so the technician's
 * Device tab and the customer's requests must meet there. The first request about a session
 * claims the home — the instance holding the session's agent when it has one (modules/remote
 * `homeOf`), else the instance that got the request — and requests landing elsewhere are
 * relayed to it (`relayTo`, modules/remote). The home stays put while its instance lives
 * (the agent moving does not move the values). When it dies the row keeps no instance; the
 * next request claims the board here, and the board says its values were lost ("lost").
 */
import { and, eq, isNull } from "drizzle-orm";
import { liveInstanceUrl } from "../cluster/mod.ts";
import type { AppDeps } from "../http/mod.ts";
import { homeOf } from "../remote/mod.ts";
import { deviceBoard } from "./board.ts";
import { deviceHomes } from "./schema.ts";

export type DeviceHome = { kind: "here" } | { kind: "elsewhere"; instanceId: string; url: string };

/** The session's device home, claimed now when it has none or its instance died. */
export async function deviceHome(deps: AppDeps, sessionId: string): Promise<DeviceHome> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const [row] = await deps.db.select({ instanceId: deviceHomes.instanceId })
      .from(deviceHomes).where(eq(deviceHomes.sessionId, sessionId));
    const held = row?.instanceId ?? null;
    if (held === deps.instance.id) return { kind: "here" };
    if (held) {
      const url = await liveInstanceUrl(deps.db, held, deps.clock.now());
      if (url) return { kind: "elsewhere", instanceId: held, url };
    }
    // No home yet (the agent's, if any), or a dead one (then here, and the values are lost).
    const agent = row ? { kind: "none" as const } : await homeOf(deps, sessionId);
    const claim = agent.kind === "elsewhere" ? agent.instanceId : deps.instance.id;
    const now = deps.clock.now();
    const won = row
      ? await deps.db.update(deviceHomes).set({ instanceId: claim, since: now })
        .where(and(
          eq(deviceHomes.sessionId, sessionId),
          held ? eq(deviceHomes.instanceId, held) : isNull(deviceHomes.instanceId),
        ))
        .returning({ sessionId: deviceHomes.sessionId })
      : await deps.db.insert(deviceHomes)
        .values({ sessionId, instanceId: claim, since: now })
        .onConflictDoNothing()
        .returning({ sessionId: deviceHomes.sessionId });
    // Another instance claimed it meanwhile: read again.
    if (won.length === 0) continue;
    if (row) deviceBoard(deps).lost(sessionId, now.getTime());
    if (agent.kind === "elsewhere") {
      return { kind: "elsewhere", instanceId: agent.instanceId, url: agent.url };
    }
    return { kind: "here" };
  }
  // Claims raced three times: handle it here rather than fail the request.
  return { kind: "here" };
}
