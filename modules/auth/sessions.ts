import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { and, eq, gt, inArray, ne } from "drizzle-orm";
import type { Database } from "../db/mod.ts";
import type { AppEnv } from "../http/mod.ts";
import { randomToken, sha256Hex } from "../tokens/mod.ts";
import { users, webSessions } from "./schema.ts";

export type SessionStage = "mfa" | "enrol" | "full";

const IDLE_MS = 12 * 3_600_000;
const ABSOLUTE_MS = 7 * 86_400_000;
const PARTIAL_MS = 10 * 60_000;
const TOUCH_EVERY_MS = 60_000;

export function sessionCookieName(secure: boolean): string {
  return secure ? "__Host-rs_session" : "rs_session";
}

/** Starts a session of `stage`, sets the cookie and returns the stored id (a hash). */
export async function startSession(
  c: Context<AppEnv>,
  options: { userId: string; stage: SessionStage; ip: string; idToken?: string | null },
): Promise<string> {
  const { db, clock, config } = c.get("deps");
  const token = randomToken();
  const id = await sha256Hex(token);
  const now = clock.now();
  const ttl = options.stage === "full" ? IDLE_MS : PARTIAL_MS;
  await db.insert(webSessions).values({
    id,
    userId: options.userId,
    stage: options.stage,
    ip: options.ip,
    userAgent: c.req.header("user-agent")?.slice(0, 300) ?? null,
    createdAt: now,
    lastSeenAt: now,
    expiresAt: new Date(now.getTime() + ttl),
    idToken: options.idToken ?? null,
  });
  setCookie(c, sessionCookieName(config.secureCookies), token, {
    path: "/",
    httpOnly: true,
    sameSite: "Lax",
    secure: config.secureCookies,
  });
  return id;
}

/** The current session row (any stage) if the cookie names a live one. */
export async function readSession(c: Context<AppEnv>) {
  const { db, clock, config } = c.get("deps");
  const token = getCookie(c, sessionCookieName(config.secureCookies));
  if (!token || token.length > 100) return undefined;
  const id = await sha256Hex(token);
  const now = clock.now();
  const [row] = await db.select().from(webSessions).where(
    and(eq(webSessions.id, id), gt(webSessions.expiresAt, now)),
  );
  if (!row) return undefined;
  if (row.stage === "full" && now.getTime() - row.lastSeenAt.getTime() > TOUCH_EVERY_MS) {
    const absoluteEnd = row.createdAt.getTime() + ABSOLUTE_MS;
    const expiresAt = new Date(Math.min(now.getTime() + IDLE_MS, absoluteEnd));
    await db.update(webSessions).set({ lastSeenAt: now, expiresAt }).where(eq(webSessions.id, id));
  }
  return row;
}

/**
 * Promotes a partial session to `full` (a new id, so a pre-auth id is never reused); the
 * identity provider's ID token, if any, goes with it.
 */
export async function upgradeSession(
  c: Context<AppEnv>,
  current: { id: string; userId: string },
  ip: string,
): Promise<string> {
  const [gone] = await c.get("deps").db.delete(webSessions).where(eq(webSessions.id, current.id))
    .returning({ idToken: webSessions.idToken });
  return await startSession(c, {
    userId: current.userId,
    stage: "full",
    ip,
    idToken: gone?.idToken,
  });
}

export async function endSession(c: Context<AppEnv>, id: string | undefined): Promise<void> {
  const { db, config } = c.get("deps");
  if (id) await db.delete(webSessions).where(eq(webSessions.id, id));
  deleteCookie(c, sessionCookieName(config.secureCookies), {
    path: "/",
    secure: config.secureCookies,
  });
}

/**
 * The active user of a live, fully signed-in browser session — undefined once that session
 * is signed out (here or everywhere), expired, or its user deactivated. Long-lived
 * connections opened from a session (the remote viewer socket) ask this again and again.
 */
export async function userOfSession(db: Database, sessionId: string, now: Date) {
  const [row] = await db.select({ user: users }).from(webSessions)
    .innerJoin(users, eq(users.id, webSessions.userId))
    .where(and(
      eq(webSessions.id, sessionId),
      eq(webSessions.stage, "full"),
      gt(webSessions.expiresAt, now),
      eq(users.active, true),
    ));
  return row?.user;
}

/** Ends every session of `userId`, except `keep` when given. Returns how many ended. */
export async function endAllSessions(db: Database, userId: string, keep?: string) {
  const where = keep
    ? and(eq(webSessions.userId, userId), ne(webSessions.id, keep))
    : eq(webSessions.userId, userId);
  const ended = await db.delete(webSessions).where(where).returning({ id: webSessions.id });
  return ended.length;
}

/** Which of `userIds` have a live, fully signed-in browser session right now. */
export async function usersWithLiveSession(
  db: Database,
  userIds: string[],
  now: Date,
): Promise<Set<string>> {
  if (userIds.length === 0) return new Set();
  const rows = await db.selectDistinct({ userId: webSessions.userId }).from(webSessions).where(
    and(
      inArray(webSessions.userId, userIds),
      eq(webSessions.stage, "full"),
      gt(webSessions.expiresAt, now),
    ),
  );
  return new Set(rows.map((r) => r.userId));
}
