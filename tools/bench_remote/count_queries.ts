// Runs a module (the server's main.ts) and counts its PGlite queries: every QUERY_EVERY_S
// seconds (default 10) stderr gets the queries of that interval by SQL and the project frames
// that issued them, most frequent first. For an idle server or session: which periodic work
// reads the database, how often. With bench:remote:
//   BENCH_SERVER_FLAGS="$PWD/tools/bench_remote/count_queries.ts" deno task bench:remote …
// (the flags come before main.ts, so this file runs and main.ts is its argument); the lines
// land in the server's log. Alone: deno run -A tools/bench_remote/count_queries.ts main.ts
import { PGlite } from "@electric-sql/pglite";

const ROOT = new URL("../../", import.meta.url).href;
const counts = new Map<string, number>();
const base = Object.getPrototypeOf(PGlite.prototype);
for (const method of ["query", "exec"]) {
  const original = base[method];
  base[method] = function (this: unknown, sql: string, ...rest: unknown[]) {
    const callers = (new Error().stack ?? "").split("\n").slice(2)
      .filter((line) => !line.includes("node_modules") && !line.includes("ext:"))
      .slice(0, 3).map((line) => line.trim().replace(/^at (async )?/, "").replace(ROOT, ""));
    const key = `${String(sql).replace(/\s+/g, " ").slice(0, 70)}  ←  ${callers.join(" ← ")}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    return original.call(this, sql, ...rest);
  };
}

const everyS = Number(Deno.env.get("QUERY_EVERY_S") ?? 10);
setInterval(() => {
  const rows = [...counts].sort((a, b) => b[1] - a[1]);
  const total = rows.reduce((sum, [, n]) => sum + n, 0);
  counts.clear();
  console.error(
    `QUERIES ${total} in ${everyS} s\n` + rows.map(([key, n]) => `  ${n}\t${key}`).join("\n"),
  );
}, everyS * 1000);

const main = Deno.args[0];
if (!main) throw new Error("usage: count_queries.ts <module> (e.g. main.ts)");
await import(new URL(main, `file://${Deno.cwd()}/`).href);
