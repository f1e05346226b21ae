/**
 * What an unattended approval lets a technician use with nobody at the computer
 * (docs/unattended.md, "Tools on an unattended session"). As in the reference product, the
 * approval is the customer's consent for the technician's session tools — nobody is there to
 * answer a question per tool, so the service grants them when it joins, and answers the
 * tools' one-off confirmations (run this script, end this process, restart) with the
 * approval's yes. Which tools: those the customer left ticked on the customer page
 * (`APPROVAL_TOOLS`: seeing and controlling the screen — when there is a desktop — files,
 * system information, scripts, restarting), signed with the approval and written to the
 * service's service.json as `tools`; the customer can narrow that file further on the
 * computer. What is not on it stays refused by the agent (`not_granted`), whatever the server
 * asks, and a confirmation for anything else — installing, deploying a calling card, service
 * mode — is declined: those need someone present. The technician's own permissions still
 * decide on the server what can be asked at all.
 */
import type { Agent } from "../agent.ts";
import {
  APPROVAL_TOOLS,
  type ApprovalTool,
  approvalTools,
} from "../../protocol/unattended_request.ts";

/** The tools the approval on this computer carries: service.json's `tools`, else all. */
export async function readToolGrants(configPath: string): Promise<ApprovalTool[]> {
  const raw = JSON.parse(await Deno.readTextFile(configPath)) as { tools?: unknown };
  if (!Array.isArray(raw.tools)) return [...APPROVAL_TOOLS];
  return approvalTools(raw.tools.filter((tool): tool is string => typeof tool === "string"));
}

/** Grants what the approval carries, as the customer's answers (the window shows them). */
export function grantUnattended(agent: Agent, tools: readonly ApprovalTool[], desktop: boolean) {
  for (const tool of tools) {
    if (tool === "control" && !desktop) continue;
    agent.answer(tool, agent.consent.ask(tool), true);
  }
}

/**
 * Answers the agent's open confirmations for the absent customer: yes for a granted tool's,
 * no for everything else — and no to a question for a capability the approval does not carry
 * (view or control left unticked): nobody would ever answer it. Called on every change the
 * window would show.
 */
export function answerForAbsentCustomer(
  agent: Agent,
  tools: readonly ApprovalTool[],
  log: (line: string) => void,
) {
  const granted = (capability: string | null) =>
    capability !== null &&
    ((tools as readonly string[]).includes(capability) ||
      (capability === "view" && tools.includes("control")));
  for (const open of agent.customerState.confirms) {
    const yes = granted(open.capability);
    if (agent.confirmAnswer(open.id, yes).ok) {
      log(
        `${yes ? "allowed by" : "declined: not part of"} the unattended approval: ${open.detail}`,
      );
    }
  }
  for (const question of agent.customerState.questions) {
    if (granted(question.capability)) continue;
    if (agent.answer(question.capability, question.id, false).ok) {
      log(`declined: ${question.capability} is not part of the unattended approval`);
    }
  }
}
