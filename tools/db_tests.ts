// The test files that can reach a database, for CI's second pass on PostgreSQL (`deno task
// test:db`): the first pass (`deno task test`, the README's command) runs every file on
// embedded PGlite; a file that cannot reach a database (the agent, X11, media, protocol,
// islands, pure functions) would only run again unchanged, so the PostgreSQL pass leaves it
// out. Decided from the import graph, not from a list kept by hand, so a new test is in the
// right pass without anyone remembering: a test file is a database test when anything it
// imports, however indirectly, is under modules/db/, imports a database driver (postgres,
// PGlite, drizzle), reads the database URL from the environment (`"DATABASE_URL"`,
// `.DATABASE_URL`) or spawns the server (a `"main.ts"` that is the root's main.ts), whose
// child inherits that environment. Erring is one-sided: a pure test that imports a module's
// mod.ts is counted in, which only costs its few milliseconds twice.
//
// A test that reaches a database only to render pages and checks nothing an engine could
// change (accessibility audits, Content Security Policy) says so in a comment line
// `engine-neutral: <why>` near its top and runs once, in the first pass: each such browser
// file costs minutes of CI a pass.
//
//   deno run -A tools/db_tests.ts [--list] [tools/run_tests.ts flags…]
//
// `--list` prints the files; otherwise it runs them with tools/run_tests.ts --db (several
// `deno test` processes, each on a database of its own), as `deno task test:db` does.
import { dirname, join, relative, resolve } from "node:path";

const ROOT = resolve(new URL("..", import.meta.url).pathname);
const SKIP_DIRS = new Set(["node_modules", "data", ".git"]);
const DRIVERS = ["postgres", "@electric-sql/pglite", "drizzle-orm"];

/** Relative and bare specifiers of `source`: static imports and re-exports, side-effect
 * imports and `import("…")` with a literal. */
export function importsOf(source: string): string[] {
  const re =
    /(?:import|export)[^"';]*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)|import\s+["']([^"']+)["']/g;
  return [...source.matchAll(re)].map((m) => m[1] ?? m[2] ?? m[3]);
}

/** Whether `file` itself touches a database: a driver import, the database URL read from
 * the environment, or the server started as a child process. */
function _touchesDatabase(file: string, source: string, specs: string[], root: string): boolean {
  if (/["'`]DATABASE_URL["'`]|\.DATABASE_URL\b/.test(source)) return true;
  if (specs.some((s) => DRIVERS.some((d) => s === d || s.startsWith(`${d}/`)))) return true;
  const serverMain = join(root, "main.ts");
  return [...source.matchAll(/["']((?:\.{1,2}\/)*main\.ts)["']/g)].some(([, path]) =>
    path === "main.ts" || resolve(dirname(file), path) === serverMain
  );
}

/**
 * Every test file under `root`, relative, sorted: the names `deno test` picks by itself
 * (`*_test.ts`, `*.test.tsx`, `test.js`, …), so a runner given this list drops none.
 */
export async function testFiles(root = ROOT): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string) => {
    for await (const entry of Deno.readDir(dir)) {
      if (SKIP_DIRS.has(entry.name)) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory) await walk(path);
      else if (/(^|[._])test\.[mc]?[jt]sx?$/.test(entry.name)) found.push(relative(root, path));
    }
  };
  await walk(root);
  return found.sort();
}

/** A test's own word that the database engine cannot change what it checks (see the top). */
export function engineNeutral(source: string): boolean {
  const head = source.split("\n", 40).join("\n");
  return /^\s*(?:\/\/|\*)\s*engine-neutral:[ \t]*\S/m.test(head);
}

/** The test files under `root` that can reach a database (see the top of this file). */
export async function databaseTestFiles(root = ROOT): Promise<string[]> {
  const verdict = new Map<string, boolean>(); // file → touches a database itself
  const edges = new Map<string, string[]>();
  const visit = async (file: string) => {
    if (verdict.has(file)) return;
    let source = "";
    try {
      source = await Deno.readTextFile(file);
    } catch {
      // a generated or missing file: nothing to follow
    }
    const specs = importsOf(source);
    const inDb = relative(root, file).startsWith("modules/db/");
    verdict.set(file, inDb || _touchesDatabase(file, source, specs, root));
    const local = specs.filter((s) => s.startsWith(".")).map((s) => resolve(dirname(file), s));
    edges.set(file, local);
    for (const next of local) await visit(next);
  };
  const reaches = (start: string) => {
    const seen = new Set([start]);
    const todo = [start];
    while (todo.length > 0) {
      const file = todo.pop()!;
      if (verdict.get(file)) return true;
      for (const next of edges.get(file) ?? []) {
        if (seen.has(next)) continue;
        seen.add(next);
        todo.push(next);
      }
    }
    return false;
  };
  const result: string[] = [];
  for (const test of await testFiles(root)) {
    const file = join(root, test);
    await visit(file);
    if (reaches(file) && !engineNeutral(await Deno.readTextFile(file))) result.push(test);
  }
  return result;
}

if (import.meta.main) {
  if (Deno.args.includes("--list")) {
    console.log((await databaseTestFiles()).join("\n"));
  } else {
    // Runs them as `deno task test:db` does: tools/run_tests.ts --db.
    const { code } = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", join(ROOT, "tools", "run_tests.ts"), "--db", ...Deno.args],
      cwd: ROOT,
      stdin: "inherit",
      stdout: "inherit",
      stderr: "inherit",
    }).output();
    Deno.exit(code);
  }
}
