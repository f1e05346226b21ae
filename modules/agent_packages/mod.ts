/**
 * The support app as a download a customer can run without any toolchain (issue 18): a
 * portable package around the official Deno runtime (Linux x86-64 from this server's own
 * runtime), built on first use into `DATA_DIR/agent-packages`, with each session's
 * configuration appended per download.
 */
export { type AgentPackage, LAUNCHER, linuxPackage, sessionPart } from "./package.ts";
export { agentBundle } from "./bundle.ts";
