/**
 * The customer's consent to the technician's tools on their computer — the file manager,
 * system information, scripts and reboot — as the server knows it, beside view and control
 * (consent.ts). Like those, only the agent grants: it reports what the customer answered in
 * its own window; the server passes requests and takes things back. Every answer and every
 * stop is a session log line; listeners (the workspace's tabs, over server-sent events) hear
 * each change. Held on the agent's home instance, per session.
 */
import type { Capability, ConsentState } from "../../protocol/mod.ts";
import type { AppDeps } from "../http/mod.ts";
import type { Permission } from "../permissions/mod.ts";
import { logSessionEvent, type SupportSession } from "../support/mod.ts";
import type { AgentLink } from "./session_links.ts";

export const TOOL_CAPABILITIES = ["files", "systemInfo", "scripts", "reboot"] as const;
export type ToolCapability = typeof TOOL_CAPABILITIES[number];

/** The permission a technician needs to ask for each tool (modules/permissions). */
export const TOOL_PERMISSIONS: Readonly<Record<ToolCapability, Permission>> = {
  files: "fileManager",
  systemInfo: "systemInfo",
  scripts: "scriptsDeploy",
  reboot: "reboot",
};

export function isToolCapability(value: unknown): value is ToolCapability {
  return typeof value === "string" && (TOOL_CAPABILITIES as readonly string[]).includes(value);
}

/** What the workspace's tabs are told. */
export interface ToolState {
  /** Whether the customer's agent is connected (here, its home). */
  present: boolean;
  os: string | null;
  /** What this agent can do (null until it said, or when it cannot say). */
  offered: ToolCapability[] | null;
  consent: Record<ToolCapability, ConsentState>;
}

/** Who asked or stopped: a technician, or an external technician (no user id). */
type Who = { userId: string | null; name: string };

