/**
 * Chat (SPEC T1–T2): a line from the customer or the technician, switching chat off, and
 * pushing a URL into the chat. A chat line counts as activity (the inactivity deadline
 * starts again) and is written in the same transaction as that deadline, before anyone is
 * told.
 */
import { and, eq, sql } from "drizzle-orm";
import { recordAudit } from "../audit/mod.ts";
import type { AppDeps, CurrentUser } from "../http/mod.ts";
import { enforce } from "../limits/mod.ts";
import { can } from "../permissions/mod.ts";
import { sessionForTechnician } from "./access.ts";
import {
  logEvent,
  permissionRefusal,
  rearmInactivity,
  sessionRefusal,
  settingsFor,
  type SupportSession,
} from "./engine.ts";
import { sessionLog, supportSessions } from "./schema.ts";
import { publishLogLine } from "./session_log.ts";

export const CHAT_MAX = 4000;

/** A chat line from the customer; persisted before anyone is told. */
export async function customerChat(
  deps: AppDeps,
  session: SupportSession,
  text: string,
  key?: string,
): Promise<number> {
  const body = _chatBody(text);
  _checkKey(key);
  if (!session.chatEnabled) throw sessionRefusal("chat.disabled", "Chat is disabled");
  if (session.endedAt) throw sessionRefusal("sessions.ended", "Session ended");
  // Whoever holds the link may chat, but not flood the log (throws RateLimited).
  await enforce(deps.db, { action: "customerChat", key: session.id, now: deps.clock.now() });
  return await _writeChat(deps, session, body, { author: "customer" }, key);
}

/**
 * A chat line from an external technician (modules/external checked its access to this one
 * session): a technician's line by name, without a user, marked with the guest's id; with
 * `audience: "technicians"` a line of the technicians' private chat.
 */
export async function externalChat(
  deps: AppDeps,
  session: SupportSession,
  guest: { id: string; name: string },
  text: string,
  key?: string,
  options: { audience?: "technicians" } = {},
): Promise<number> {
  const body = _chatBody(text);
  _checkKey(key);
  const audience = options.audience;
  if (!session.chatEnabled && !audience) throw sessionRefusal("chat.disabled", "Chat is off");
  if (session.endedAt) throw sessionRefusal("sessions.ended", "Session ended");
  await enforce(deps.db, {
    action: "customerChat",
    key: `external:${guest.id}`,
    now: deps.clock.now(),
  });
  return await _writeChat(deps, session, body, { author: "external", guest, audience }, key);
}

/**
 * A chat line from a technician working on the session. With `audience: "technicians"` it
 * is the technicians' private chat (collaboration, SPEC K3): stored with that audience,
 * shown to technicians marked "Technicians only", never to the customer (`isTechniciansOnly`);
 * it is written even while the customer's chat is off.
 */
export async function technicianChat(
  deps: AppDeps,
  user: CurrentUser,
  sessionId: string,
  text: string,
  key?: string,
  options: { audience?: "technicians" } = {},
): Promise<number> {
  const body = _chatBody(text);
  _checkKey(key);
  const { session } = await sessionForTechnician(deps, user, sessionId);
  const audience = options.audience;
  if (!session.chatEnabled && !audience) throw sessionRefusal("chat.disabled", "Chat is off");
  return await _writeChat(deps, session, body, { author: "technician", user, audience }, key);
}

export async function setChatEnabled(
  deps: AppDeps,
  user: CurrentUser,
  sessionId: string,
  enabled: boolean,
): Promise<void> {
  if (!can(user, "chatToggle")) {
    throw permissionRefusal("chatToggle");
  }
  const { session, granted } = await sessionForTechnician(deps, user, sessionId);
  if (!can(granted, "chatToggle")) throw permissionRefusal("chatToggle");
  const now = deps.clock.now();
  const id = await deps.db.transaction(async (tx) => {
    await tx.update(supportSessions).set({ chatEnabled: enabled, updatedAt: now })
      .where(eq(supportSessions.id, sessionId));
    await recordAudit(tx, {
      orgId: user.orgId,
      actorId: user.id,
      actorEmail: user.email,
      action: "session.chat_toggled",
      target: sessionId,
      details: { enabled },
      at: now,
    });
    return await logEvent(tx, sessionId, enabled ? "log.chatOn" : "log.chatOff", now, {}, {
      userId: user.id,
      name: user.name,
      author: "technician",
    });
  });
  deps.live.publish({ kind: "session", orgId: session.orgId, sessionId });
  publishLogLine(deps, session, id);
}

