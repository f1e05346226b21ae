// `deno task bench:upload [server-dir] [--mb=24] [--mode=auto|raw|multipart]`: what one
// customer upload costs everybody else. Starts the real server (main.ts in `server-dir`,
// default this checkout; PGlite unless DATABASE_URL is set) on a random port over a temp
// DATA_DIR, creates a session through the API, and uploads a file of `--mb` MB as the
// customer while another client polls GET /api/v1/me every 50 ms. Prints the /me latency
// (max, p95) during the upload and the server's RSS before, at peak and 3 s after.
// `--mode=auto` sends what this checkout's browser script sends (the raw file) and falls
// back to multipart (what older servers took) when the server does not understand it.
import { join, resolve } from "node:path";
import { BenchBrowser, freePort, rssMiB, sleep } from "./bench_common.ts";

const args = Deno.args.filter((a) => !a.startsWith("--"));
const option = (name: string, fallback: string) =>
  Deno.args.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback;
const serverDir = resolve(args[0] ?? join(import.meta.dirname!, ".."));
const sizeMb = Number(option("mb", "24"));
const mode = option("mode", "auto");
const ADMIN = { email: "bench-admin@example.test", password: "bench password 1234" };

async function upload(
  browser: BenchBrowser,
  token: string,
  bytes: Uint8Array,
  how: "raw" | "multipart",
): Promise<Response> {
  const headers: Record<string, string> = {
    "x-csrf-token": browser.csrf,
    "x-requested-with": "XMLHttpRequest",
    origin: browser.base,
  };
  let body: BodyInit;
  if (how === "raw") {
    headers["x-file-name"] = encodeURIComponent("bench.bin");
    headers["content-type"] = "application/octet-stream";
    body = bytes as Uint8Array<ArrayBuffer>;
  } else {
    const form = new FormData();
    form.set("file", new File([bytes as Uint8Array<ArrayBuffer>], "bench.bin"));
    body = form;
  }
  return await browser.request(`/s/${token}/files`, { method: "POST", body, headers });
}

const dataDir = await Deno.makeTempDir({ prefix: "rescue-bench-upload-" });
const port = freePort();
const base = `http://127.0.0.1:${port}`;
const child = new Deno.Command(Deno.execPath(), {
  args: ["run", "-A", "main.ts"],
  cwd: serverDir,
  env: {
    DATA_DIR: dataDir,
    PORT: String(port),
    HOST: "127.0.0.1",
    PUBLIC_URL: base,
    RESCUE_ADMIN_EMAIL: ADMIN.email,
    RESCUE_ADMIN_PASSWORD: ADMIN.password,
    RESCUE_LOG: "off",
    DATABASE_URL: Deno.env.get("DATABASE_URL") ?? "",
  },
  stdout: "null",
  stderr: "inherit",
}).spawn();

try {
  for (let ready = false; !ready;) {
    ready = await fetch(`${base}/healthz`).then(async (r) => (await r.body?.cancel(), r.ok))
      .catch(() => false);
    if (!ready) await sleep(100);
  }
  const issued = await fetch(`${base}/api/v1/auth/token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: ADMIN.email, password: ADMIN.password }),
  });
  if (issued.status !== 201) throw new Error(`token: ${issued.status} ${await issued.text()}`);
  const { token } = await issued.json();
  const api = { authorization: `Bearer ${token}`, "content-type": "application/json" };
  const created = await fetch(`${base}/api/v1/sessions`, {
    method: "POST",
    headers: api,
    body: JSON.stringify({ method: "link", customerName: "Bench customer" }),
  });
  if (created.status !== 201) throw new Error(`session: ${created.status} ${await created.text()}`);
  const link = new URL((await created.json()).link);
  const linkToken = link.pathname.split("/").pop()!;
  const customer = new BenchBrowser(base);
  await customer.page(`/s/${linkToken}`);

  let how: "raw" | "multipart" = mode === "multipart" ? "multipart" : "raw";
  if (mode === "auto") {
    const probe = await upload(customer, linkToken, new Uint8Array([1, 2, 3]), "raw");
    await probe.body?.cancel();
    if (probe.status >= 400) how = "multipart";
  }

  const bytes = new Uint8Array(sizeMb * 1024 * 1024);
  for (let at = 0; at < bytes.length; at += 65536) {
    crypto.getRandomValues(bytes.subarray(at, at + 65536));
  }
  await sleep(2000); // let start-up garbage settle
  const rssBefore = await rssMiB(child.pid);
  let rssPeak = rssBefore;
  let uploading = true;
  const latencies: number[] = [];
  const poller = (async () => {
    while (uploading) {
      const started = performance.now();
      const res = await fetch(`${base}/api/v1/me`, { headers: api });
      await res.body?.cancel();
      latencies.push(performance.now() - started);
      await sleep(50);
    }
  })();
  const sampler = (async () => {
    while (uploading) {
      rssPeak = Math.max(rssPeak, await rssMiB(child.pid));
      await sleep(50);
    }
  })();
  await sleep(200);
  const started = performance.now();
  const res = await upload(customer, linkToken, bytes, how);
  await res.body?.cancel();
  const uploadMs = Math.round(performance.now() - started);
  await sleep(200);
  uploading = false;
  await Promise.all([poller, sampler]);
  await sleep(3000);
  const rssAfter = await rssMiB(child.pid);
  const sorted = [...latencies].sort((a, b) => a - b);
  const p95 = sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.95))] ?? 0;
  console.log(JSON.stringify(
    {
      server: serverDir,
      database: Deno.env.get("DATABASE_URL") ? "postgres" : "pglite",
      upload: { mb: sizeMb, how, status: res.status, ms: uploadMs },
      me: {
        polls: latencies.length,
        maxMs: Math.round(sorted.at(-1) ?? 0),
        p95Ms: Math.round(p95),
        ...(Deno.env.get("BENCH_VERBOSE") ? { all: latencies.map(Math.round) } : {}),
      },
      rssMiB: { before: rssBefore, peak: rssPeak, after: rssAfter },
    },
    null,
    2,
  ));
} finally {
  child.kill("SIGTERM");
  await child.status;
  await Deno.remove(dataDir, { recursive: true });
}
