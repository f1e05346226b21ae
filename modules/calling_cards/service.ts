/**
 * Calling cards (SPEC C6): per channel, the branded support app a customer keeps on the
 * computer — name, text, help link, two colours, a logo — and the technician groups that may
 * deploy it. Admins change the cards of the channels they manage (channels' `managesChannel`
 * rule, through `getManagedChannel`); groups outside their reach are refused. Every bad field
 * is a clear refusal; every change is audited in its own transaction.
 */
import { and, eq, inArray } from "drizzle-orm";
import { recordAudit } from "../audit/mod.ts";
import { LOGO_MAX_BYTES, sniffLogo } from "../admin/mod.ts";
import { type Channel, getManagedChannel } from "../channels/mod.ts";
import type { AppDeps, CurrentUser } from "../http/mod.ts";
import { managedGroupIds } from "../org/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import { callingCardGroups, callingCards } from "./schema.ts";

export type CallingCard = typeof callingCards.$inferSelect & { groupIds: string[] };

const COLOUR = /^#[0-9a-f]{6}$/;

export interface CardInput {
  name: string;
  text: string;
  helpUrl: string;
  accent: string;
  background: string;
  groupIds: string[];
  /** A new logo (its bytes as uploaded), or null to keep the one there is. */
  logo: Uint8Array<ArrayBuffer> | null;
  removeLogo: boolean;
}

/** Checks every field; the first bad one is the refusal (422, its reason). */
export function checkCard(input: CardInput): void {
  const name = input.name.trim();
  if (name.length < 1 || name.length > 80) throw new Refusal(422, "callingCards.bad.name");
  if (input.text.length > 500) throw new Refusal(422, "callingCards.bad.text");
  if (input.helpUrl !== "" && !_httpUrl(input.helpUrl)) {
    throw new Refusal(422, "callingCards.bad.helpUrl");
  }
  for (const colour of [input.accent, input.background]) {
    if (!COLOUR.test(colour)) throw new Refusal(422, "callingCards.bad.colour");
  }
  if (input.logo) {
    if (input.logo.length > LOGO_MAX_BYTES) throw new Refusal(422, "callingCards.bad.logoSize");
    if (!sniffLogo(input.logo)) throw new Refusal(422, "callingCards.bad.logo");
  }
}

function _httpUrl(text: string): boolean {
  if (text.length > 300) return false;
  try {
    const url = new URL(text);
    return (url.protocol === "https:" || url.protocol === "http:") && !url.username &&
      !url.password;
  } catch {
    return false;
  }
}

/** The card of `channel`, or null. */
export async function cardOfChannel(
  deps: AppDeps,
  channelId: string,
): Promise<CallingCard | null> {
  const [card] = await deps.db.select().from(callingCards)
    .where(eq(callingCards.channelId, channelId));
  return card ? await _withGroups(deps, card) : null;
}

export async function cardById(deps: AppDeps, id: string): Promise<CallingCard | null> {
  if (!/^[0-9a-f-]{36}$/.test(id)) return null;
  const [card] = await deps.db.select().from(callingCards).where(eq(callingCards.id, id));
  return card ? await _withGroups(deps, card) : null;
}

async function _withGroups(deps: AppDeps, card: typeof callingCards.$inferSelect) {
  const rows = await deps.db.select({ groupId: callingCardGroups.groupId })
    .from(callingCardGroups).where(eq(callingCardGroups.cardId, card.id));
  return { ...card, groupIds: rows.map((r) => r.groupId) };
}

/** The channel, if `user` manages it (else a 404, as channels do). */
export async function managedChannel(
  deps: AppDeps,
  user: CurrentUser,
  channelId: string,
): Promise<Channel> {
  const channel = /^[0-9a-f-]{36}$/.test(channelId)
    ? await getManagedChannel(deps.db, user, channelId)
    : undefined;
  if (!channel) throw new Refusal(404, "callingCards.notFound");
  return channel;
}

/** Creates or updates the channel's card. */
export async function saveCard(
  deps: AppDeps,
  user: CurrentUser,
  channelId: string,
  input: CardInput,
): Promise<CallingCard> {
  const channel = await managedChannel(deps, user, channelId);
  checkCard(input);
  const managed = await managedGroupIds(deps.db, user);
  const groupIds = [...new Set(input.groupIds)];
  // A card with no group is one no technician can deploy, and its customers reach nobody.
  if (groupIds.length === 0) throw new Refusal(422, "callingCards.bad.noGroup");
  if (groupIds.some((id) => !managed.has(id))) throw new Refusal(422, "callingCards.bad.groups");
  const logo = input.logo
    ? {
      logoSha256: (await deps.files.put(new Blob([input.logo]).stream(), {
        maxBytes: LOGO_MAX_BYTES,
      })).sha256,
      logoType: sniffLogo(input.logo)!,
    }
    : input.removeLogo
    ? { logoSha256: null, logoType: null }
    : {};
  const now = deps.clock.now();
  const values = {
    name: input.name.trim(),
    text: input.text,
    helpUrl: input.helpUrl,
    accent: input.accent,
    background: input.background,
    ...logo,
    updatedAt: now,
  };
  const id = await deps.db.transaction(async (tx) => {
    const [card] = await tx.insert(callingCards).values({
      orgId: user.orgId,
      channelId: channel.id,
      createdAt: now,
      ...values,
    }).onConflictDoUpdate({ target: callingCards.channelId, set: values })
      .returning({ id: callingCards.id });
    await tx.delete(callingCardGroups).where(eq(callingCardGroups.cardId, card.id));
    if (groupIds.length > 0) {
      await tx.insert(callingCardGroups).values(groupIds.map((groupId) => ({
        cardId: card.id,
        groupId,
      })));
    }
    await recordAudit(tx, {
      orgId: user.orgId,
      actorId: user.id,
      actorEmail: user.email,
      action: "calling_card.saved",
      target: card.id,
      details: { channelId: channel.id, name: values.name, groupIds },
      at: now,
    });
    return card.id;
  });
  return (await cardById(deps, id))!;
}

export async function deleteCard(deps: AppDeps, user: CurrentUser, channelId: string) {
  const channel = await managedChannel(deps, user, channelId);
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    const gone = await tx.delete(callingCards).where(eq(callingCards.channelId, channel.id))
      .returning({ id: callingCards.id });
    if (gone.length === 0) return;
    await recordAudit(tx, {
      orgId: user.orgId,
      actorId: user.id,
      actorEmail: user.email,
      action: "calling_card.deleted",
      target: gone[0].id,
      details: { channelId: channel.id },
      at: now,
    });
  });
}

/** The cards a technician of `groupId` may deploy. */
export async function cardsForGroup(deps: AppDeps, orgId: string, groupId: string | null) {
  if (!groupId) return [];
  const rows = await deps.db.select({ card: callingCards }).from(callingCards)
    .innerJoin(callingCardGroups, eq(callingCardGroups.cardId, callingCards.id))
    .where(and(eq(callingCards.orgId, orgId), inArray(callingCardGroups.groupId, [groupId])));
  return rows.map((r) => r.card);
}
