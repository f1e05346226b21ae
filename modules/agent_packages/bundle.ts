/**
 * The support app as one JavaScript file (`agent.js` in the portable package), bundled in
 * memory from this checkout's agent/ by Deno's bundler, once per process — the same way the
 * browser islands are (modules/static_files/islands.ts), so nothing generated is committed and
 * the server needs no permission to run programs.
 */
import { fileURLToPath } from "node:url";

type Bundle = (options: {
  entrypoints: string[];
  outputDir: string;
  platform: "deno";
  format: "esm";
  minify: boolean;
  write: false;
}) => Promise<{
  success: boolean;
  errors: { text: string }[];
  outputFiles?: { path: string; contents?: Uint8Array<ArrayBuffer>; hash: string }[];
}>;

const AGENT_MAIN = fileURLToPath(new URL("../../agent/main.ts", import.meta.url));
let built: Promise<{ code: Uint8Array<ArrayBuffer>; hash: string }> | undefined;

export function agentBundle(): Promise<{ code: Uint8Array<ArrayBuffer>; hash: string }> {
  built ??= _bundle().catch((error) => {
    built = undefined;
    throw error;
  });
  return built;
}

async function _bundle() {
  const bundle = (Deno as unknown as { bundle?: Bundle }).bundle;
  if (!bundle) throw new Error('Deno.bundle is missing (needs "unstable": ["bundle"])');
  const result = await bundle({
    entrypoints: [AGENT_MAIN],
    outputDir: "/agent",
    platform: "deno",
    format: "esm",
    minify: false,
    write: false,
  });
  const file = result.outputFiles?.find((f) => f.path.endsWith(".js"));
  if (!result.success || !file?.contents) {
    throw new Error(`bundling the agent failed: ${result.errors.map((e) => e.text).join("; ")}`);
  }
  return { code: file.contents, hash: file.hash };
}
