// `deno task bench:startup`: start-up time and resident memory of the real server on an
// empty data directory (first start: PGlite creates its cluster) and on a second start
// over the same directory, next to a baseline in the same run — a bare Deno.serve hello
// world started the same way — so the figures read as "our cost over the runtime's".
import { freePort, rssMiB } from "./bench_common.ts";

const deno = Deno.execPath();
const FLAGS = ["run", "--allow-net", "--allow-env", "--allow-read", "--allow-write", "--allow-sys"];

interface Sample {
  label: string;
  readyMs: number;
  rssMiB: number;
}

async function measure(label: string, args: string[], env: Record<string, string>, path: string) {
  const port = freePort();
  const started = performance.now();
  const child = new Deno.Command(deno, {
    args,
    env: { ...env, PORT: String(port), HOST: "127.0.0.1", RESCUE_LOG: "off" },
    stdout: "null",
    stderr: "null",
  }).spawn();
  let readyMs = -1;
  while (performance.now() - started < 120_000) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}${path}`);
      await res.body?.cancel();
      if (res.ok) {
        readyMs = Math.round(performance.now() - started);
        break;
      }
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  await new Promise((r) => setTimeout(r, 500)); // let start-up garbage settle
  const sample: Sample = { label, readyMs, rssMiB: await rssMiB(child.pid) };
  child.kill("SIGTERM");
  await child.status;
  return sample;
}

const baselineFile = await Deno.makeTempFile({ suffix: ".ts" });
await Deno.writeTextFile(
  baselineFile,
  `Deno.serve({ port: Number(Deno.env.get("PORT")), hostname: "127.0.0.1", onListen() {} }, () => new Response("ok"));`,
);
const dataDir = await Deno.makeTempDir({ prefix: "rescue-bench-" });
const env = {
  DATA_DIR: dataDir,
  RESCUE_ADMIN_EMAIL: "admin@example.test",
  RESCUE_ADMIN_PASSWORD: "bench password 123",
};
const main = new URL("../main.ts", import.meta.url).pathname;
try {
  const rows = [
    await measure("baseline: bare Deno.serve", [...FLAGS, baselineFile], {}, "/"),
    await measure("rescue, empty data dir", [...FLAGS, main], env, "/healthz"),
    await measure("rescue, second start", [...FLAGS, main], env, "/healthz"),
  ];
  console.log("\nstart-up until /healthz answers 200, and resident memory 0.5 s later\n");
  console.log("| run | ready (ms) | RSS (MiB) |\n|---|---:|---:|");
  for (const r of rows) console.log(`| ${r.label} | ${r.readyMs} | ${r.rssMiB} |`);
  const [base, , second] = rows;
  console.log(
    `\nsecond start vs baseline: +${second.readyMs - base.readyMs} ms, ` +
      `+${second.rssMiB - base.rssMiB} MiB`,
  );
} finally {
  await Deno.remove(dataDir, { recursive: true });
  await Deno.remove(baselineFile);
}
