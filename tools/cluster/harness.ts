/**
 * A real cluster on this machine, for the end-to-end test and the cluster bench: N processes
 * of the product (`deno run … main.ts` with the image's permissions) on one PostgreSQL
 * database and one shared DATA_DIR, and — when asked — Debian's HAProxy in front of them
 * (round-robin, no stickiness, WebSockets and SSE passed through, health checks on
 * /healthz), all on loopback. `deploy/haproxy.cfg` is the same configuration for compose.
 *
 *   const cluster = await startCluster({ instances: 2, databaseUrl, lb: true });
 *   await fetch(`${cluster.lbUrl}/healthz`);  // → { instance: <the id of who answered> }
 *   cluster.instances[1].kill("SIGKILL");
 *   await cluster.stop();
 */
import { join } from "node:path";
import postgres from "postgres";

const ROOT = new URL("../../", import.meta.url).pathname;

/** The bootstrap admin every cluster starts with (a master admin: may work sessions too). */
export const CLUSTER_ADMIN = {
  email: "admin@cluster.test",
  password: "cluster admin password",
};

export interface ClusterOptions {
  /** How many instances of the product. */
  instances: number;
  /** The PostgreSQL database they share (created beforehand; migrated by the first). */
  databaseUrl: string;
  /** HAProxy in front (its URL is `lbUrl`, and every instance's PUBLIC_URL). */
  lb?: boolean;
  /** More environment for every instance (overrides the harness's). */
  env?: Record<string, string>;
  /** The product's JSON log on (RESCUE_LOG); off by default, the lines go to `logFile`. */
  log?: boolean;
  /** How long one instance may take to answer /healthz after its start (default 60 s). */
  startTimeoutMs?: number;
}

export interface ClusterInstance {
  /** Where the instance listens (its INSTANCE_URL). */
  url: string;
  /** Its id in `instances`, as /healthz answers it. */
  id: string;
  pid: number;
  /** Its stdout and stderr, appended (inside the cluster's temporary directory). */
  logFile: string;
  kill(signal?: Deno.Signal): void;
  /** Resolves when the process has exited (for whatever reason). */
  exited: Promise<void>;
  /** The last `lines` lines of its output, for a failing test's message. */
  logTail(lines?: number): Promise<string>;
}

export interface Cluster {
  lbUrl?: string;
  /** HAProxy's output (it says there when it takes a server out: "… is DOWN"). */
  lbLogFile?: string;
  instances: ClusterInstance[];
  /** The DATA_DIR every instance shares. */
  dataDir: string;
  /** Kills every process (SIGKILL) and removes the temporary directory. */
  stop(): Promise<void>;
}

/**
 * Starts the instances — the first alone (it migrates, creates the organisation and
 * DATA_DIR/secrets.json), the others together — each answering /healthz before this
 * resolves; then HAProxy, once it sees every instance up.
 */
