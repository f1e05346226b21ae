/**
 * `GET /s/:token/agent`: the support app for the visitor's OS, from `dist/agent/` (built by
 * `deno task build:agent`), named after the session so it joins by itself; where no binary
 * was built, a page with the command to run instead.
 */
import { Hono } from "hono";
import { Refusal } from "../refusal/mod.ts";
import type { AppEnv } from "../http/mod.ts";
import { findByToken } from "../support/mod.ts";
import { Layout } from "../../views/layout.tsx";
import {
  caFiles,
  downloadOf,
  isPlatform,
  packageFor,
  type Platform,
  PLATFORMS,
} from "../agent_packages/mod.ts";

/** Where `deno task build:agent` puts the binaries (see tools/build_agent.ts). */
const DIST = new URL("../../dist/agent/", import.meta.url);

export function visitorOs(userAgent: string): "windows" | "darwin" | "linux" {
  if (/Windows/i.test(userAgent)) return "windows";
  if (/Mac OS X|Macintosh/i.test(userAgent)) return "darwin";
  return "linux";
}

/** The compiled agent for an OS, if one was built on this server. */
async function agentBinary(os: "windows" | "darwin" | "linux", arm: boolean) {
  const name = `rescue-agent-${os}-${arm ? "aarch64" : "x86_64"}${os === "windows" ? ".exe" : ""}`;
  try {
    return await Deno.readFile(new URL(name, DIST));
  } catch {
    return null;
  }
}

/**
 * `GET /s/:token/agent`: the support app for the visitor's OS, named after the session so
 * it joins it by itself; where no binary was built, a page with the command to run instead.
 */
export const agentDownloadRoutes = new Hono<AppEnv>().get("/s/:token/agent", async (c) => {
  const session = await findByToken(c.get("deps"), c.req.param("token") ?? "");
  if (!session || session.endedAt) throw new Refusal(404, "customer.notFound");
  const agent = c.req.header("user-agent") ?? "";
  const os = visitorOs(agent);
  const binary = await agentBinary(os, /arm64|aarch64/i.test(agent));
  if (binary) {
    const name = `rescue-agent-${session.token}${os === "windows" ? ".exe" : ""}`;
    return c.body(binary, 200, {
      "content-type": "application/octet-stream",
      "content-disposition": `attachment; filename="${name}"`,
      "cache-control": "no-store",
    });
  }
  const deps = c.get("deps");
  const link = new URL(`/s/${session.token}`, deps.config.publicUrl).href;
  // No compiled binary: the portable package (the Deno runtime, the bundled app, a launcher),
  // its shared part streamed from disk and the session's configuration appended.
  const asked = c.req.query("platform");
  if (asked !== undefined && !isPlatform(asked)) throw new Refusal(404, "agentDownload.unknown");
  const platform = asked ?? _platformOf(os, agent, c.req.query("arch"));
  const portable = await packageFor(deps.config.dataDir, platform).catch((error) => {
    deps.log.error("agent package not built", { platform, error: String(error) });
    return null;
  });
  const t = c.get("t");
  // A browser opening the link gets a page with the size and a progress bar (its script
  // fetches `?download=1`); anything else, or that fetch, gets the package itself.
  const page = (c.req.header("accept") ?? "").includes("text/html") &&
    c.req.query("download") !== "1";
  if (portable && !page) {
    const server = new URL(deps.config.publicUrl).origin;
    const { tail, length, extension } = await downloadOf(
      portable,
      { server, link },
      caFiles(deps.config.supportAppCa),
    );
    const file = await Deno.open(portable.path);
    const body = file.readable.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({ flush: (out) => out.enqueue(tail) }),
    );
    return c.body(body, 200, {
      "content-type": extension === "zip" ? "application/zip" : "application/gzip",
      "content-length": String(length),
      "content-disposition": `attachment; filename="remote-support-${session.token}.${extension}"`,
      "cache-control": "no-store",
    });
  }
  const os2 = PLATFORMS[platform].os;
  const file = `remote-support-${session.token}.${os2 === "windows" ? "zip" : "tar.gz"}`;
  const href = `/s/${session.token}/agent?download=1&platform=${platform}`;
  const megabytes = portable ? (portable.size / 1_048_576).toFixed(0) : "";
  return c.html(
    <Layout c={c} title={t("agentDownload.title")} bare>
      <section class="card narrow" id="agent-download-page">
        <h1>{t("agentDownload.title")}</h1>
        {portable
          ? (
            <>
              <p>{t("agentDownload.forSystem", { system: t(`agentDownload.systems.${os2}`) })}</p>
              <p>
                <a
                  class="button"
                  id="agent-download-start"
                  href={href}
                  download={file}
                  data-size={String(portable.size)}
                  data-progress={t("agentDownload.progress")}
                  data-failed={t("agentDownload.failed")}
                >
                  {t("agentDownload.start", { size: megabytes })}
                </a>
              </p>
              <progress id="agent-download-progress" max={portable.size} value={0} hidden />
              <p id="agent-download-status" class="muted" role="status"></p>
              <p>{t(`agentDownload.steps.${os2}`)}</p>
              {!portable.screen && (
                <p class="muted" id="agent-download-no-screen">
                  {t(
                    os2 === "windows"
                      ? "agentDownload.noScreenCodecs"
                      : "agentDownload.noScreenYet",
                  )}
                </p>
              )}
              <p class="muted">{t("agentDownload.afterRun")}</p>
              <script type="module" src="/static/agent_download.js"></script>
            </>
          )
          : <p>{t("agentDownload.noApp")}</p>}
        <p>
          <a href={`/s/${session.token}`}>{t("agentDownload.back")}</a>
        </p>
      </section>
    </Layout>,
    200,
  );
});

/** The package for a visitor: its OS, and its processor where the browser says (or asks). */
function _platformOf(
  os: "windows" | "darwin" | "linux",
  userAgent: string,
  arch: string | undefined,
): Platform {
  const arm = arch === "arm64" || /arm64|aarch64/i.test(userAgent);
  if (os === "windows") return "windows-x64";
  // Every Mac says "Intel" in its user agent; Apple silicon runs the x86-64 runtime too.
  if (os === "darwin") return arch === "arm64" ? "darwin-arm64" : "darwin-x64";
  return arm ? "linux-arm64" : "linux-x64";
}
