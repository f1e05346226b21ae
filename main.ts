// Composes the server: configuration, database, application, HTTP listener. Nothing else.
import { certificateWarning, loadConfig, startupNotes } from "./modules/config/mod.ts";
import { listen } from "./modules/listen/mod.ts";
import { openDatabase } from "./modules/db/mod.ts";
import { createApp } from "./modules/app/mod.ts";
import { bootstrap, pruneExpired } from "./modules/auth/mod.ts";
import { fileStoreIn } from "./modules/files/mod.ts";
import { createLogger } from "./modules/http/mod.ts";
import { LiveHub } from "./modules/live/mod.ts";
import {
  deregisterInstance,
  newInstance,
  registerInstance,
  startHeartbeat,
} from "./modules/cluster/mod.ts";
import { startMailWorker } from "./modules/mail/mod.ts";
import { startSmsWorker } from "./modules/sms/mod.ts";
import { startWebhookWorker } from "./modules/webhooks/mod.ts";
import { chainUnlinkedEntries } from "./modules/audit/mod.ts";
import { customerStreams, startSessionTimers } from "./modules/support/mod.ts";
import { buildIslands } from "./modules/static_files/mod.ts";
import { afterAnswerSettled } from "./modules/org/mod.ts";
import { closeLensRecordsHere, closeLensRecordsOfGoneInstances } from "./modules/lens/mod.ts";
import {
  finishInterruptedParts,
  finishRecordings,
  startRecordingRetention,
} from "./modules/recording/mod.ts";

const started = performance.now();
// The browser islands bundle while the database opens; a broken island stops start-up.
const islands = buildIslands();
const config = await loadConfig();
const log = createLogger({ service: "rescue" }, config.logEnabled ? undefined : () => {});
const database = await openDatabase(config);
const deps = {
  config,
  db: database.db,
  dbKind: database.kind,
  clock: { now: () => new Date() },
  log,
  live: new LiveHub(),
  instance: newInstance(
    config.instanceUrl ?? `${config.tls ? "https" : "http"}://127.0.0.1:${config.port}`,
  ),
  files: fileStoreIn(config.dataDir),
};
await registerInstance(deps.db, deps.instance, deps.clock.now());
// On PostgreSQL, live notices cross to the other instances (LISTEN/NOTIFY); a lost LISTEN
// connection is logged when it is back, and every console and customer page looks again.
const stopBus = database.notifications
  ? await deps.live.connectBus(database.notifications, {
    instanceId: deps.instance.id,
    warn: (message, fields) => log.warn(message, fields),
  })
  : async () => {};
await bootstrap(deps);
// Audit entries written before the log became a hash chain join it, oldest first.
await chainUnlinkedEntries(deps.db);
await islands;
const app = createApp(deps);
const stopMail = startMailWorker(deps);
const stopSms = startSmsWorker(deps);
const stopWebhooks = startWebhookWorker(deps);
const stopTimers = startSessionTimers(deps);
// Recording parts a killed server left open get their length (and again when one is seen gone).
const finishParts = () =>
  finishInterruptedParts(deps).catch((error) =>
    log.warn("finishing interrupted recordings failed", { error: String(error) })
  );
void finishParts();
// Lens sessions of an instance that is gone (killed, or seen gone later) end in their record.
const closeLens = () =>
  closeLensRecordsOfGoneInstances(deps).catch((error) =>
    log.warn("closing gone instances' Lens records failed", { error: String(error) })
  );
void closeLens();
// Groups' "Delete recordings after N days", swept every hour (each part deleted once).
const stopRetention = startRecordingRetention(deps);
const stopHeartbeat = startHeartbeat(deps, {
  // The dead instances' customer stream holds went with their rows: the living arm the grace.
  onGone: async () => {
    await customerStreams(deps).reconcile();
    void finishParts();
    void closeLens();
  },
  onError: (error) => log.warn("heartbeat failed", { error: String(error) }),
});
const pruner = setInterval(() => pruneExpired(deps.db, new Date()).catch(() => {}), 3_600_000);

// Plain HTTP, or HTTPS (and HTTP/2) with TLS_CERT_FILE/TLS_KEY_FILE (modules/listen).
const server = listen(config, app.fetch, {
  log,
  onListen: (port) => {
    log.info("listening", {
      port,
      url: config.publicUrl,
      tls: Boolean(config.tls),
      ...(config.httpRedirectPort ? { httpRedirectPort: config.httpRedirectPort } : {}),
      database: database.kind,
      startupMs: Math.round(performance.now() - started),
    });
    const notes = startupNotes(config);
    if (notes.warning) log.warn("PUBLIC_URL is not set", { url: config.publicUrl });
    // One line in words for the person who started the server (stderr: stdout is the JSON log).
    console.error(notes.line);
    if (notes.warning) console.error(`Warning: ${notes.warning}`);
    const certificate = config.tls && certificateWarning(config.tls, config.publicUrl, new Date());
    if (certificate) {
      log.warn("certificate", { warning: certificate });
      console.error(`Warning: ${certificate}`);
    }
  },
});
// A renewed certificate (certbot's deploy hook, a mounted secret): SIGHUP takes it at once;
// the listener also looks at the files every minute. Open requests and event streams go on;
// WebSockets are closed by Deno and reopened by their pages and the support app (listen.ts).
if (Deno.build.os !== "windows") {
  Deno.addSignalListener("SIGHUP", () => {
    void server.reload().then((result) => {
      if (!result.reloaded && result.reason === "invalid") {
        console.error(`Certificate not reloaded: ${result.error}`);
      }
    }).catch((error) => log.warn("certificate reload failed", { error: String(error) }));
  });
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  Deno.addSignalListener(signal, async () => {
    log.info("shutting down", { signal });
    clearInterval(pruner);
    stopMail();
    stopSms();
    stopWebhooks();
    stopTimers();
    stopRetention();
    // Recordings in progress get their length and size before the database closes.
    await Promise.race([finishRecordings(deps), new Promise((r) => setTimeout(r, 3000))]);
    await stopHeartbeat();
    // This instance's Lens sessions stop with it: their records say so.
    await closeLensRecordsHere(deps).catch(() => {});
    await stopBus();
    await deregisterInstance(deps.db, deps.instance).catch(() => {});
    // Finished requests drain; live streams (consoles, customer pages) never finish by
    // themselves, so they are cut after a short grace — their pages reconnect elsewhere/later.
    await Promise.race([server.shutdown(), new Promise((r) => setTimeout(r, 2000))]);
    // Reset links asked for just before (made after the answer) are made before the end.
    await Promise.race([afterAnswerSettled(deps), new Promise((r) => setTimeout(r, 2000))]);
    await database.close();
    Deno.exit(0);
  });
}
