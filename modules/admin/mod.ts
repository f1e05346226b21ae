/**
 * The Admin Center's organisation pages (master admin only, audited): the security settings
 * (require two-factor sign-in for everyone, how long a remembered device stays trusted) and
 * the organisation's name and logo. `brandingMiddleware` puts the name and logo on every
 * page request for the header (customer pages included); `logoRoutes` serves the logo.
 * Groups, people and channels live in modules/org and modules/channels.
 */
export { adminRoutes } from "./routes.tsx";
export { logoRoutes } from "./organisation_routes.tsx";
/** The logo rules (PNG, JPEG or WebP by magic bytes, 256 KB), for other branded things. */
export { brandingMiddleware, LOGO_MAX_BYTES, sniffLogo } from "./branding.ts";
