/**
 * Calling cards (SPEC C6): per channel, a branded support app a customer keeps — the Admin
 * Center page (`/admin/calling-cards`: branding, groups, the branded portable package), the
 * technician's deploy during a session (`callingCard`, the agent's `callingCard.deploy` with
 * the customer's consent) and the package the agent fetches for it (`callingCardRoutes`).
 * `cardsNeedingGroup` names the cards a group alone may deploy, so that group is not deleted.
 */
export { callingCardRoutes } from "./routes.tsx";
export { type CallingCard, checkCard } from "./service.ts";
export { cardsNeedingGroup } from "./group_dependents.ts";
