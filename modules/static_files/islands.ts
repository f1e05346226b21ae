/**
 * The browser islands (`islands/<name>.ts`, Preact + protocol/), bundled in memory by Deno's
 * bundler (esbuild inside; `"unstable": ["bundle"]` in deno.json) once per process — at start-up
 * by main.ts, or on first request in tests — and served at /static/islands/<name>.js. Nothing
 * generated is written or committed: what is served is always this checkout's source. Needs
 * only read access; ≈ 0.1 s for the remote view.
 */
import { fileURLToPath } from "node:url";

/** Every island: the name it is served under (`<name>.js`) is its entry file's. */
export const ISLANDS = ["remote_view", "file_manager"] as const;

export interface IslandBundle {
  code: Uint8Array<ArrayBuffer>;
  /** Content hash, for ETag. */
  hash: string;
}

// Deno.bundle's types are in the unstable lib, which the rest of the project does not load.
type Bundle = (options: {
  entrypoints: string[];
  outputDir: string;
  platform: "browser";
  format: "esm";
  minify: boolean;
  write: false;
}) => Promise<{
  success: boolean;
  errors: { text: string; location?: { file: string; line: number; column: number } }[];
  outputFiles?: { path: string; contents?: Uint8Array<ArrayBuffer>; hash: string }[];
}>;

const ISLANDS_DIR = fileURLToPath(new URL("../../islands/", import.meta.url));
let built: Promise<Map<string, IslandBundle>> | undefined;

/** Bundles every island, once per process (later calls share it); rejects with the reasons. */
export function buildIslands(): Promise<Map<string, IslandBundle>> {
  built ??= bundleIslands().catch((error) => {
    built = undefined;
    throw error;
  });
  return built;
}

async function bundleIslands(): Promise<Map<string, IslandBundle>> {
  const bundle = (Deno as unknown as { bundle?: Bundle }).bundle;
  if (!bundle) {
    throw new Error(
      'Deno.bundle is missing: the islands need Deno ≥ 2.5 with "unstable": ["bundle"] ' +
        "(deno.json) or --unstable-bundle",
    );
  }
  const result = await bundle({
    entrypoints: ISLANDS.map((name) => `${ISLANDS_DIR}${name}.ts`),
    outputDir: "/islands",
    platform: "browser",
    format: "esm",
    minify: true,
    write: false,
  });
  if (!result.success) {
    const reasons = result.errors.map((e) =>
      e.location ? `${e.location.file}:${e.location.line}:${e.location.column}: ${e.text}` : e.text
    );
    throw new Error(`bundling the islands failed:\n${reasons.join("\n")}`);
  }
  const bundles = new Map<string, IslandBundle>();
  for (const file of result.outputFiles ?? []) {
    const name = /([a-z_]+)\.js$/.exec(file.path)?.[1];
    if (name && file.contents) bundles.set(name, { code: file.contents, hash: file.hash });
  }
  const missing = ISLANDS.filter((name) => !bundles.has(name));
  if (missing.length) throw new Error(`the bundler wrote no ${missing.join(", ")}.js`);
  return bundles;
}
