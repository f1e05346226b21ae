// `deno task bench:cluster [--quick] [--instances=1,2,4] [--consoles=N] [--sessions=N]`:
// how fast a status change reaches every console that sees it when the product runs as
// several real instances on one PostgreSQL database (issue 15). Per instance count: a fresh
// database (created from DATABASE_URL's server, or postgres://postgres@127.0.0.1:5432, and
// dropped after), seeded with N technicians in groups of 50 — each group serves its own
// channel, so a change to one of its sessions is seen by its 50 consoles, spread over every
// instance — and M Waiting sessions; the consoles' streams are held by a few worker threads
// of this process. Then Starts, Holds, Resumes and new customers reaching Waiting are made
// on the instances in turn, and each console's stream is watched for them (lost: not seen
// within 5 s). Prints the figures per instance count against the 1-instance run and the
// targets (p95 < 200 ms at 4 instances; ≤ 5 ms p50 added by a relayed remote view).
// --quick: 100 consoles, 500 sessions, 1 and 2 instances (a smoke run). More knobs: --starts=N
// (Holds, Resumes and new customers are half as many each), --rate=N (changes per second),
// --relay-messages=N (viewer moves per path for the relay figure, tools/bench_relay).
import { runBench } from "./bench_cluster/bench.ts";

const flags = new Map<string, string | undefined>(
  Deno.args.map((a) => {
    const [name, value] = a.replace(/^--/, "").split("=");
    return [name, value];
  }),
);
const quick = flags.has("quick");
const number = (name: string, fallback: number) => Number(flags.get(name) ?? fallback);
const { tables, text, header } = await runBench({
  instances: (flags.get("instances") ?? (quick ? "1,2" : "1,2,4")).split(",").map(Number),
  consoles: number("consoles", quick ? 100 : 1000),
  sessions: number("sessions", quick ? 500 : 5000),
  starts: number("starts", quick ? 40 : 200),
  rate: number("rate", 10),
  relayMessages: number("relay-messages", quick ? 200 : 500),
  progress: (message) => console.error(`[bench:cluster] ${message}`),
});
console.log(header);
for (const table of tables) console.table(table);
for (const line of text) console.log(line);
