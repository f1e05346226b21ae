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
import { linuxPackage, sessionPart } from "../agent_packages/mod.ts";

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
  const portable = os === "linux" && !/arm64|aarch64/i.test(agent)
    ? await linuxPackage(deps.config.dataDir)?.catch((error) => {
      deps.log.error("agent package not built", { error: String(error) });
      return null;
    })
    : null;
  if (portable) {
    const server = new URL(deps.config.publicUrl).origin;
    const tail = await sessionPart({ server, link });
    const file = await Deno.open(portable.path);
    const body = file.readable.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({ flush: (out) => out.enqueue(tail) }),
    );
    return c.body(body, 200, {
      "content-type": "application/gzip",
      "content-length": String(portable.size + tail.length),
      "content-disposition": `attachment; filename="rescue-agent-${session.token}.tar.gz"`,
      "cache-control": "no-store",
    });
  }
  const t = c.get("t");
  return c.html(
    <Layout c={c} title={t("agentDownload.title")} bare>
      <section class="card narrow">
        <h1>{t("agentDownload.title")}</h1>
        <p>{t("agentDownload.noBinary")}</p>
        <pre class="mono" id="agent-run-command">{`deno task agent -- --link ${link}`}</pre>
        <p class="muted">{t("agentDownload.afterRun")}</p>
        <p>
          <a href={`/s/${session.token}`}>{t("agentDownload.back")}</a>
        </p>
      </section>
    </Layout>,
    200,
  );
});
