// Over 400 lines on purpose: the allow-list of module edges is the module map itself, kept whole so a new edge is one line beside its neighbours.
// Module-boundary check (part of `deno task ok`): a module is imported only through its
// `mod.ts`; module → module edges must be on the allow-list below; no cycles; the agent,
// the protocol package and the browser islands never import server code (islands: only
// protocol/ and preact), and nothing on the server imports an island; no file imports
// itself through others; every allowed edge is used; ARCHITECTURE.md's module map is
// this allow-list (`--write` rewrites it).
import { join, relative } from "node:path";
import { findCycles, MAP_BEGIN, renderModuleMap, withModuleMap } from "./import_graph.ts";

/** Who may import whom. Adding an edge is a design decision: add it here, on purpose. */
const ALLOWED: Record<string, string[]> = {
  account: ["audit", "auth", "http", "i18n", "refusal"],
  channels: ["audit", "auth", "db", "http", "i18n", "org", "refusal", "tokens"],
  mail: ["config", "db", "http", "outbox", "refusal"],
  org: [
    "audit",
    "auth",
    "db",
    "files",
    "http",
    "i18n",
    "limits",
    "mail",
    "permissions",
    "refusal",
    "tokens",
  ],
  permissions: [],
  filemgr: [
    "audit",
    "files",
    "http",
    "i18n",
    "permissions",
    "refusal",
    "remote",
    "support",
  ],
  sysinfo: ["audit", "http", "i18n", "permissions", "refusal", "remote", "support"],
  lens: [
    "audit",
    "auth",
    "cluster",
    "http",
    "i18n",
    "limits",
    "mail",
    "org",
    "permissions",
    "refusal",
    "remote",
    "sms",
    "tokens",
  ],
  device_info: ["cluster", "http", "i18n", "permissions", "refusal", "remote", "support"],
  calling_cards: [
    "admin",
    "agent_packages",
    "audit",
    "auth",
    "channels",
    "http",
    "org",
    "refusal",
    "remote",
    "support",
  ],
  monitoring: [
    "audit",
    "auth",
    "collaboration",
    "console",
    "http",
    "org",
    "refusal",
    "remote",
    "sessions",
    "support",
  ],
  external: [
    "audit",
    "auth",
    "console",
    "db",
    "http",
    "i18n",
    "limits",
    "live",
    "mail",
    "permissions",
    "refusal",
    "remote",
    "support",
    "tokens",
  ],
  unattended: [
    "audit",
    "auth",
    "cluster",
    "db",
    "http",
    "i18n",
    "limits",
    "org",
    "permissions",
    "refusal",
    "remote",
    "support",
    "tokens",
  ],
  history: [
    "auth",
    "channels",
    "console",
    "db",
    "files",
    "http",
    "i18n",
    "org",
    "permissions",
    "recording",
    "refusal",
    "reports",
    "sessions",
    "support",
    "surveys",
  ],
  surveys: [
    "audit",
    "auth",
    "channels",
    "db",
    "http",
    "i18n",
    "org",
    "refusal",
    "support",
    "webhooks",
  ],
  sessions: [],
  replies: ["audit", "auth", "db", "http", "i18n", "permissions", "refusal"],
  scripts: [
    "audit",
    "auth",
    "db",
    "files",
    "http",
    "i18n",
    "permissions",
    "refusal",
    "remote",
    "replies",
    "support",
  ],
  outbox: ["audit", "db", "http", "live", "refusal"],
  sms: ["config", "db", "http", "outbox", "refusal"],
  support: [
    "audit",
    "auth",
    "channels",
    "cluster",
    "db",
    "files",
    "http",
    "i18n",
    "limits",
    "mail",
    "org",
    "permissions",
    "refusal",
    "sessions",
    "tokens",
    "webhooks",
  ],
  admin: ["agent_packages", "audit", "auth", "db", "files", "http", "refusal"],
  agent_packages: [],
  remote: [
    "agent_packages",
    "auth",
    "cluster",
    "http",
    "i18n",
    "live",
    "org",
    "permissions",
    "refusal",
    "support",
  ],
  api: [
    "audit",
    "auth",
    "channels",
    "http",
    "i18n",
    "org",
    "permissions",
    "refusal",
    "reports",
    "sessions",
    "sso",
    "support",
  ],
  app: [
    "account",
    "admin",
    "api",
    "audit",
    "auth",
    "calling_cards",
    "channels",
    "collaboration",
    "console",
    "device_info",
    "external",
    "filemgr",
    "health",
    "history",
    "http",
    "lens",
    "mail",
    "metrics",
    "monitoring",
    "org",
    "recording",
    "refusal",
    "remote",
    "replies",
    "reports",
    "scripts",
    "sms",
    "sso",
    "static_files",
    "support",
    "sysinfo",
    "surveys",
    "unattended",
    "webhooks",
  ],
  reports: ["db", "http", "i18n", "refusal", "sessions", "support"],
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
    "sessions",
    "sms",
    "support",
    "surveys",
  ],
  db: ["tokens"],
  health: ["http"],
  http: ["cluster", "config", "db", "files", "i18n", "live", "permissions", "refusal", "tokens"],
  cluster: ["db"],
  sso: ["audit", "auth", "db", "http", "limits", "org", "refusal", "tokens"],
  files: [],
  recording: [
    "audit",
    "auth",
    "db",
    "files",
    "http",
    "i18n",
    "lens",
    "permissions",
    "refusal",
    "remote",
    "support",
  ],
  limits: ["db", "i18n", "refusal"],
  listen: ["config"],
  live: [],
  metrics: ["http", "mail", "refusal", "remote", "sms", "support"],
  i18n: [],
  static_files: ["http"],
  tokens: [],
  refusal: ["i18n"],
  webhooks: ["audit", "auth", "db", "http", "outbox", "refusal"],
  collaboration: [
    "audit",
    "auth",
    "db",
    "http",
    "org",
    "permissions",
    "refusal",
    "support",
  ],
};

const root = new URL("..", import.meta.url).pathname;
const problems: string[] = [];
const edges = new Map<string, Set<string>>();
/** File → the files it imports (type-only imports too: a cycle of types is a tangle too). */
const fileEdges = new Map<string, Set<string>>();

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
      if (!fileEdges.has(rel)) fileEdges.set(rel, new Set());
      fileEdges.get(rel)!.add(target);
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

for (const cycle of findCycles(edges)) problems.push(`module import cycle: ${cycle.join(" → ")}`);
for (const cycle of findCycles(fileEdges)) problems.push(`file import cycle: ${cycle.join(" → ")}`);
for (const [from, targets] of Object.entries(ALLOWED)) {
  for (const to of targets) {
    if (!edges.get(from)?.has(to)) {
      problems.push(`edge ${from} → ${to} is allowed but nothing imports it: take it off the list`);
    }
  }
}
const architecture = join(root, "ARCHITECTURE.md");
const markdown = await Deno.readTextFile(architecture);
const mapped = withModuleMap(markdown, renderModuleMap(ALLOWED));
if (mapped === undefined) {
  problems.push(`ARCHITECTURE.md: the module map's markers are missing (${MAP_BEGIN})`);
} else if (mapped !== markdown) {
  if (Deno.args.includes("--write")) await Deno.writeTextFile(architecture, mapped);
  else problems.push("ARCHITECTURE.md: the module map is not the allow-list (run with --write)");
}
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
