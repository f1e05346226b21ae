/**
 * A Lens session's record made in code for the reports' tests: opened, live, invited, recorded
 * and ended at the given times through record.ts — the registry's own writes — without a phone.
 */
import type { AppDeps } from "../http/mod.ts";
import type { LensEndReason } from "./lens_session.ts";
import {
  closeLensRecord,
  markLensInvited,
  markLensLive,
  markLensRecorded,
  openLensRecord,
} from "./record.ts";

export interface LensRecordFixture {
  technician: { id: string; orgId: string; groupId: string | null };
  createdAt: Date;
  liveAt?: Date;
  endedAt?: Date;
  reason?: LensEndReason;
  customer?: string;
  via?: "email" | "sms";
  recorded?: boolean;
}

/** Writes one record as the registry would over the session's life; returns its id. */
export async function lensRecordFixture(deps: AppDeps, f: LensRecordFixture): Promise<string> {
  const id = crypto.randomUUID();
  await openLensRecord(deps, {
    id,
    orgId: f.technician.orgId,
    technicianId: f.technician.id,
    groupId: f.technician.groupId,
    at: f.createdAt,
  });
  if (f.via) {
    await markLensInvited(deps, id, { via: f.via, customerName: f.customer ?? null });
  }
  if (f.liveAt) await markLensLive(deps, id, f.liveAt);
  if (f.recorded) await markLensRecorded(deps.db, id);
  if (f.endedAt) {
    await closeLensRecord(deps, id, { reason: f.reason ?? "technician", at: f.endedAt });
  }
  return id;
}
