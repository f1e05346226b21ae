/**
 * Configuration from the environment, with safe defaults. `loadConfig` reads the variables
 * once at start-up, through one zod schema with an entry per variable (environment.ts) —
 * the only place in the server that reads `Deno.env`. Secrets that are not given are
 * generated on first start and persisted under `DATA_DIR` (mode 0600) so that a restart
 * keeps cookies and tokens valid. Secrets are never logged. The TLS files are read and
 * checked here too (tls.ts), at start-up and again for a reload (`readTlsFiles`).
 */
export { type Config, loadConfig, type LoadConfigOptions } from "./config.ts";
export { certificateWarning, startupNotes } from "./startup.ts";
export { readTlsFiles, type TlsFiles } from "./tls.ts";
