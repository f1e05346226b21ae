/**
 * The agent's side of the unattended-access request, service mode and the calling card
 * (protocol/unattended_request.ts). Each operation puts its own question in front of the
 * customer in the agent's window (`confirm`): the server's word never installs anything.
 *
 * `unattended.install`: the customer reads the very terms again (written here from the
 * structured terms, in the customer's language and the terms' time zone), then — with the
 * customer's credentials — types them into the agent's window as the approval itself (never
 * into the server's page; checked as far as the OS allows without root, kept encrypted here,
 * never sent; a window without an end or longer than two weeks is refused here too), the
 * agent installs
 * itself as a service through the installer interface, and signs the approval with its
 * device key (`approvalMessage`). The device's identity, key and installer come from the
 * unattended agent (`UnattendedPorts`, injected; tests pass a temporary root).
 */
import {
  approvalMessage,
  type ApprovalTool,
  approvalTools,
  type InstallUnavailable,
  type ResolvedTerms,
} from "../../protocol/unattended_request.ts";
import { deviceId as readDeviceId, osLanguage } from "../identity.ts";
import { type OpEnv, OpFailure, type OpHandlers } from "../ops/mod.ts";
import { type AgentStrings, agentStrings, fill } from "../strings.ts";
import { base64url } from "../consent.ts";
import { revokeCommand } from "./local_command.ts";
import { credentialsWindowProblem, type CredentialVault } from "./credentials.ts";

/** What the request needs from the device's own unattended layer. */
export interface UnattendedPorts {
  /**
   * Where the service keeps its files when not in the app's own folder (Windows:
   * `%ProgramData%\RemoteSupport`): the device id and key are made there.
   */
  stateDir?: string;
  /** Why the service cannot be installed now (Windows: not an administrator), or null. */
  unavailable?(): InstallUnavailable | null;
  /**
   * Why this service keeps no credentials, when it does not (Windows: the service never signs
   * in, it shows the desktop of the user signed in at the console); the server offers none
   * there and refuses them too, this is the device's own refusal.
   */
  noCredentials?: string;
  /** The device's Ed25519 key: made once on the device, the private half never leaves it. */
  deviceKey(): Promise<{ publicKey: string; sign(data: Uint8Array): Promise<Uint8Array> }>;
  /**
   * Installs the agent as a service (a unit under a root dir) that grants only `tools` when
   * nobody is present; returns the unit's path.
   */
  installService(
    options: { serverUrl: string; dataDir: string; tools: readonly ApprovalTool[] },
  ): Promise<string>;
  /**
   * Shows `detail` (the terms) with the credentials form in the agent's own window: what the
   * customer typed, once checked (`verified` false: the OS offers no check here), or null
   * when declined.
   */
  askCredentials?(
    detail: string,
    signal: AbortSignal,
  ): Promise<{ user: string; password: string; verified: boolean; note: string | null } | null>;
  vault?: CredentialVault;
  hostname(): string;
}

export interface RequestOptions {
  /** Absent: this agent cannot install itself here (the about op says so). */
  ports?: UnattendedPorts;
  language?: string;
  timeZone?: string;
}

