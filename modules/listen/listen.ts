import { certificateWarning, type Config, readTlsFiles, type TlsFiles } from "../config/mod.ts";

/** What the listener says about itself (the server's JSON log in main.ts). */
export interface ListenLog {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

export interface Listening {
  /** The port it listens on (PORT 0 → the one the system chose). */
  port: number;
  /** The plain-HTTP redirect's port (HTTP_REDIRECT_PORT), if any. */
  redirectPort?: number;
  /** "https" with TLS_CERT_FILE (HTTP/2 and HTTP/1.1 by ALPN), else "http". */
  scheme: "http" | "https";
  /**
   * Reads the certificate files again; when they are valid and differ, new connections get
   * them (a new listener on the same port) while open requests finish on the old listener
   * (its WebSockets are closed: their clients open them again).
   * Resolves to what happened; a bad file keeps the certificate in use.
   */
  reload(): Promise<ReloadResult>;
  /** Stops accepting everywhere; resolves when every connection has ended. */
  shutdown(): Promise<void>;
}

export type ReloadResult =
  | { reloaded: true; notAfter: Date }
  | { reloaded: false; reason: "unchanged" | "plain" }
  | { reloaded: false; reason: "invalid"; error: string };

export interface ListenOptions {
  log: ListenLog;
  /** Once, when the main listener is up, with its port. */
  onListen?: (port: number) => void;
  /**
   * How often the certificate files are looked at for a renewal (ms); 0 → only on reload()
   * (main.ts calls it on SIGHUP too). Default one minute.
   */
  watchMs?: number;
}

/**
 * Serves `handler` on HOST:PORT: plain HTTP, or with TLS_CERT_FILE/TLS_KEY_FILE HTTPS, where
 * Deno.serve offers HTTP/2 and HTTP/1.1 by ALPN (a browser's WebSocket still comes over
 * HTTP/1.1: Deno offers no RFC 8441 WebSockets over HTTP/2). With HTTP_REDIRECT_PORT, plain
 * HTTP there answers 308 to the same path on PUBLIC_URL.
 *
 * A renewed certificate without a restart: Deno 2.9 cannot change the certificate of a
 * listener that runs (there is no public certificate resolver), so a reload starts a second
 * listener on the same port with SO_REUSEPORT and the new files, and shuts the old one down
 * gracefully: its open requests — event streams, downloads — go on to their end on the old
 * certificate, new connections reach the new listener. Not seamless for WebSockets: Deno's
 * shutdown closes them (1001 "Server shutting down"); the remote view, the file manager and
 * the support app open theirs again by themselves (tests/e2e/browser_tls_test.ts), as after a
 * network blip. A connection the kernel had queued on the old listener in the instant between
 * may be reset unless `net.ipv4.tcp_migrate_req=1` (Linux 5.14+) moves it to the new one.
 * Because SO_REUSEPORT would also let a second copy of the server share the port silently,
 * the port is first bound once without it, so a port in use is the usual start-up error.
 */
export function listen(
  config: Config,
  handler: Deno.ServeHandler,
  options: ListenOptions,
): Listening {
  const { log } = options;
  const hostname = config.host ?? "0.0.0.0";
  let tls = config.tls;
  if (tls && config.port !== 0) {
    // The usual "address in use" when something holds the port, before SO_REUSEPORT.
    Deno.listen({ port: config.port, hostname }).close();
  }
  const draining = new Set<Promise<void>>();
  let listened = false;
  const start = (files: TlsFiles | undefined, port: number) =>
    Deno.serve({
      port,
      hostname,
      ...(files ? { cert: files.cert, key: files.key, reusePort: true } : {}),
      onListen: (addr) => {
        if (!listened) options.onListen?.(addr.port);
        listened = true;
      },
    }, handler);
  let current = start(tls, config.port);
  const port = current.addr.port;

  let redirect: Deno.HttpServer<Deno.NetAddr> | undefined;
  if (tls && config.httpRedirectPort !== undefined) {
    const target = new URL(config.publicUrl);
    redirect = Deno.serve({
      port: config.httpRedirectPort,
      hostname,
      onListen: () => {},
    }, (request) => {
      const url = new URL(request.url);
      const location = new URL(url.pathname + url.search, target.origin);
      return new Response(null, { status: 308, headers: { location: location.href } });
    });
  }

  let lastError = "";
  let reloading: Promise<ReloadResult> | null = null;
  const reload = async (): Promise<ReloadResult> => {
    if (!tls) return { reloaded: false, reason: "plain" };
    let files: TlsFiles;
    try {
      files = await readTlsFiles(tls.certFile, tls.keyFile);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      // A renewal writes two files: between them the key is not the certificate's. Said
      // once per different problem, not every minute.
      if (message !== lastError) log.warn("certificate not reloaded", { error: message });
      lastError = message;
      return { reloaded: false, reason: "invalid", error: message };
    }
    lastError = "";
    if (files.cert === tls.cert && files.key === tls.key) {
      return { reloaded: false, reason: "unchanged" };
    }
    const next = start(files, port);
    const old = current;
    current = next;
    tls = files;
    const done = old.shutdown().catch(() => {});
    draining.add(done);
    done.finally(() => draining.delete(done));
    log.info("certificate reloaded", {
      certFile: files.certFile,
      notAfter: files.notAfter.toISOString(),
    });
    const warning = certificateWarning(files, config.publicUrl, new Date());
    if (warning) log.warn("certificate", { warning });
    return { reloaded: true, notAfter: files.notAfter };
  };
  const serialReload = () => {
    reloading ??= reload().finally(() => reloading = null);
    return reloading;
  };

  const watchMs = options.watchMs ?? 60_000;
  const watcher = tls && watchMs > 0
    ? setInterval(() => void serialReload().catch(() => {}), watchMs)
    : undefined;

  return {
    port,
    ...(redirect ? { redirectPort: redirect.addr.port } : {}),
    scheme: tls ? "https" : "http",
    reload: serialReload,
    shutdown: async () => {
      clearInterval(watcher);
      await Promise.all([
        current.shutdown(),
        redirect?.shutdown(),
        ...draining,
      ]);
    },
  };
}
