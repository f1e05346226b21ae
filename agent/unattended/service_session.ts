/**
 * One unattended session's agent: the support app's `Agent` over the service's desktop (or
 * none, with the reason in its hello) and its connection to `/agent/ws`, with the tools the
 * customer approved granted up front (tool_grants.ts). The Linux service runs it in its own
 * process; the Windows service runs it in a helper started in the signed-in user's session
 * (windows_session.ts), where the desktop is.
 */
import { Agent } from "../agent.ts";
import { AgentConnection } from "../connection.ts";
import { osLanguage, osName } from "../identity.ts";
import type { FrameHalver } from "../media/scale.ts";
import { Vp8Encoder } from "../media/vp8.ts";
import { defaultOpHandlers } from "../ops/registry.ts";
import type { ApprovalTool } from "../../protocol/unattended_request.ts";
import type { ServiceConfig } from "./installer.ts";
import { type ServiceDesktop, serviceHello } from "./service_desktop.ts";
import { answerForAbsentCustomer, grantUnattended } from "./tool_grants.ts";

export function wsUrl(server: string, path: string): string {
  const url = new URL(path, server);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return url.href;
}

export interface ServiceSessionOptions {
  config: ServiceConfig;
  token: string;
  deviceId: string;
  agentVersion: string;
  found: ServiceDesktop;
  tools: readonly ApprovalTool[];
  halver: FrameHalver | null;
  log: (line: string) => void;
  /** Each change of the agent's state (the service's window follows it). */
  onChange?: () => void;
  onStatus?: ConstructorParameters<typeof AgentConnection>[0]["onStatus"];
}

/** The session's agent and its connection (not started: `connection.start()`). */
export function serviceSession(options: ServiceSessionOptions) {
  const { config, found, tools, halver, log } = options;
  const { desktop, why: noDesktop } = found;
  const agent: Agent = new Agent({
    desktop,
    log,
    os: osName(),
    noDesktop,
    ops: defaultOpHandlers({
      os: osName(),
      serverUrl: config.server,
      token: options.token,
      dataDir: config.stateDir,
      log,
    }),
    encoder: (width, height, screen) =>
      new Vp8Encoder({ width, height, fps: 30, preset: "normal", bitrateBasis: screen }),
    downscale: halver ? (frame) => halver.halve(frame) : undefined,
    onChange: () => {
      answerForAbsentCustomer(agent, tools, log);
      options.onChange?.();
    },
  });
  // Nobody is there to answer: the customer allowed these with the approval (tool_grants.ts).
  grantUnattended(agent, tools, !noDesktop);
  const connection = new AgentConnection({
    url: wsUrl(config.server, "/agent/ws"),
    hello: serviceHello({
      token: options.token,
      deviceId: options.deviceId,
      os: osName(),
      language: osLanguage(),
      agentVersion: options.agentVersion,
    }, found),
    agent,
    log,
    onStatus: options.onStatus,
  });
  return { agent, connection };
}