export function unattendedRequestHandlers(env: OpEnv, options: RequestOptions = {}): OpHandlers {
  const language = options.language ?? osLanguage();
  const strings = agentStrings(language).unattendedRequest;
  const ports = options.ports;
  return {
    "unattended.about": () =>
      Promise.resolve({
        timeZone: options.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone,
        canInstall: unavailable(env, ports) === null,
        unavailable: unavailable(env, ports),
      }),
    "unattended.install": async (request, context) => {
      const why = unavailable(env, ports);
      if (!ports || why) {
        throw new OpFailure(
          "not_available",
          why === "not_elevated"
            ? "Installing the service needs an administrator: start Remote support as administrator"
            : "This support app cannot install itself here",
        );
      }
      const dir = ports.stateDir ?? env.dataDir;
      // The customer's ticks on the customer page, shown again and signed with the approval.
      const tools = approvalTools(request.tools);
      const question = [
        fill(strings.confirm, {
          name: request.technician,
          revoke: revokeCommand(env.os, ports.stateDir),
        }),
        ...termsLines(strings, request.terms, { language, os: env.os }),
        toolsLine(strings, language, tools),
      ].join("\n");
      let credentialsKept = false;
      if (request.terms.authMode === "customer_credentials") {
        if (ports.noCredentials) throw new OpFailure("no_credentials", ports.noCredentials);
        const problem = credentialsWindowProblem(request.terms, new Date());
        if (problem) throw new OpFailure("too_long", problem);
        if (!ports.askCredentials || !ports.vault) {
          throw new OpFailure("no_credentials", "This support app has no window to ask in");
        }
        // Typing them in is the customer's approval here.
        const given = await ports.askCredentials(question, context.signal);
        if (!given) throw new OpFailure("declined", "The customer gave no credentials");
        await ports.vault.store(
          { user: given.user, password: given.password },
          request.terms.untilAt,
        );
        credentialsKept = true;
        context.log(
          given.verified
            ? "the customer's credentials were checked and are kept here, encrypted"
            : `the customer's credentials are kept here, encrypted, not verified: ${given.note}`,
        );
      } else if (!(await context.confirm(question))) {
        throw new OpFailure("declined", "The customer did not confirm at the support app");
      }
      let unit: string;
      try {
        unit = await ports.installService({ serverUrl: env.serverUrl, dataDir: dir, tools });
      } catch (error) {
        if (credentialsKept) await ports.vault?.clear();
        throw new OpFailure("install_failed", _message(error));
      }
      const device = await readDeviceId(dir);
      const key = await ports.deviceKey();
      const signature = await key.sign(approvalMessage({
        requestId: request.requestId,
        nonce: request.nonce,
        digest: request.digest,
        deviceId: device,
        tools,
      }));
      context.log(
        `installed as a service (${unit}) for request ${request.requestId}, tools: ${
          tools.join(", ")
        }`,
      );
      return {
        deviceId: device,
        publicKey: key.publicKey,
        signature: base64url(signature),
        unit: unit.slice(0, 500),
        credentialsKept,
        hostname: ports.hostname().slice(0, 255) || "computer",
        os: env.os,
      };
    },
  };
}

/** Why this agent cannot install the service here, or null when it can. */
function unavailable(
  env: Pick<OpEnv, "os">,
  ports: UnattendedPorts | undefined,
): InstallUnavailable | null {
  if (!ports) return "no_installer";
  if (ports.unavailable) return ports.unavailable();
  return env.os === "linux" ? null : "not_built";
}

type Strings = AgentStrings["unattendedRequest"];

/**
 * The terms in the customer's words: the same facts the customer page showed. On Windows
 * (`os`, the agent's own) the service does not sign in and keeps no credentials, so the
 * credentials sentence is replaced by what the Windows service does.
 */
export function termsLines(
  strings: Strings,
  terms: ResolvedTerms,
  options: { language: string; os: string },
): string[] {
  const { language } = options;
  const at = (iso: string) =>
    new Intl.DateTimeFormat(language, {
      dateStyle: "full",
      timeStyle: "short",
      timeZone: terms.timeZone,
    }).format(new Date(iso));
  const lines = [
    options.os === "windows" ? strings.auth.windows : strings.auth[terms.authMode],
    terms.untilAt
      ? fill(strings.fromUntil, { from: at(terms.fromAt), until: at(terms.untilAt) })
      : fill(strings.fromNoEnd, { from: at(terms.fromAt) }),
  ];
  if (terms.kind === "daily") {
    const day = new Intl.DateTimeFormat(language, { weekday: "long", timeZone: "UTC" });
    const names = terms.weekdays.map((d) => day.format(Date.UTC(2023, 0, 1 + d)));
    const clock = (m: number) =>
      `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
    lines.push(fill(strings.daily, {
      days: new Intl.ListFormat(language).format(names),
      start: clock(terms.dailyStart ?? 0),
      end: clock(terms.dailyEnd ?? 0),
    }));
  }
  lines.push(fill(strings.zone, { zone: terms.timeZone }));
  return lines;
}

/** "Allowed when nobody is at the computer: …" in the customer's words. */
export function toolsLine(
  strings: Strings,
  language: string,
  tools: readonly ApprovalTool[],
): string {
  const names = tools.map((tool) => strings.tools[tool]);
  return fill(strings.toolsAllowed, {
    tools: new Intl.ListFormat(language, { type: "conjunction" }).format(names),
  });
}

function _message(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).slice(0, 300);
}
