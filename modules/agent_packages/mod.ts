/**
 * The support app as a download a customer can run without any toolchain (issue 18): portable
 * packages around Deno's official runtime for each system (this server's own, or those
 * `deno task fetch:runtimes` put in DATA_DIR/runtimes), built on first use into
 * `DATA_DIR/agent-packages`, with each session's configuration appended per download. Windows
 * packages carry the video codecs (vpx.dll, yuv.dll) found beside their runtime (`codecsFor`);
 * `sharesScreen` says whether a package's app can share the screen.
 */
export { type AgentPackage, builtPackages, caFiles, downloadOf, packageFor } from "./package.ts";
export {
  codecsFor,
  isPlatform,
  type Platform,
  PLATFORMS,
  runtimeFor,
  sharesScreen,
} from "./platforms.ts";
export { agentBundle } from "./bundle.ts";
