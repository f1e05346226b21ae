/**
 * The V8 flag every start of the agent passes to Deno (`deno run`, `deno compile`, the portable
 * package's launchers, the unattended service, a resume after a reboot). V8 doubles its young
 * generation each time enough has survived there since the last growth — with any steady work,
 * up to 32 MiB semi-spaces in this Deno — and keeps it while the work goes on: during a bundle
 * of 60,000 small files the agent's V8 heap reached 74 MB committed plus 34 MB of pooled pages,
 * under 40 MB with it and the compact walk list (bench:files, issue 16). What lives past a
 * scavenge or two is promoted either way; a 2 MiB semi-space means more, shorter scavenges of
 * what dies young.
 */
export const AGENT_V8_FLAGS = "--v8-flags=--max-semi-space-size=2";
