/**
 * The Transfer dialog (SPEC Q6): who a session can go to — technicians who are online right
 * now (only with `seeOtherTechnicians`), groups and channels of the organisation — and a
 * note for the recipient. Presence is the same rule `transferSession` checks again.
 */
import { and, asc, eq, inArray } from "drizzle-orm";
import { users } from "../auth/mod.ts";
import { channels } from "../channels/mod.ts";
import type { AppDeps, CurrentUser, PageContext } from "../http/mod.ts";
import { technicianGroups } from "../org/mod.ts";
import { can } from "../permissions/mod.ts";
import { presenceOf, type TransferTarget } from "../support/mod.ts";

type C = PageContext;

interface Named {
  id: string;
  name: string;
}

export interface TransferTargets {
  technicians: Named[];
  groups: Named[];
  channels: Named[];
}

export async function transferTargets(deps: AppDeps, user: CurrentUser): Promise<TransferTargets> {
  const { db } = deps;
  const groups = await db.select({ id: technicianGroups.id, name: technicianGroups.name })
    .from(technicianGroups).where(eq(technicianGroups.orgId, user.orgId))
    .orderBy(asc(technicianGroups.name));
  const channelRows = await db.select({ id: channels.id, name: channels.name }).from(channels)
    .where(and(eq(channels.orgId, user.orgId), eq(channels.active, true)))
    .orderBy(asc(channels.name));
  let technicians: Named[] = [];
  if (can(user, "seeOtherTechnicians") && groups.length > 0) {
    const presence = await presenceOf(db, groups.map((g) => g.id), deps.clock.now());
    const online = [...presence].filter(([id, p]) => p === "online" && id !== user.id)
      .map(([id]) => id);
    technicians = online.length === 0 ? [] : await db.select({ id: users.id, name: users.name })
      .from(users).where(inArray(users.id, online)).orderBy(asc(users.name));
  }
  return { technicians, groups, channels: channelRows };
}

const TARGET = /^(technician|group|channel):([0-9a-f-]{36})$/;

/** `technician:<uuid>` and the like → a target; anything else → null. */
export function parseTarget(value: string | undefined): TransferTarget | null {
  const match = TARGET.exec(value ?? "");
  if (!match) return null;
  return { kind: match[1] as TransferTarget["kind"], id: match[2] };
}

export function TransferDialog(
  props: { c: C; sessionId: string; number: number; targets: TransferTargets },
) {
  const { c, sessionId, targets } = props;
  const t = c.get("t");
  const group = (label: string, kind: TransferTarget["kind"], items: Named[]) =>
    items.length > 0 && (
      <optgroup label={label}>
        {items.map((item) => <option value={`${kind}:${item.id}`}>{item.name}</option>)}
      </optgroup>
    );
  return (
    <div
      class="card dialog"
      id="transfer-dialog"
      role="dialog"
      aria-labelledby="transfer-title"
      data-transfer-session={sessionId}
    >
      <h2 id="transfer-title">{t("console.transferTitle", { number: props.number })}</h2>
      <form
        id="transfer-form"
        hx-post={`/console/sessions/${sessionId}/transfer`}
        hx-target="#dialog"
      >
        <label for="transfer-target">{t("console.transferTo")}</label>
        <select id="transfer-target" name="target" required>
          {group(t("console.transferTechnicians"), "technician", targets.technicians)}
          {group(t("console.transferGroups"), "group", targets.groups)}
          {group(t("console.transferChannels"), "channel", targets.channels)}
        </select>
        {can(c.get("user"), "seeOtherTechnicians") && targets.technicians.length === 0 && (
          <p class="muted">{t("console.nobodyOnline")}</p>
        )}
        <label for="transfer-note">{t("console.transferNote")}</label>
        <textarea id="transfer-note" name="note" maxlength={1000} rows={3}></textarea>
        <div class="row">
          <button type="submit">{t("console.action_transfer")}</button>
          <button type="button" class="secondary" data-close-dialog="dialog">
            {t("console.close")}
          </button>
        </div>
      </form>
    </div>
  );
}