export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const dir = await Deno.makeTempDir({ prefix: "rescue-cluster-" });
  const dataDir = join(dir, "data");
  await Deno.mkdir(dataDir);
  const children: Deno.ChildProcess[] = [];
  const lbPort = options.lb ? freePort() : undefined;
  const lbUrl = lbPort ? `http://127.0.0.1:${lbPort}` : undefined;
  const secret = randomHex(32);
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    for (const child of children) {
      try {
        child.kill("SIGKILL");
      } catch {
        // exited already
      }
    }
    await Promise.all(children.map((c) => c.status.catch(() => {})));
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  };
  try {
    const start = (index: number) =>
      startInstance({
        index,
        dir,
        children,
        timeoutMs: options.startTimeoutMs ?? 60_000,
        env: {
          DATABASE_URL: options.databaseUrl,
          DATA_DIR: dataDir,
          RESCUE_COOKIE_SECRET: secret,
          RESCUE_ADMIN_EMAIL: CLUSTER_ADMIN.email,
          RESCUE_ADMIN_PASSWORD: CLUSTER_ADMIN.password,
          RESCUE_LOG: options.log ? "on" : "off",
          ...(lbUrl ? { PUBLIC_URL: lbUrl, RESCUE_TRUST_PROXY: "1" } : {}),
          ...options.env,
        },
      });
    const instances = [await start(0)];
    instances.push(
      ...await Promise.all(Array.from({ length: options.instances - 1 }, (_, i) => start(i + 1))),
    );
    if (lbPort) {
      const config = join(dir, "haproxy.cfg");
      await Deno.writeTextFile(config, haproxyConfig(lbPort, instances.map((i) => i.url)));
      const log = await Deno.open(join(dir, "haproxy.log"), { create: true, append: true });
      const child = new Deno.Command("haproxy", {
        args: ["-f", config, "-db"],
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      children.push(child);
      pipeTo(child, log);
      await waitUntil(
        `HAProxy at ${lbUrl}`,
        child,
        async () => {
          // Every instance taken in: one round of requests reaches each of them.
          const seen = new Set<string>();
          for (let i = 0; i < instances.length * 2; i++) {
            const res = await fetch(`${lbUrl}/healthz`);
            if (!res.ok) return false;
            seen.add((await res.json()).instance);
          }
          return seen.size === instances.length;
        },
        15_000,
        join(dir, "haproxy.log"),
      );
    }
    return { lbUrl, lbLogFile: lbUrl && join(dir, "haproxy.log"), instances, dataDir, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * HAProxy in front of `servers`, bound on loopback: round-robin without stickiness, the
 * client's address in X-Forwarded-For, WebSockets and SSE kept open (`timeout tunnel`,
 * long server/client timeouts for the event streams), and a health check on /healthz every
 * 500 ms — a killed instance is out after two failed checks (≈ 1 s), and a request that
 * meets it before that is sent to another (`retries` + `redispatch`).
 */
export function haproxyConfig(port: number, servers: string[]): string {
  const lines = servers.map((url, i) => {
    const { hostname, port } = new URL(url);
    return `  server app${i + 1} ${hostname}:${port} check inter 500ms fall 2 rise 1`;
  });
  // No global maxconn: HAProxy derives it from the file descriptor limit (ulimit -n).
  return `defaults
  mode http
  option forwardfor
  option redispatch
  retries 2
  timeout connect 2s
  timeout client 1h
  timeout server 1h
  timeout tunnel 1h
  timeout http-request 10s

frontend rescue
  bind 127.0.0.1:${port}
  default_backend instances

backend instances
  balance roundrobin
  option httpchk GET /healthz
  http-check expect status 200
${lines.join("\n")}
`;
}

interface StartInstance {
  index: number;
  dir: string;
  children: Deno.ChildProcess[];
  env: Record<string, string>;
  timeoutMs: number;
}

async function startInstance(o: StartInstance): Promise<ClusterInstance> {
  const port = freePort();
  const url = `http://127.0.0.1:${port}`;
  const logFile = join(o.dir, `instance-${o.index + 1}.log`);
  const log = await Deno.open(logFile, { create: true, append: true });
  // The image's start command (Dockerfile CMD), with its paths: the product reads only its
  // own files and the data, writes only the data.
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net",
      "--allow-env",
      "--allow-sys",
      `--allow-read=${ROOT},${o.dir}`,
      `--allow-write=${o.dir}`,
      "main.ts",
    ],
    cwd: ROOT,
    env: { HOST: "127.0.0.1", PORT: String(port), INSTANCE_URL: url, ...o.env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  o.children.push(child);
  const drained = pipeTo(child, log);
  let id = "";
  await waitUntil(
    `instance ${o.index + 1} at ${url}`,
    child,
    async () => {
      const res = await fetch(`${url}/healthz`);
      if (!res.ok) return false;
      id = (await res.json()).instance;
      return true;
    },
    o.timeoutMs,
    logFile,
  );
  return {
    url,
    id,
    pid: child.pid,
    logFile,
    kill(signal: Deno.Signal = "SIGTERM") {
      try {
        child.kill(signal);
      } catch {
        // exited already
      }
    },
    exited: child.status.then(() => drained),
    logTail: (lines = 40) => tail(logFile, lines),
  };
}

/** Polls `ready` (errors count as "not yet") until it says yes, the child dies or time is up. */
async function waitUntil(
  what: string,
  child: Deno.ChildProcess,
  ready: () => Promise<boolean>,
  timeoutMs: number,
  logFile?: string,
) {
  let exited: Deno.CommandStatus | undefined;
  child.status.then((s) => exited = s);
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (exited) break;
    try {
      if (await ready()) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const why = exited ? `exited with code ${exited.code}` : `not ready after ${timeoutMs} ms`;
  throw new Error(`${what} ${why}${logFile ? `\n${await tail(logFile, 40)}` : ""}`);
}

/** Copies the child's stdout and stderr into `file`; resolves when both streams ended. */
function pipeTo(child: Deno.ChildProcess, file: Deno.FsFile): Promise<void> {
  const sink = async (stream: ReadableStream<Uint8Array>) => {
    for await (const chunk of stream) await file.write(chunk).catch(() => 0);
  };
  return Promise.all([sink(child.stdout), sink(child.stderr)])
    .catch(() => {})
    .then(() => file.close());
}

async function tail(path: string, lines: number): Promise<string> {
  try {
    return (await Deno.readTextFile(path)).split("\n").slice(-lines).join("\n");
  } catch {
    return "";
  }
}

/**
 * A fresh, empty database on the server of `serverUrl` (a postgres:// URL; its database part
 * is only where the CREATE runs), and `drop()` to remove it with whatever is still connected.
 */
export async function freshDatabase(
  serverUrl: string,
  prefix = "rescue_cluster",
): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const name = `${prefix}_${crypto.randomUUID().slice(0, 8)}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.href,
    name,
    async drop() {
      const sql = postgres(serverUrl, { max: 1, onnotice: () => {} });
      try {
        await sql.unsafe(`drop database if exists ${name} with (force)`);
      } finally {
        await sql.end();
      }
    },
  };
}

/** A free loopback port (the OS picks it; another process could take it in between). */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

function randomHex(bytes: number): string {
  return Array.from(
    crypto.getRandomValues(new Uint8Array(bytes)),
    (b) => b.toString(16).padStart(2, "0"),
  ).join("");
}
