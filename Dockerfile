# One container runs the whole product on its embedded defaults (PGlite under /data).
# Set DATABASE_URL to use an external PostgreSQL instead.
FROM denoland/deno:debian-2.9.6

WORKDIR /app
COPY deno.json deno.lock ./
RUN deno install --frozen
COPY . .
# The browser islands are bundled in memory at start-up; bundling them here fails the build on a
# broken island and puts Deno's bundler (esbuild) in the image's cache.
RUN deno check main.ts islands/ && deno run --allow-read tools/build_islands.ts \
  && mkdir -p /data && chown deno:deno /data

USER deno
# HTTPS from the server itself: set TLS_CERT_FILE and TLS_KEY_FILE (PEM; both or neither) to
# files under /data (the only place besides /app it may read), e.g. a volume with
# /data/tls/fullchain.pem and /data/tls/privkey.pem; HTTP_REDIRECT_PORT answers plain HTTP with a
# redirect, TLS_CA_FILE gives the support app a private CA. `docker kill --signal=HUP` reloads a
# renewed certificate (README, HTTPS).
ENV PORT=8080 DATA_DIR=/data
VOLUME ["/data"]
EXPOSE 8080
# Over TLS the certificate names the public host, not 127.0.0.1: only this probe skips the check.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s \
  CMD ["deno", "eval", "--unsafely-ignore-certificate-errors=127.0.0.1", "const s = Deno.env.get('TLS_CERT_FILE') ? 'https' : 'http'; const r = await fetch(s + '://127.0.0.1:8080/healthz'); if (!r.ok) Deno.exit(1)"]
# Reads only the app, its data and its own runtime (packed into the customers' portable support
# app, modules/agent_packages), writes only its data (a DATA_DIR elsewhere needs both
# flags changed with it). Deno's own module cache is not subject to these flags.
CMD ["deno", "run", "--allow-net", "--allow-env", "--allow-sys", \
  "--allow-read=/app,/data,/usr/bin/deno", "--allow-write=/data", "main.ts"]
