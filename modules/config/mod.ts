/**
 * Configuration from the environment, with safe defaults. `loadConfig` reads the variables
 * once at start-up, through one zod schema with an entry per variable (environment.ts) —
 * the only place in the server that reads `Deno.env`. Secrets that are not given are
 * generated on first start and persisted under `DATA_DIR` (mode 0600) so that a restart
 * keeps cookies and tokens valid. Secrets are never logged.
 */
export { type Config, loadConfig, type LoadConfigOptions } from "./config.ts";
export { startupNotes } from "./startup.ts";
