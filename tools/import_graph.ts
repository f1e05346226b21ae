/**
 * Graph helpers for the boundary check (check_boundaries.ts): cycles among files or modules,
 * and the module map of ARCHITECTURE.md written from the allow-list, so the picture and the
 * rule cannot drift apart.
 */

export type Graph = ReadonlyMap<string, ReadonlySet<string>>;

/**
 * Every cycle of `graph`, one per strongly connected component (Tarjan), each as a path
 * that starts and ends on the same node: `["a", "b", "a"]`. A node importing itself is one.
 */
export function findCycles(graph: Graph): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  let next = 0;
  const connect = (node: string) => {
    index.set(node, next);
    low.set(node, next);
    next++;
    stack.push(node);
    onStack.add(node);
    for (const to of graph.get(node) ?? []) {
      if (!index.has(to)) {
        connect(to);
        low.set(node, Math.min(low.get(node)!, low.get(to)!));
      } else if (onStack.has(to)) {
        low.set(node, Math.min(low.get(node)!, index.get(to)!));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1 || graph.get(node)?.has(node)) components.push(component);
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) connect(node);
  return components.map((component) => _cycleWithin(graph, new Set(component)));
}

/** A path from the component's first node (by name) back to itself, inside the component. */
function _cycleWithin(graph: Graph, members: ReadonlySet<string>): string[] {
  const start = [...members].sort()[0];
  const seen = new Set<string>();
  const path: string[] = [];
  const walk = (node: string): boolean => {
    path.push(node);
    for (const to of [...(graph.get(node) ?? [])].sort()) {
      if (to === start) return path.push(start) > 0;
      if (members.has(to) && !seen.has(to)) {
        seen.add(to);
        if (walk(to)) return true;
      }
    }
    path.pop();
    return false;
  };
  walk(start);
  return path;
}

/**
 * The module map as text: one line per module that imports others, importers above what
 * they import (then by name), `name ──► a, b, c` wrapped at `width` columns; the modules
 * that import no other module on a last line.
 */
export function renderModuleMap(allowed: Readonly<Record<string, readonly string[]>>, width = 100) {
  const depth = new Map<string, number>();
  const depthOf = (module: string, seen: Set<string> = new Set()): number => {
    if (depth.has(module)) return depth.get(module)!;
    if (seen.has(module)) return 0; // a cycle; the check reports it
    seen.add(module);
    const below = (allowed[module] ?? []).map((to) => depthOf(to, seen) + 1);
    const d = Math.max(0, ...below);
    depth.set(module, d);
    return d;
  };
  const modules = Object.keys(allowed).sort();
  const importers = modules.filter((m) => allowed[m].length > 0)
    .sort((a, b) => depthOf(b) - depthOf(a) || a.localeCompare(b));
  const column = Math.max(...importers.map((m) => m.length)) + 5;
  const lines: string[] = [];
  for (const module of importers) {
    const head = `${module} ${"─".repeat(column - module.length - 3)}► `;
    lines.push(..._wrap(head, [...allowed[module]].sort(), width));
  }
  const leaves = modules.filter((m) => allowed[m].length === 0);
  lines.push(..._wrap("import no other module: ", leaves, width));
  return lines.join("\n");
}

function _wrap(head: string, items: string[], width: number): string[] {
  const indent = " ".repeat(head.length);
  const lines: string[] = [];
  let line = head;
  items.forEach((item, i) => {
    const text = item + (i < items.length - 1 ? "," : "");
    if (line.length + text.length > width && line.trim() !== head.trim()) {
      lines.push(line.trimEnd());
      line = indent;
    }
    line += text + " ";
  });
  lines.push(line.trimEnd());
  return lines;
}

export const MAP_BEGIN =
  "<!-- module map: written from the allow-list by `deno run -A tools/check_boundaries.ts --write` -->";
export const MAP_END = "<!-- /module-map -->";

/** `markdown` with the text between the markers replaced by `map` in a code block. */
export function withModuleMap(markdown: string, map: string): string | undefined {
  const begin = markdown.indexOf(MAP_BEGIN);
  const end = markdown.indexOf(MAP_END);
  if (begin < 0 || end < begin) return undefined;
  return markdown.slice(0, begin + MAP_BEGIN.length) + "\n\n```\n" + map + "\n```\n\n" +
    markdown.slice(end);
}
