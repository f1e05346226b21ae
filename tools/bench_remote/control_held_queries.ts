// What a technician holding control costs the database: the real app on a test database
// (PGlite, or DATABASE_URL), one viewer socket that took control of a session whose fake agent
// granted it, and the queries counted over two windows — the technician only looking (no
// input), then moving the pointer every 20 ms. bench:remote's viewer never takes control, so
// its idle figure is the watch-only case; this is the other one. The test app runs no workers
// (no heartbeat, deadlines, outbox), so every query counted is the socket's.
//   deno run -A tools/bench_remote/control_held_queries.ts [seconds per window, default 10]
import { PGlite } from "@electric-sql/pglite";
import { startTestApp } from "../../tests/support/app.ts";
import { controllingViewer } from "../../tests/support/control.ts";
import { withServer } from "../../tests/support/sockets.ts";

const seconds = Number(Deno.args[0] ?? 10);
let queries = 0;
const base = Object.getPrototypeOf(PGlite.prototype);
for (const method of ["query", "exec"]) {
  const original = base[method];
  base[method] = function (this: unknown, ...args: unknown[]) {
    queries++;
    return original.apply(this, args);
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The queries issued during the next `ms`. */
async function counted(ms: number): Promise<number> {
  const from = queries;
  await sleep(ms);
  return queries - from;
}

const t = await startTestApp();
try {
  await withServer(t, async (port) => {
    // Its first pointer move claimed control (nobody held it): this viewer holds it.
    const { viewer, agentGot } = await controllingViewer(t, port);
    const pointers = () => agentGot.filter((m) => m.type === "pointer").length;
    await sleep(1_000);

    const looking = await counted(seconds * 1_000);
    let x = 0;
    const moving = setInterval(() => viewer.send({ type: "pointer", x: ++x % 800, y: 10 }), 20);
    const before = pointers();
    const streaming = await counted(seconds * 1_000);
    clearInterval(moving);
    await sleep(200);
    const per10 = (n: number) => Math.round(n * 10 / seconds);
    console.log(
      `control held, no input:           ${looking} queries in ${seconds} s ` +
        `(${per10(looking)} per 10 s)\n` +
        `control held, pointer every 20 ms: ${streaming} queries in ${seconds} s ` +
        `(${per10(streaming)} per 10 s; ${pointers() - before} moves reached the agent)`,
    );
    // Done: the server's shutdown waits on the open socket, and is not what is measured.
    Deno.exit(0);
  });
} finally {
  await t.close();
}
