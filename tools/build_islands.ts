// Bundles the browser islands (islands/) as the server does at start-up and prints each one's
// size and the time taken; exits non-zero with the bundler's reasons when one does not build.
// The Dockerfile runs it so a broken island fails the image build (and Deno's bundler is in the
// image's cache before the server first starts). Nothing is written.
import { buildIslands } from "../modules/static_files/mod.ts";

const started = performance.now();
const bundles = await buildIslands();
const ms = Math.round(performance.now() - started);
for (const [name, bundle] of bundles) {
  console.log(`islands/${name}.ts → /static/islands/${name}.js: ${bundle.code.byteLength} bytes`);
}
console.log(`bundled ${bundles.size} island(s) in ${ms} ms`);
