/**
 * The running app's Lens sessions: at most one per technician (SPEC M1), found by the
 * technician or by the customer's link token. Each has its record (`lens_sessions`,
 * record.ts: created, live, recorded, invited, ended — written in order, one session's writes
 * one after another); start and end are audited too (`lens.started`, `lens.ended` with the
 * reason) and logged. A link nobody opened ends after `WAITING_MS`, a session no page of the
 * technician follows any more after `ABANDONED_MS`.
 *
 * In memory on the instance that started it, its home (`lens_homes`, lens_home.ts): with
 * several instances the customer's link and the technician's page that land elsewhere are
 * relayed there (routes.tsx), and "one per technician" holds across instances.
 */
import { recordAudit } from "../audit/mod.ts";
import type { AppDeps } from "../http/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import { claimLensHome, releaseLensHome } from "./lens_home.ts";
import {
  closeLensRecord,
  type LensRecord,
  markLensInvited,
  markLensLive,
  openLensRecord,
  recentLensRecords,
} from "./record.ts";
import type { LensSentVia } from "./schema.ts";
import { lensRecorderSource } from "./recorder_slot.ts";
import {
  ABANDONED_MS,
  type LensEndReason,
  type LensOwner,
  LensSession,
  RECONNECT_MS,
} from "./lens_session.ts";

/** How long a link may wait for the phone before the session ends by itself. */
export const WAITING_MS = 30 * 60_000;

export class LensRegistry {
  readonly #byUser = new Map<string, LensSession>();
  readonly #byToken = new Map<string, LensSession>();
  /** Each session's record writes, one after another (created before live before ended). */
  readonly #writes = new WeakMap<LensSession, Promise<void>>();

  constructor(
    private deps: AppDeps,
    readonly options: { waitingMs: number; abandonedMs: number; reconnectMs?: number } = {
      waitingMs: WAITING_MS,
      abandonedMs: ABANDONED_MS,
      reconnectMs: RECONNECT_MS,
    },
  ) {}

  /** The technician's running Lens session. */
  ofTechnician(userId: string): LensSession | undefined {
    return this.#byUser.get(userId);
  }

  /** The running Lens session of a customer's link. */
  ofToken(token: string): LensSession | undefined {
    return this.#byToken.get(token);
  }

