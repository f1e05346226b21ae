import { boolean, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { organisations } from "../auth/schema.ts";
import { technicianGroups } from "../org/schema.ts";

const at = (name: string) => timestamp(name, { withTimezone: true });

/** The organisation's one OpenID Connect identity provider (SPEC A9). */
export const ssoSettings = pgTable("sso_settings", {
  orgId: uuid("org_id").primaryKey().references(() => organisations.id),
  /** Shown on the button: "Sign in with <displayName>". */
  displayName: text("display_name").notNull(),
  issuer: text("issuer").notNull(),
  clientId: text("client_id").notNull(),
  /** Sealed with AES-256-GCM (modules/sso/secret.ts); the organisation id is the AAD. */
  clientSecret: text("client_secret").notNull(),
  /** Which ID-token claim holds the e-mail address (`email` unless the IdP says otherwise). */
  emailClaim: text("email_claim").notNull().default("email"),
  requireVerifiedEmail: boolean("require_verified_email").notNull().default(true),
  /** Whether people may still sign in with a password (the master admin always may). */
  allowPassword: boolean("allow_password").notNull().default(true),
  /** An SSO sign-in skips the product's own TOTP: the identity provider does the MFA. */
  skipTotp: boolean("skip_totp").notNull().default(true),
  /** Unknown e-mails become technicians in this group; null refuses them. */
  provisionGroupId: uuid("provision_group_id").references(() => technicianGroups.id, {
    onDelete: "set null",
  }),
  updatedAt: at("updated_at").notNull(),
});

/**
 * Sign-ins under way at the identity provider: one row per browser (the id is the SHA-256 of
 * its `rs_sso` cookie), used once. Holds what the callback must check: state, nonce and the
 * PKCE verifier.
 */
export const ssoLogins = pgTable("sso_logins", {
  id: text("id").primaryKey(),
  orgId: uuid("org_id").notNull().references(() => organisations.id, { onDelete: "cascade" }),
  state: text("state").notNull(),
  nonce: text("nonce").notNull(),
  codeVerifier: text("code_verifier").notNull(),
  next: text("next"),
  createdAt: at("created_at").notNull(),
  expiresAt: at("expires_at").notNull(),
});
