/**
 * What an unattended approval lets a technician use with nobody at the computer
 * (docs/unattended.md, "Tools on an unattended session"). As in the reference product, the
 * approval is the customer's consent for the technician's session tools: view and control
 * (when there is a desktop) and the tools in `UNATTENDED_TOOLS` — nobody is there to answer
 * a question per tool, so the service grants them when it joins, and answers the tools'
 * one-off confirmations (run this script, end this process, restart) with the approval's yes.
 * The customer can narrow the list on the computer (`tools` in the service's service.json);
 * what is not on it stays refused by the agent (`not_granted`), whatever the server asks, and
 * a confirmation for anything else — installing, deploying a calling card, service mode — is
 * declined: those need someone present. The technician's own permissions still decide on the
 * server what can be asked at all.
 */
import type { Agent } from "../agent.ts";

export const UNATTENDED_TOOLS = ["files", "systemInfo", "scripts", "reboot"] as const;
export type UnattendedTool = typeof UNATTENDED_TOOLS[number];

/** The tools the approval on this computer carries: service.json's `tools`, else all. */
export async function readToolGrants(configPath: string): Promise<UnattendedTool[]> {
  const raw = JSON.parse(await Deno.readTextFile(configPath)) as { tools?: unknown };
  if (!Array.isArray(raw.tools)) return [...UNATTENDED_TOOLS];
  return UNATTENDED_TOOLS.filter((tool) => (raw.tools as unknown[]).includes(tool));
}

/** Grants what the approval carries, as the customer's answers (the window shows them). */
export function grantUnattended(agent: Agent, tools: readonly UnattendedTool[], desktop: boolean) {
  if (desktop) agent.answer("control", agent.consent.ask("control"), true);
  for (const tool of tools) agent.answer(tool, agent.consent.ask(tool), true);
}

/**
 * Answers the agent's open confirmations for the absent customer: yes for a granted tool's,
 * no for everything else. Called on every change the window would show.
 */
export function answerForAbsentCustomer(
  agent: Agent,
  tools: readonly UnattendedTool[],
  log: (line: string) => void,
) {
  for (const open of agent.customerState.confirms) {
    const granted = open.capability !== null &&
      (tools as readonly string[]).includes(open.capability);
    if (agent.confirmAnswer(open.id, granted).ok) {
      log(
        `${
          granted ? "allowed by" : "declined: not part of"
        } the unattended approval: ${open.detail}`,
      );
    }
  }
}
