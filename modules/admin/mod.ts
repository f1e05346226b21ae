/**
 * The Admin Center. For now the organisation's security settings (master admin only):
 * require two-factor sign-in for everyone, and how long a remembered device stays trusted.
 * Groups, permissions and channels come in the Admin Center issue.
 */
export { adminRoutes } from "./routes.tsx";
