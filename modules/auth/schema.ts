import {
  bigint,
  boolean,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";

const at = (name: string) => timestamp(name, { withTimezone: true });

export const organisations = pgTable("organisations", {
  id: uuid("id").primaryKey().defaultRandom(),
  name: text("name").notNull(),
  require2fa: boolean("require_2fa").notNull().default(false),
  rememberDeviceDays: integer("remember_device_days").notNull().default(30),
  /** The logo's SHA-256 in the file store (DATA_DIR/files); null when there is none. */
  logoSha256: text("logo_sha256"),
  /** The logo's content type, from its magic bytes: image/png, image/jpeg or image/webp. */
  logoType: text("logo_type").$type<"image/png" | "image/jpeg" | "image/webp">(),
  createdAt: at("created_at").notNull(),
});

export const users = pgTable("users", {
  id: uuid("id").primaryKey().defaultRandom(),
  orgId: uuid("org_id").notNull().references(() => organisations.id),
  email: text("email").notNull(),
  name: text("name").notNull(),
  role: text("role").$type<"master_admin" | "admin" | "technician" | "external">().notNull(),
  passwordHash: text("password_hash"),
  language: text("language"),
  active: boolean("active").notNull().default(true),
  totpSecret: text("totp_secret"),
  totpPendingSecret: text("totp_pending_secret"),
  totpEnabledAt: at("totp_enabled_at"),
  /** The last accepted TOTP time step; a code for this step or an earlier one is a replay. */
  totpLastStep: bigint("totp_last_step", { mode: "number" }),
  createdAt: at("created_at").notNull(),
  passwordChangedAt: at("password_changed_at"),
}, (t) => [uniqueIndex("users_email_idx").on(t.email)]);

export const recoveryCodes = pgTable("recovery_codes", {
  id: uuid("id").primaryKey().defaultRandom(),
  userId: uuid("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
  codeHash: text("code_hash").notNull(),
  usedAt: at("used_at"),
}, (t) => [index("recovery_codes_user_idx").on(t.userId)]);

/** Browser sessions; the id is the SHA-256 of the cookie value. */
export const webSessions = pgTable("web_sessions", {
  id: text("id").primaryKey(),
  userId: uuid("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
  /** `mfa`: password accepted, code pending; `enrol`: must set up 2FA first; `full`. */
  stage: text("stage").$type<"mfa" | "enrol" | "full">().notNull(),
  ip: text("ip"),
  userAgent: text("user_agent"),
  createdAt: at("created_at").notNull(),
  lastSeenAt: at("last_seen_at").notNull(),
  expiresAt: at("expires_at").notNull(),
  /**
   * The identity provider's ID token when the session began with single sign-on: the
   * `id_token_hint` of the provider's sign-out (RP-Initiated Logout) when this one ends.
   */
  idToken: text("id_token"),
}, (t) => [index("web_sessions_user_idx").on(t.userId)]);

export const rememberedDevices = pgTable("remembered_devices", {
  id: uuid("id").primaryKey().defaultRandom(),
  userId: uuid("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
  tokenHash: text("token_hash").notNull(),
  label: text("label").notNull(),
  ip: text("ip"),
  createdAt: at("created_at").notNull(),
  lastUsedAt: at("last_used_at").notNull(),
  expiresAt: at("expires_at").notNull(),
}, (t) => [uniqueIndex("remembered_devices_token_idx").on(t.tokenHash)]);

export const apiTokens = pgTable("api_tokens", {
  id: uuid("id").primaryKey().defaultRandom(),
  userId: uuid("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
  name: text("name").notNull(),
  tokenHash: text("token_hash").notNull(),
  /** The first characters of the token, shown so a user can tell tokens apart. */
  prefix: text("prefix").notNull(),
  createdAt: at("created_at").notNull(),
  lastUsedAt: at("last_used_at"),
  expiresAt: at("expires_at"),
}, (t) => [uniqueIndex("api_tokens_hash_idx").on(t.tokenHash)]);

/** Failed sign-in counters per account (`scope = account`) and per client address. */
export const loginThrottle = pgTable("login_throttle", {
  scope: text("scope").$type<"account" | "address">().notNull(),
  key: text("key").notNull(),
  failures: integer("failures").notNull(),
  lastFailureAt: at("last_failure_at").notNull(),
  lockedUntil: at("locked_until"),
}, (t) => [primaryKey({ columns: [t.scope, t.key] })]);

/** One-time setup tokens, printed to the log while no organisation exists. */
export const setupTokens = pgTable("setup_tokens", {
  tokenHash: text("token_hash").primaryKey(),
  createdAt: at("created_at").notNull(),
  expiresAt: at("expires_at").notNull(),
});
