import { and, eq } from "drizzle-orm";
import * as oidc from "openid-client";
import { recordAudit } from "../audit/mod.ts";
import type { Database } from "../db/mod.ts";
import type { AppDeps, CurrentUser } from "../http/mod.ts";
import { technicianGroups } from "../org/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import { ssoSettings } from "./schema.ts";
import { openClientSecret, sealClientSecret } from "./secret.ts";

export type SsoSettings = typeof ssoSettings.$inferSelect;

/** What the Admin Center form (and the API) may set; the secret empty keeps the stored one. */
export interface SsoInput {
  displayName: string;
  issuer: string;
  clientId: string;
  clientSecret: string;
  emailClaim: string;
  requireVerifiedEmail: boolean;
  allowPassword: boolean;
  skipTotp: boolean;
  provisionGroupId: string | null;
}

const CLAIM = /^[A-Za-z0-9_.:-]{1,100}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The organisation's settings, if it has single sign-on. */
export async function ssoSettingsOf(db: Database, orgId: string) {
  const [row] = await db.select().from(ssoSettings).where(eq(ssoSettings.orgId, orgId));
  return row;
}

/**
 * The installation's settings for the sign-in page, which knows no organisation yet: an
 * installation has one organisation (setup makes it), so there is at most one row.
 */
export async function installationSso(db: Database) {
  const [row] = await db.select().from(ssoSettings).limit(1);
  return row;
}

/**
 * The issuer as a URL, if it may be one: https, or http to this computer itself (a test or an
 * IdP on the same machine; openid-client refuses plain http elsewhere, and so do we).
 */
export function issuerUrl(text: string): URL | undefined {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return undefined;
  }
  if (url.username || url.password || url.hash || url.search) return undefined;
  if (url.protocol === "https:") return url;
  return url.protocol === "http:" && isLoopback(url.hostname) ? url : undefined;
}

export function isLoopback(hostname: string): boolean {
  return hostname === "localhost" || hostname === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

/** The input's problems as refusals (the first is shown), before anything is fetched. */
export async function checkSsoInput(
  db: Database,
  orgId: string,
  input: SsoInput,
  stored: SsoSettings | undefined,
): Promise<void> {
  const name = input.displayName.trim();
  if (!name || name.length > 60) throw new Refusal(422, "sso.displayNameInvalid");
  if (!issuerUrl(input.issuer) || input.issuer.length > 500) {
    throw new Refusal(422, "sso.issuerInvalid");
  }
  const clientId = input.clientId.trim();
  if (!clientId || clientId.length > 200) throw new Refusal(422, "sso.clientIdInvalid");
  if (!input.clientSecret && !stored) throw new Refusal(422, "sso.clientSecretMissing");
  if (input.clientSecret.length > 1000) throw new Refusal(422, "sso.clientSecretMissing");
  if (!CLAIM.test(input.emailClaim.trim())) throw new Refusal(422, "sso.emailClaimInvalid");
  if (input.provisionGroupId !== null) {
    const valid = UUID.test(input.provisionGroupId) && (await db.select({ id: technicianGroups.id })
          .from(technicianGroups).where(and(
            eq(technicianGroups.id, input.provisionGroupId),
            eq(technicianGroups.orgId, orgId),
          ))).length > 0;
    if (!valid) throw new Refusal(422, "sso.groupInvalid");
  }
}

/**
 * Reads the issuer's discovery document the way sign-in will (openid-client's `discovery`),
 * and says in the admin's words what failed: unreachable, not a discovery document, or a
 * document that names another issuer.
 */
export async function discover(issuer: URL, clientId: string, clientSecret: string) {
  try {
    return await oidc.discovery(issuer, clientId, clientSecret, undefined, {
      execute: issuer.protocol === "http:" ? [oidc.allowInsecureRequests] : [],
      timeout: 10,
    });
  } catch (error) {
    const detail = _detail(error);
    const code = (error as { code?: string }).code ?? "";
    if (code === "OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED" || /"issuer"/.test(detail)) {
      throw new Refusal(422, "sso.issuerMismatch", { params: { detail } });
    }
    if (error instanceof TypeError || /fetch|connect|timed? ?out|abort/i.test(detail)) {
      throw new Refusal(422, "sso.unreachable", { params: { detail } });
    }
    throw new Refusal(422, "sso.notDiscovery", { params: { detail } });
  }
}

function _detail(error: unknown): string {
  const parts: string[] = [];
  let at: unknown = error;
  for (let depth = 0; depth < 4 && at; depth++) {
    if (at instanceof Error) {
      if (!parts.some((p) => p.includes(at instanceof Error ? at.message : ""))) {
        parts.push(at.message);
      }
      at = at.cause;
    } else {
      // oauth4webapi hands the Response over as the cause: its status says most.
      const status = (at as { status?: unknown }).status;
      if (typeof status === "number") parts.push(`HTTP ${status}`);
      break;
    }
  }
  return (parts.join(": ") || String(error)).slice(0, 300);
}

/**
 * Checks the input and the issuer's discovery document, then stores the settings (the secret
 * sealed) and audits the change (never the secret). The issuer's document is read first, so a
 * provider that cannot be used is never saved.
 */
export async function saveSsoSettings(
  deps: AppDeps,
  actor: CurrentUser,
  input: SsoInput,
  ip: string,
) {
  const { db, clock, config } = deps;
  const stored = await ssoSettingsOf(db, actor.orgId);
  await checkSsoInput(db, actor.orgId, input, stored);
  const issuer = issuerUrl(input.issuer)!;
  const secret = input.clientSecret ||
    await openClientSecret(config, actor.orgId, stored!.clientSecret);
  await discover(issuer, input.clientId.trim(), secret);
  const row = {
    orgId: actor.orgId,
    displayName: input.displayName.trim(),
    issuer: issuer.href,
    clientId: input.clientId.trim(),
    clientSecret: await sealClientSecret(config, actor.orgId, secret),
    emailClaim: input.emailClaim.trim(),
    requireVerifiedEmail: input.requireVerifiedEmail,
    allowPassword: input.allowPassword,
    skipTotp: input.skipTotp,
    provisionGroupId: input.provisionGroupId,
    updatedAt: clock.now(),
  };
  await db.transaction(async (tx) => {
    await tx.insert(ssoSettings).values(row).onConflictDoUpdate({
      target: ssoSettings.orgId,
      set: row,
    });
    const { clientSecret: _, ...visible } = row;
    await recordAudit(tx, {
      orgId: actor.orgId,
      actorId: actor.id,
      actorEmail: actor.email,
      action: "org.sso_changed",
      ip,
      details: {
        before: stored ? _visible(stored) : null,
        after: { ...visible, updatedAt: undefined, secretChanged: Boolean(input.clientSecret) },
      },
      at: clock.now(),
    });
  });
}

function _visible(row: SsoSettings) {
  const { clientSecret: _, updatedAt: __, ...visible } = row;
  return visible;
}

/** Turns single sign-on off (the row goes; people sign in with passwords again). */
export async function removeSsoSettings(deps: AppDeps, actor: CurrentUser, ip: string) {
  const { db, clock } = deps;
  await db.transaction(async (tx) => {
    const gone = await tx.delete(ssoSettings).where(eq(ssoSettings.orgId, actor.orgId))
      .returning();
    if (gone.length === 0) return;
    await recordAudit(tx, {
      orgId: actor.orgId,
      actorId: actor.id,
      actorEmail: actor.email,
      action: "org.sso_changed",
      ip,
      details: { before: _visible(gone[0]), after: null },
      at: clock.now(),
    });
  });
}
