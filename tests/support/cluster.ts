/**
 * Several real apps on ONE PostgreSQL database (DATABASE_URL), as instances of a cluster:
 * each its own deps (LiveHub connected to the LISTEN/NOTIFY bus, instance row, database
 * client) and its own `Deno.serve` listener on 127.0.0.1:0, whose URL is the instance's
 * internal address and `config.instanceUrl`. They share one clock, one DATA_DIR (secrets,
 * files) and RESCUE_COOKIE_SECRET, so a sign-in on one is valid on the others. No
 * heartbeats run: a test that wants rows to expire calls `beat` with the shared clock.
 *
 *   const cluster = await startClusterApps(2);
 *   try { const [a, b] = cluster.apps; … } finally { await cluster.close(); }
 *
 * Tests using it run only on PostgreSQL: `ignore: !Deno.env.get("DATABASE_URL")`.
 */
import { createApp } from "../../modules/app/mod.ts";
import { openDatabase, openTestDatabase } from "../../modules/db/mod.ts";
import { buildTestDeps, type TestApp, TestClient, testClock } from "./app.ts";

export interface ClusterTestApp extends TestApp {
  /** Where this instance's HTTP listener answers (`http://127.0.0.1:<port>`). */
  url: string;
}

export interface ClusterTestApps {
  apps: ClusterTestApp[];
  close(): Promise<void>;
}

export async function startClusterApps(
  n = 2,
  options: { env?: Record<string, string> } = {},
): Promise<ClusterTestApps> {
  const databaseUrl = Deno.env.get("DATABASE_URL");
  if (!databaseUrl) throw new Error("startClusterApps needs DATABASE_URL (PostgreSQL)");
  const dataDir = await Deno.makeTempDir({ prefix: "rescue-cluster-" });
  const clock = testClock();
  const env = {
    RESCUE_COOKIE_SECRET: "cluster-test-cookie-secret-0123456789abcdef",
    ...options.env,
  };
  const apps: ClusterTestApp[] = [];
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const closer of closers.reverse()) await closer().catch(() => {});
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  };
  try {
    // One after the other: the first empties the database and writes DATA_DIR's secrets.
    for (let i = 0; i < n; i++) {
      const handle = i === 0
        ? await openTestDatabase()
        : await openDatabase({ databaseUrl, dataDir });
      closers.push(() => handle.close());
      // The listener first, so the instance row and config carry its real port.
      let fetch: (request: Request) => Response | Promise<Response> = () =>
        new Response("starting", { status: 503 });
      const server = Deno.serve(
        { hostname: "127.0.0.1", port: 0, onListen: () => {} },
        (request) => fetch(request),
      );
      closers.push(() => _shutdown(server));
      const url = `http://127.0.0.1:${server.addr.port}`;
      const { deps, logLines } = await buildTestDeps({
        env,
        dataDir,
        db: handle,
        clock,
        instanceUrl: url,
      });
      const disconnect = await deps.live.connectBus(handle.notifications!, {
        instanceId: deps.instance.id,
        warn: (message, fields) => deps.log.warn(message, fields),
      });
      closers.push(disconnect);
      const app = createApp(deps);
      fetch = (request) => app.fetch(request);
      apps.push({
        deps,
        app,
        clock,
        logLines,
        url,
        client: () => new TestClient(app),
        // The whole cluster closes together (`close()` below); one app alone cannot.
        close: () => Promise.resolve(),
      });
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { apps, close };
}

/** Stops the listener; live streams never finish by themselves, so they are cut. */
async function _shutdown(server: Deno.HttpServer): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const cut = new Promise((r) => timer = setTimeout(r, 500));
  await Promise.race([server.shutdown(), cut]);
  clearTimeout(timer);
}
