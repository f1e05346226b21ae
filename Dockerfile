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
ENV PORT=8080 DATA_DIR=/data
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s \
  CMD ["deno", "eval", "const r = await fetch('http://127.0.0.1:8080/healthz'); if (!r.ok) Deno.exit(1)"]
# Reads only the app, its data and its own runtime (packed into the customers' portable support
# app, modules/agent_packages), writes only its data (a DATA_DIR elsewhere needs both
# flags changed with it). Deno's own module cache is not subject to these flags.
CMD ["deno", "run", "--allow-net", "--allow-env", "--allow-sys", \
  "--allow-read=/app,/data,/usr/bin/deno", "--allow-write=/data", "main.ts"]
