/**
 * My account: language, password change, two-factor management (enrol, recovery codes,
 * disable), remembered devices, personal API tokens, and sign-out everywhere. Every change
 * is audited.
 */
export { accountRoutes } from "./routes.tsx";
