/**
 * The organisation's name and logo, as pages show them. The logo's bytes live in the file
 * store (content-addressed); the organisation row keeps its SHA-256 and its content type,
 * taken from the magic bytes, never from what the browser said. SVG is not accepted: it can
 * carry script. A page that has no signed-in user (the PIN page, /s/<token>, channel forms)
 * shows the first organisation: one installation serves one organisation (setup closes once
 * it exists).
 */
import { asc, eq } from "drizzle-orm";
import type { Database } from "../db/mod.ts";
import { organisations } from "../auth/mod.ts";
import type { FileStore } from "../files/mod.ts";
import type { MiddlewareHandler } from "hono";
import type { AppEnv, Branding } from "../http/mod.ts";

export const LOGO_MAX_BYTES = 256 * 1024;
export type LogoType = "image/png" | "image/jpeg" | "image/webp";

/** The image type the bytes start with, or undefined for anything else (SVG included). */
export function sniffLogo(bytes: Uint8Array): LogoType | undefined {
  const starts = (sig: number[], at = 0) => sig.every((b, i) => bytes[at + i] === b);
  if (starts([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "image/png";
  if (starts([0xff, 0xd8, 0xff])) return "image/jpeg";
  if (starts([0x52, 0x49, 0x46, 0x46]) && starts([0x57, 0x45, 0x42, 0x50], 8)) {
    return "image/webp";
  }
  return undefined;
}

const CACHE_MS = 10_000;
// Per database (tests run several apps in one process), by organisation ("" = the first).
const _cache = new WeakMap<Database, Map<string, { at: number; branding?: Branding }>>();

/** The branding of `orgId` (or of the first organisation); cached briefly per instance. */
export async function readBranding(
  db: Database,
  orgId: string | undefined,
): Promise<Branding | undefined> {
  const key = orgId ?? "";
  let cache = _cache.get(db);
  if (!cache) _cache.set(db, cache = new Map());
  const hit = cache.get(key);
  if (hit && Date.now() - hit.at < CACHE_MS) return hit.branding;
  const query = db.select({
    name: organisations.name,
    logoSha256: organisations.logoSha256,
  }).from(organisations);
  const [row] = orgId
    ? await query.where(eq(organisations.id, orgId))
    : await query.orderBy(asc(organisations.createdAt)).limit(1);
  const branding = row && {
    name: row.name,
    logoUrl: row.logoSha256 ? `/branding/logo/${row.logoSha256}` : undefined,
  };
  cache.set(key, { at: Date.now(), branding });
  return branding;
}

/** Drops cached branding after a change (other instances catch up within seconds). */
export function forgetBranding(db: Database): void {
  _cache.delete(db);
}

/** Stores the logo bytes; returns what the organisation row keeps. */
export async function storeLogo(
  files: FileStore,
  bytes: Uint8Array<ArrayBuffer>,
  type: LogoType,
) {
  const stored = await files.put(new Blob([bytes]).stream(), { maxBytes: LOGO_MAX_BYTES });
  return { logoSha256: stored.sha256, logoType: type };
}

/** An organisation's logo by its hash: only a hash some organisation uses is served. */
export async function openLogo(db: Database, files: FileStore, sha256: string) {
  const [row] = await db.select({ type: organisations.logoType }).from(organisations)
    .where(eq(organisations.logoSha256, sha256)).limit(1);
  if (!row?.type) return undefined;
  const content = await files.open(sha256);
  return content && { ...content, type: row.type };
}

/**
 * Puts the branding on the context for requests that may answer with a page, for the
 * layout's header: GETs, and POSTs too — a form refused (a wrong PIN, an admin form at 422)
 * answers with its page, which lost the organisation's name and logo.
 */
export function brandingMiddleware(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const page = c.req.method === "GET" || c.req.method === "POST";
    if (page && !c.req.path.startsWith("/api/")) {
      c.set("branding", await readBranding(c.get("deps").db, c.get("user")?.orgId));
    }
    await next();
  };
}