  /** Starts the technician's Lens session; refused (409) while one runs. */
  async start(owner: LensOwner, ip: string | null): Promise<LensSession> {
    if (this.#byUser.has(owner.userId)) throw new Refusal(409, "lens.alreadyRunning");
    const session: LensSession = new LensSession(owner, {
      hostAddresses: ["127.0.0.1"],
      onEnded: (reason) => this.#ended(session, reason),
      abandonedMs: this.options.abandonedMs,
      reconnectMs: this.options.reconnectMs,
    });
    this.#byUser.set(owner.userId, session);
    // One per technician across instances too: a session on another live instance refuses.
    const claimed = await claimLensHome(this.deps, {
      id: session.id,
      userId: owner.userId,
      token: session.token,
    }).catch((error) => {
      this.#byUser.delete(owner.userId);
      throw error;
    });
    if (!claimed) {
      this.#byUser.delete(owner.userId);
      throw new Refusal(409, "lens.alreadyRunning");
    }
    try {
      await openLensRecord(this.deps, {
        id: session.id,
        orgId: owner.orgId,
        technicianId: owner.userId,
        groupId: owner.groupId,
        at: this.deps.clock.now(),
      });
    } catch (error) {
      this.#byUser.delete(owner.userId);
      await releaseLensHome(this.deps, session.id).catch(() => {});
      throw error;
    }
    this.#writes.set(session, Promise.resolve());
    this.#byToken.set(session.token, session);
    const expiry = setTimeout(() => {
      if (session.state.phase === "waiting") session.end("expired");
    }, this.options.waitingMs);
    // The timer alone keeps no process alive (a test's, a server stopping).
    Deno.unrefTimer(expiry);
    let live = false;
    session.listen((event) => {
      if (event.kind !== "state") return;
      if (event.state.phase !== "waiting") clearTimeout(expiry);
      const at = this.deps.clock.now();
      if (event.state.phase === "live" && !live) {
        live = true;
        this.#write(session, () => markLensLive(this.deps, session.id, at));
      }
    });
    // Its recorder (modules/recording): the record's `recorded` is set by the part's row, when
    // a file is really written.
    const recorders = lensRecorderSource(this.deps);
    if (recorders) {
      session.attachRecorder(recorders.create({
        id: session.id,
        orgId: owner.orgId,
        groupId: owner.groupId,
        technician: { id: owner.userId, name: owner.name },
        wantKeyframe: () => session.wantKeyframe(),
        recordingChanged: () => session.recordingChanged(),
        sendsAudio: () => session.state.audio,
        recordingFailed: () => session.recordingFailed(),
      }));
    }
    this.deps.log.info("lens started", { lens: session.id, user: owner.userId });
    await recordAudit(this.deps.db, {
      orgId: owner.orgId,
      actorId: owner.userId,
      action: "lens.started",
      target: session.id,
      ip,
      at: this.deps.clock.now(),
    });
    return session;
  }

  /** The technician's ended Lens sessions, newest first, from their records. */
  async recent(owner: { userId: string; orgId: string }, limit = 10): Promise<LensRecord[]> {
    return await recentLensRecords(this.deps, owner, limit);
  }

  /** The link went to the customer through the product's outbox: the record says how. */
  invited(
    session: LensSession,
    invite: { via: Exclude<LensSentVia, "link">; customerName: string | null },
  ): Promise<void> {
    return this.#write(session, () => markLensInvited(this.deps, session.id, invite));
  }

  /** Every running session (a shutdown or a test ends them). */
  all(): LensSession[] {
    return [...this.#byUser.values()];
  }

  #ended(session: LensSession, reason: LensEndReason) {
    if (this.#byUser.get(session.owner.userId) === session) {
      this.#byUser.delete(session.owner.userId);
    }
    this.#byToken.delete(session.token);
    const seconds = Math.round((Date.now() - session.startedAt) / 1000);
    const frames = session.framesIn;
    this.deps.log.info("lens ended", { lens: session.id, reason, seconds, frames });
    const released = releaseLensHome(this.deps, session.id)
      .catch((error) => this.deps.log.error("lens home release failed", { error: String(error) }));
    const at = this.deps.clock.now();
    const closed = this.#write(
      session,
      () => closeLensRecord(this.deps, session.id, { reason, at }),
    );
    const audited = recordAudit(this.deps.db, {
      orgId: session.owner.orgId,
      actorId: reason === "technician" ? session.owner.userId : null,
      action: "lens.ended",
      target: session.id,
      details: {
        reason,
        seconds,
        technician: session.owner.name,
        technicianId: session.owner.userId,
        ...(session.customerName ? { customer: session.customerName } : {}),
      },
      at,
    }).catch((error) => this.deps.log.error("lens audit failed", { error: String(error) }));
    // The recording's last part is complete before the End button's page lists the session.
    const recording = session.recorderClosed()
      .catch((error) => this.deps.log.error("lens recording failed", { error: String(error) }));
    this.#writes.set(
      session,
      Promise.all([closed, released, audited, recording]).then(() => {}),
    );
  }

  /**
   * Queues one write of the session's record after the ones before it; a failed write is
   * logged (the session runs on: its record is what is lost, said in the log).
   */
  #write(session: LensSession, write: () => Promise<void>): Promise<void> {
    const next = (this.#writes.get(session) ?? Promise.resolve()).then(write)
      .catch((error) => this.deps.log.error("lens record failed", { error: String(error) }));
    this.#writes.set(session, next);
    return next;
  }

  /**
   * Resolves once an ended session's record is written (the End button's page lists it at
   * once); at once for a session still running.
   */
  async recorded(session: LensSession): Promise<void> {
    await this.#writes.get(session);
  }
}

export type { LensRecord };

const registries = new WeakMap<AppDeps, LensRegistry>();

/** The app's Lens sessions (one registry per running app). */
export function lensRegistry(deps: AppDeps): LensRegistry {
  let registry = registries.get(deps);
  if (!registry) registries.set(deps, registry = new LensRegistry(deps));
  return registry;
}
