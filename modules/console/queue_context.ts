/**
 * What a queue row's HTML depends on besides the row itself (SPEC Q3, Q4): the reader's
 * language, the organisation's custom-field columns, the urgent threshold of the reader's
 * group and the buttons its permissions allow. Consoles that share all of these share the
 * rendered rows, so `key` names them.
 */
import { type AppDeps, type CurrentUser } from "../http/mod.ts";
import { listFields } from "../channels/mod.ts";
import type { Translator } from "../i18n/mod.ts";
import { can } from "../permissions/mod.ts";
import { type QueueRow, settingsFor } from "../support/mod.ts";

export interface QueueColumnField {
  id: string;
  label: string;
}

export interface RowContext {
  t: Translator;
  fields: readonly QueueColumnField[];
  urgentAfterMinutes: number;
  may: { hold: boolean; transfer: boolean; inlineEdit: boolean };
  /** Everything above (the language included) as one cache-key part. */
  key: string;
}

export async function rowContextFor(
  deps: AppDeps,
  user: CurrentUser,
  t: Translator,
): Promise<RowContext> {
  const [fields, settings] = await Promise.all([
    listFields(deps.db, user.orgId, { activeOnly: true }),
    settingsFor(deps.db, user.groupId),
  ]);
  const columns = fields.map((f) => ({ id: f.id, label: f.label }));
  const may = {
    hold: can(user, "hold"),
    transfer: can(user, "transfer"),
    inlineEdit: can(user, "inlineEdit"),
  };
  const flags = [may.hold, may.transfer, may.inlineEdit].map(Number).join("");
  const key = [
    t.lang,
    settings.urgentAfterWaiting,
    flags,
    ...columns.map((f) => `${f.id}=${f.label}`),
  ].join("|");
  return { t, fields: columns, urgentAfterMinutes: settings.urgentAfterWaiting, may, key };
}

export type RowAction = "start" | "hold" | "end" | "transfer" | "return" | "accept_lead" | "leave";

const START_FROM = new Set<string>(["waiting", "on_hold", "incoming", "outgoing", "invitation"]);
const END_FROM = new Set<string>([
  "active",
  "reconnecting",
  "offline",
  "rebooting",
  "closed",
  "timed_out",
  "closed_by_waiting_customer",
]);
const TRANSFER_FROM = new Set<string>(["waiting", "active", "on_hold", "incoming"]);

/** Waiting rows become urgent after the group's threshold (SPEC Q4). */
export const URGENT_STATUSES: ReadonlySet<string> = new Set(["waiting", "incoming"]);

/** The buttons a row shows: those its status allows and the reader's permissions grant. */
export function actionsFor(row: QueueRow, ctx: RowContext): RowAction[] {
  if (row.visibility === "monitored") return [];
  const status = row.entry.status;
  if (row.entry.role === "collaborator") return _collaboratorActions(row, ctx);
  const actions: RowAction[] = [];
  if (START_FROM.has(status)) actions.push("start");
  if (status === "active" && ctx.may.hold) actions.push("hold");
  if (END_FROM.has(status)) actions.push("end");
  if (TRANSFER_FROM.has(status) && ctx.may.transfer) actions.push("transfer");
  if (status === "incoming" && row.entry.fromUserId) actions.push("return");
  return actions;
}

/**
 * A collaborator's row (modules/collaboration): Start accepts an invitation or resumes its
 * own hold, Accept lead takes an offered lead, Hold holds only itself, Leave leaves.
 */
function _collaboratorActions(row: QueueRow, ctx: RowContext): RowAction[] {
  const { status, leadOfferedAt } = row.entry;
  if (status === "invitation" || status === "on_hold") {
    return status === "on_hold" ? ["start", "leave"] : ["start"];
  }
  if (status !== "collaborating") return ["closed", "timed_out"].includes(status) ? ["end"] : [];
  const actions: RowAction[] = leadOfferedAt ? ["accept_lead"] : [];
  if (ctx.may.hold) actions.push("hold");
  actions.push("leave");
  return actions;
}