export class ToolConsent {
  #present = false;
  #os: string | null = null;
  #offered: ToolCapability[] | null = null;
  #link: AgentLink | null = null;
  /** An unattended session's approved tools (null: not limited by an approval). */
  #approved: ReadonlySet<ToolCapability> | null = null;
  readonly #consent = Object.fromEntries(
    TOOL_CAPABILITIES.map((c) => [c, "off"]),
  ) as Record<ToolCapability, ConsentState>;
  readonly listeners = new Set<(state: ToolState) => void>();

  constructor(private log: (key: string, by: Who | null) => void) {}

  get state(): ToolState {
    const approved = this.#approved;
    return {
      present: this.#present,
      os: this.#os,
      // What the approval leaves out is not on offer in this session.
      offered: approved && this.#offered
        ? this.#offered.filter((capability) => approved.has(capability))
        : this.#offered,
      consent: { ...this.#consent },
    };
  }

  /**
   * Limits the tools that may be asked for to those of the customer's unattended approval
   * (null: no approval limits this session). The agent refuses the others itself too.
   */
  limitTo(tools: readonly ToolCapability[] | null) {
    this.#approved = tools ? new Set(tools) : null;
    this.#changed();
  }

  /** Whether the approval this session runs under leaves `capability` out. */
  outsideApproval(capability: ToolCapability): boolean {
    return this.#approved !== null && !this.#approved.has(capability);
  }

  allows(capability: ToolCapability): boolean {
    return this.#present && this.#consent[capability] === "granted";
  }

  /** An agent connected: it repeats what it allows right after (kept across reconnects). */
  attached(link: AgentLink, os: string) {
    this.#link = link;
    this.#present = true;
    this.#os = os;
    this.#offered = null;
    for (const capability of TOOL_CAPABILITIES) this.#consent[capability] = "off";
    this.#changed();
  }

  /** What the agent on `link` said it can do (its `agent.about`). */
  offers(link: AgentLink, offered: ToolCapability[]) {
    if (this.#link !== link) return;
    this.#offered = offered;
    this.#changed();
  }

  detached(link: AgentLink) {
    if (this.#link !== link) return;
    this.#link = null;
    this.#present = false;
    for (const capability of TOOL_CAPABILITIES) this.#consent[capability] = "off";
    this.#changed();
  }

  /** A technician asks; false when no agent is there to ask. */
  request(capability: ToolCapability, by: Who): boolean {
    if (!this.#link || this.outsideApproval(capability)) return false;
    if (this.#offered && !this.#offered.includes(capability)) return false;
    if (this.#consent[capability] === "granted") return true;
    this.#link.send({ type: "request", capability });
    this.#consent[capability] = "asked";
    this.log(`log.tool.${capability}Requested`, by);
    this.#changed();
    return true;
  }

  /** A technician stops using it: the agent is told to take it back. */
  end(capability: ToolCapability, by: Who) {
    const was = this.#consent[capability];
    this.#link?.send({ type: "revoke", capability });
    this.#consent[capability] = "off";
    if (was === "granted" || was === "asked") this.log(`log.tool.${capability}Ended`, by);
    this.#changed();
  }

  agentAsks(capability: ToolCapability) {
    if (this.#consent[capability] === "asked") return;
    this.#consent[capability] = "asked";
    this.#changed();
  }

  /** The agent's word: what the customer allows now. */
  agentConsent(capability: ToolCapability, granted: boolean) {
    const was = this.#consent[capability];
    if (granted) {
      this.#consent[capability] = "granted";
      // Repeated after a reconnect: not a new answer.
      if (was === "asked") this.log(`log.tool.${capability}Granted`, null);
    } else if (was === "granted") {
      this.#consent[capability] = "revoked";
      this.log(`log.tool.${capability}Revoked`, null);
    } else if (was === "asked") {
      this.#consent[capability] = "denied";
      this.log(`log.tool.${capability}Denied`, null);
    } else return;
    this.#changed();
  }

  #changed() {
    const state = this.state;
    for (const listener of this.listeners) {
      try {
        listener(state);
      } catch {
        // One listener's failure does not stop the others.
      }
    }
  }
}

const registries = new WeakMap<AppDeps, Map<string, ToolConsent>>();

/** Session `session`'s tool consent on this instance, wired to its session log. */
export function toolConsent(
  deps: AppDeps,
  session: Pick<SupportSession, "id"> & Partial<SupportSession>,
): ToolConsent {
  let sessions = registries.get(deps);
  if (!sessions) registries.set(deps, sessions = new Map());
  let consent = sessions.get(session.id);
  if (!consent) {
    const full = session as SupportSession;
    // One line after the other: the log shows the answers in the order they came.
    let written = Promise.resolve();
    consent = new ToolConsent((key, by) => {
      const author = by
        ? { author: "technician" as const, userId: by.userId, name: by.name }
        : { author: "customer" as const, name: full.customerName };
      written = written.then(() =>
        logSessionEvent(deps, full, key, { name: by?.name ?? "" }, author)
      )
        .catch((error) => deps.log.error("tool consent log failed", { error: String(error) }));
    });
    sessions.set(session.id, consent);
  }
  return consent;
}

/**
 * Where an unattended session's approved tools come from: modules/unattended registers it at
 * the app's composition (remote cannot import unattended, which imports remote).
 */
export type ApprovedToolsSource = (session: SupportSession) => Promise<readonly Capability[]>;

const approvedSources = new WeakMap<AppDeps, ApprovedToolsSource>();

/** Registers how this app reads an unattended session's approved tools. */
export function approvedToolsFrom(deps: AppDeps, source: ApprovedToolsSource): void {
  approvedSources.set(deps, source);
}

/**
 * Applies the session's approval to its tool consent when its agent attaches: an unattended
 * session asks for nothing until the approval is read (and for nothing at all if it cannot
 * be read); any other session is not limited. Returns the approved capabilities (null: not
 * limited), for the screen's consent (view and control go with `control`).
 */
export async function limitToApproval(
  deps: AppDeps,
  session: SupportSession,
): Promise<readonly Capability[] | null> {
  const consent = toolConsent(deps, session);
  const source = approvedSources.get(deps);
  if (session.method !== "unattended" || !source) {
    consent.limitTo(null);
    return null;
  }
  consent.limitTo([]);
  const tools: readonly Capability[] = await source(session).catch((error) => {
    deps.log.error("approved tools unreadable", { error: String(error) });
    return [];
  });
  consent.limitTo(tools.filter((tool): tool is ToolCapability => isToolCapability(tool)));
  return tools;
}

/** Drops a session's tool consent (its session ended). */
export function forgetToolConsent(deps: AppDeps, sessionId: string) {
  registries.get(deps)?.delete(sessionId);
}

/** Whether `capability` is one of the tools (not view, control or clipboard). */
export function toolOf(capability: Capability): ToolCapability | null {
  return isToolCapability(capability) ? capability : null;
}
