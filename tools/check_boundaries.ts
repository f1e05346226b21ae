// Module-boundary check (part of `deno task ok`): a module is imported only through its
// `mod.ts`; module → module edges must be on the allow-list below; no cycles; the agent,
// the protocol package and the browser islands never import server code (islands: only
// protocol/ and preact), and nothing on the server imports an island.
import { join, relative } from "node:path";

/** Who may import whom. Adding an edge is a design decision: add it here, on purpose. */
const ALLOWED: Record<string, string[]> = {
  account: ["audit", "auth", "http", "i18n", "refusal"],
  channels: ["audit", "auth", "db", "http", "i18n", "org", "permissions", "refusal", "tokens"],
  mail: ["config", "db", "http", "outbox", "refusal"],
  org: ["audit", "auth", "db", "http", "i18n", "mail", "permissions", "refusal", "tokens"],
  permissions: [],
  sessions: [],
  replies: ["audit", "auth", "db", "http", "i18n", "permissions", "refusal"],
  outbox: ["audit", "db", "http", "live", "refusal"],
  sms: ["config", "db", "http", "outbox", "refusal"],
  support: [
    "audit",
    "auth",
    "channels",
    "db",
    "files",
    "http",
    "i18n",
    "limits",
    "live",
    "mail",
    "org",
    "permissions",
    "refusal",
    "sessions",
    "sms",
    "tokens",
  ],
  admin: ["audit", "auth", "http", "refusal"],
  remote: ["auth", "http", "i18n", "live", "org", "permissions", "refusal", "support"],
  api: [
    "audit",
    "auth",
    "channels",
    "http",
    "i18n",
    "org",
    "permissions",
    "refusal",
    "sessions",
    "support",
  ],
  app: [
    "account",
    "admin",
    "api",
    "audit",
    "auth",
    "channels",
    "console",
    "health",
    "http",
    "live",
    "mail",
    "metrics",
    "org",
    "refusal",
    "remote",
    "replies",
    "sms",
    "static_files",
    "support",
  ],
  audit: ["db", "http", "refusal"],
  auth: ["audit", "db", "http", "i18n", "refusal", "tokens"],
  config: [],
  console: [
    "auth",
    "channels",
    "db",
    "files",
    "http",
    "i18n",
    "live",
    "mail",
    "org",
    "permissions",
    "refusal",
    "remote",
    "replies",
    "sessions",
    "sms",
    "support",
  ],
  db: ["tokens"],
  health: ["http"],
  http: ["config", "db", "files", "i18n", "live", "permissions", "refusal", "tokens"],
  files: [],
  limits: ["db", "i18n", "refusal"],
  live: [],
  metrics: ["http", "mail", "refusal", "remote", "sms", "support"],
  i18n: [],
  static_files: ["http"],
  tokens: [],
  refusal: ["i18n"],
};

const root = new URL("..", import.meta.url).pathname;
const problems: string[] = [];
const edges = new Map<string, Set<string>>();

async function* sourceFiles(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) yield* sourceFiles(path);
    else if (/\.(ts|tsx)$/.test(entry.name)) yield path;
  }
}

function importsOf(source: string): string[] {
  const found: string[] = [];
  const re = /(?:import|export)[^"']*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;
  for (const m of source.matchAll(re)) found.push(m[1] ?? m[2]);
  return found;
}

for (const area of ["modules", "agent", "protocol", "views", "islands"]) {
  try {
    await Deno.stat(join(root, area));
  } catch {
    continue;
  }
  for await (const file of sourceFiles(join(root, area))) {
    const rel = relative(root, file);
    // Helpers beside the tests (test_fixtures.ts, test_support.ts) are test code too.
    const isTest = /(_test\.tsx?|\/test_(fixtures|support)\.ts)$/.test(file);
    const from = rel.startsWith("modules/") ? rel.split("/")[1] : undefined;
    for (const spec of importsOf(await Deno.readTextFile(file))) {
      if (area === "islands" && !isTest && !spec.startsWith(".") && !/^preact(\/|$)/.test(spec)) {
        problems.push(`${rel}: islands/ may import only protocol/ and preact (imports ${spec})`);
      }
      if (!spec.startsWith(".")) continue;
      const target = relative(root, join(file, "..", spec));
      if (
        (area === "agent" || area === "protocol" || area === "islands") &&
        !target.startsWith("protocol/") &&
        !target.startsWith(area + "/")
      ) {
        problems.push(`${rel}: ${area}/ may import only protocol/ (imports ${target})`);
      }
      if (area !== "islands" && target.startsWith("islands/")) {
        problems.push(`${rel}: islands are browser code; the server does not import ${target}`);
      }
      if (!target.startsWith("modules/")) continue;
      const to = target.split("/")[1];
      if (to === from) continue;
      // Tables may reference other modules' tables (foreign keys): schema → schema is fine.
      const schemaToSchema = file.endsWith("/schema.ts") && target.endsWith("/schema.ts");
      if (!target.endsWith("/mod.ts") && !isTest && !schemaToSchema) {
        problems.push(`${rel}: import ${to} through modules/${to}/mod.ts, not ${target}`);
      }
      if (from && !isTest) {
        if (!edges.has(from)) edges.set(from, new Set());
        edges.get(from)!.add(to);
        if (!(ALLOWED[from] ?? []).includes(to)) {
          problems.push(`${rel}: edge ${from} → ${to} is not on the allow-list`);
        }
      }
    }
  }
}

function findCycle(): string[] | undefined {
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];
  const visit = (node: string): string[] | undefined => {
    if (state.get(node) === "done") return undefined;
    if (state.get(node) === "visiting") return [...stack.slice(stack.indexOf(node)), node];
    state.set(node, "visiting");
    stack.push(node);
    for (const next of edges.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(node, "done");
    return undefined;
  };
  for (const node of edges.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
}

const cycle = findCycle();
if (cycle) problems.push(`import cycle: ${cycle.join(" → ")}`);
for (const module of Object.keys(ALLOWED)) {
  try {
    await Deno.stat(join(root, "modules", module, "mod.ts"));
  } catch {
    problems.push(`modules/${module}/mod.ts is missing (every module has one public surface)`);
  }
}

if (problems.length > 0) {
  console.error(problems.join("\n"));
  console.error(`${problems.length} boundary problem(s)`);
  Deno.exit(1);
}
console.log(`module boundaries ok: ${edges.size} modules, no cycles`);
