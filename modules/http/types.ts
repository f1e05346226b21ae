import type { InstanceIdentity } from "../cluster/mod.ts";
import type { Context } from "hono";
import type { Config } from "../config/mod.ts";
import type { Database } from "../db/mod.ts";
import type { FileStore } from "../files/mod.ts";
import type { Language, Translator } from "../i18n/mod.ts";
import type { LiveHub } from "../live/mod.ts";
import type { Permission } from "../permissions/mod.ts";

export type Role = "master_admin" | "admin" | "technician" | "external";

/** The signed-in person as the request sees it (from a web session or an API token). */
export interface CurrentUser {
  id: string;
  orgId: string;
  email: string;
  name: string;
  role: Role;
  language: Language | null;
  totpEnabled: boolean;
  /** Hash of the web session id, absent for API-token requests. */
  sessionId?: string;
  /** The technician group's permissions, read fresh on every request. */
  permissions: ReadonlySet<Permission>;
  groupId: string | null;
  /**
   * For admins, the groups they manage (assigned groups and everything nested below; every
   * group for the master admin), read fresh on every request with the permissions. Absent
   * for other roles. Admin lists of things about groups (outboxes, audit log) keep to it.
   */
  managedGroupIds?: ReadonlySet<string>;
}

export interface Clock {
  now(): Date;
}

export interface Logger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

export interface AppDeps {
  config: Config;
  db: Database;
  dbKind: "pglite" | "postgres";
  clock: Clock;
  log: Logger;
  /** Fans out "session changed" notices to open consoles and customer pages. */
  live: LiveHub;
  /** This instance among those on the same database (modules/cluster). */
  instance: InstanceIdentity;
  /** Where session files' bytes live (DATA_DIR/files); the database keeps their hashes. */
  files: FileStore;
}

export interface AppEnv {
  Variables: {
    deps: AppDeps;
    requestId: string;
    log: Logger;
    t: Translator;
    /** What the browser asks for (request_context's `detectLanguage`); see `lang`. */
    language: Language;
    /** The page's language: the signed-in user's setting, else `language`. */
    lang: Language;
    csrf: string;
    user: CurrentUser | undefined;
    /**
     * An external technician calling a session's routes under `/x` (set there only, by
     * modules/external from its access cookie, checked again on this request). Never a user.
     */
    guest?: SessionGuest;
    /** The organisation's name and logo for the page header (modules/admin, GET only). */
    branding?: Branding;
    /** Set only for a request relayed by another instance with a valid signature (relayed.ts). */
    relayed?: RelayedRequest;
  };
}

/**
 * An external technician (modules/external) as a request under `/x` sees it: the one session
 * it was invited into and what it may do there now — its invitation's permission set
 * narrowed to its inviter's group (support's `invitedGrant`), read on every request. It is
 * no user: it works a session's tools only where the route's caller check
 * (support's `sessionForCaller`) accepts it.
 */
export interface SessionGuest {
  id: string;
  orgId: string;
  sessionId: string;
  name: string;
  email: string | null;
  permissions: ReadonlySet<Permission>;
  /**
   * Calls `lost` once this access ends (removal, expiry, the session's end, the inviter gone);
   * returns the unsubscribe. A long-lived answer (`liveStream`) closes on it, so a stream
   * opened before the removal does not outlive the access.
   */
  watch?: (lost: () => void) => () => void;
}

/**
 * A request another instance relayed here on the browser's behalf (modules/remote,
 * home_relay.ts), as its verified signature vouches (relayed.ts): the sending instance, the
 * client's address and the origin the browser addressed there.
 */
export interface RelayedRequest {
  from: string;
  client: string | null;
  origin: string | null;
}

/** What the page header shows of the organisation. */
export interface Branding {
  name: string;
  /** Same-origin URL of the logo (its hash in the path, so it may be cached for good). */
  logoUrl?: string;
}

/**
 * The environment of routes behind `requireUser()`, `requireRole()` or
 * `requirePermission()`: the same variables, but the signed-in user is known to be there.
 * A sub-app chained `.use("*", requireUser())`, or a route given a guard before its
 * handler, gets it, so handlers read `c.get("user")` without a non-null assertion.
 */
export interface AuthedEnv extends AppEnv {
  Variables: AppEnv["Variables"] & { user: CurrentUser };
}

/**
 * What views and shared helpers read from a request's context. Either environment's
 * context fits (a `Context<AuthedEnv>` is not a `Context<AppEnv>`: `set` would let the
 * user be unset), so a component shared by public and signed-in pages takes this.
 */
export type PageContext = Pick<
  Context<AppEnv>,
  "get" | "var" | "req" | "header" | "html" | "text" | "json" | "body" | "redirect" | "res"
>;