/** A link the technician sends; the customer's page shows it as a line to open. Audited. */
export async function pushUrl(
  deps: AppDeps,
  user: CurrentUser,
  sessionId: string,
  url: string,
): Promise<void> {
  if (!can(user, "pushUrls")) throw permissionRefusal("pushUrls");
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    throw sessionRefusal("sessions.badUrl", "Not a URL");
  }
  if (!["http:", "https:"].includes(parsed.protocol) || url.length > 2000) {
    throw sessionRefusal("sessions.badUrl", "Only http(s) URLs");
  }
  const { session, granted } = await sessionForTechnician(deps, user, sessionId);
  if (!can(granted, "pushUrls")) throw permissionRefusal("pushUrls");
  const now = deps.clock.now();
  const id = await deps.db.transaction(async (tx) => {
    const [row] = await tx.insert(sessionLog).values({
      sessionId,
      at: now,
      kind: "url",
      author: "technician",
      userId: user.id,
      authorName: user.name,
      body: parsed.href,
      data: {},
    }).returning({ id: sessionLog.id });
    await recordAudit(tx, {
      orgId: session.orgId,
      actorId: user.id,
      actorEmail: user.email,
      action: "session.url_pushed",
      target: sessionId,
      details: { url: parsed.href },
      at: now,
    });
    return row.id;
  });
  publishLogLine(deps, session, id);
}

function _chatBody(text: string): string {
  // A form sends a textarea's line breaks as CRLF, but its maxlength counted each as one
  // character: counted as sent, a message that fit the box was refused as too long.
  const body = text.replace(/\r\n?/g, "\n").trim();
  if (!body) throw sessionRefusal("chat.empty", "Empty message");
  if (body.length > CHAT_MAX) throw sessionRefusal("chat.tooLong", "Message too long");
  return body;
}

/**
 * A message's key from its sender (one per chat draft, `chatKey` in the forms): 8–64 letters,
 * digits, `-` or `_`. Left out, every request is a new message.
 */
const KEY = /^[A-Za-z0-9_-]{8,64}$/;

/** A fresh key for a chat form (a hidden `chatKey` field; the page makes a new one per send). */
export function newChatKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_")
    .replace(/=+$/, "");
}

function _checkKey(key: string | undefined) {
  if (key !== undefined && key !== "" && !KEY.test(key)) {
    throw sessionRefusal("chat.badKey", "The message key is malformed");
  }
}

/**
 * Stores one chat line and tells everyone. With a key, a request that comes again (the
 * browser resent it after a dropped connection, the sender retried) stores nothing new and
 * answers the line stored the first time.
 */
async function _writeChat(
  deps: AppDeps,
  session: SupportSession,
  body: string,
  by:
    | { author: "customer" }
    | { author: "technician"; user: CurrentUser; audience?: "technicians" }
    | { author: "external"; guest: { id: string; name: string }; audience?: "technicians" },
  key?: string,
): Promise<number> {
  const now = deps.clock.now();
  const settings = await settingsFor(deps.db, session.groupId);
  const clientKey = key || null;
  const written = await deps.db.transaction(async (tx) => {
    const [row] = await tx.insert(sessionLog).values({
      sessionId: session.id,
      at: now,
      kind: "chat",
      author: by.author === "external" ? "technician" : by.author,
      userId: by.author === "technician" ? by.user.id : null,
      authorName: by.author === "technician"
        ? by.user.name
        : by.author === "external"
        ? by.guest.name
        : session.customerName,
      body,
      data: by.author === "external"
        ? { externalId: by.guest.id, ...(by.audience ? { audience: by.audience } : {}) }
        : by.author === "technician" && by.audience
        ? { audience: by.audience }
        : {},
      clientKey,
    }).onConflictDoNothing({
      target: [sessionLog.sessionId, sessionLog.clientKey],
      where: sql`${sessionLog.clientKey} is not null`,
    }).returning({ id: sessionLog.id });
    if (!row) return null;
    await rearmInactivity(tx, session.id, settings, now);
    return row.id;
  });
  if (written !== null) {
    publishLogLine(deps, session, written);
    return written;
  }
  const [first] = await deps.db.select({ id: sessionLog.id }).from(sessionLog)
    .where(and(eq(sessionLog.sessionId, session.id), eq(sessionLog.clientKey, clientKey!)));
  return first.id;
}
