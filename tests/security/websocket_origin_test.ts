// Lesson of this product class (cross-site WebSocket hijacking): every WebSocket upgrade
// refuses a foreign Origin before it upgrades. The technician's viewer socket is opened
// only by browsers, which always send an Origin, so a missing one is refused too; the
// agent's socket is not a browser's and sends none, but any Origin that is not ours (a
// page on another site opening it) is refused. The list below must name every
// upgradeWebSocket in modules/ and agent/: a new socket without a test here fails the
// first test.
import assert from "node:assert/strict";
import { startTestApp, type TestApp, type TestClient } from "../support/app.ts";
import { TECH_PASSWORD } from "../support/org.ts";
import { technician, workingSession } from "../support/sessions.ts";
import { servedAppTest } from "../support/sockets.ts";

/**
 * Every WebSocket route, and whether only browsers open it. `also` names the files whose
 * upgrade serves the same route after its origin check (the relay to the agent's home
 * instance upgrades the viewer's socket there, behind the route's `socketOrigin`).
 */
const SOCKETS = [
  { file: "modules/remote/agent_gateway.ts", route: "/agent/ws", browser: false, also: [] },
  {
    file: "modules/remote/viewer_socket.ts",
    route: "/console/sessions/:id/remote/ws",
    browser: true,
    also: ["modules/remote/home_relay.ts"],
  },
  {
    file: "modules/unattended/device_gateway.ts",
    route: "/agent/device",
    browser: false,
    also: [],
  },
  // These two need a live ticket or transfer to upgrade: without one, past the Origin check
  // they answer with a refusal of their own (`upgrades: false`), never the Origin's 403.
  {
    file: "modules/filemgr/agent_routes.ts",
    route: "/agent/file-data/:ticket",
    browser: false,
    also: [],
    upgrades: false,
  },
  {
    file: "modules/filemgr/transfer_routes.ts",
    route: "/console/sessions/:id/file-manager/transfers/:tid/socket",
    browser: true,
    also: [],
    upgrades: false,
  },
];

const FOREIGN = [
  "https://evil.example",
  "http://evil.example",
  "null",
  "http://localhost.evil.example",
  "http://evil.example:80",
  "https://localhost", // our host, another scheme
  "http://localhost:8081", // our host, another port
  "http://LOCALHOST.", // not the same serialised origin
  "file://",
  "",
];

Deno.test("every WebSocket upgrade in modules/ and agent/ is covered here", async () => {
  const found: string[] = [];
  for (const root of ["modules", "agent"]) {
    for await (const file of walk(new URL(`../../${root}/`, import.meta.url))) {
      const text = await Deno.readTextFile(file);
      // Hono's helper and Deno's own: the agent serves nothing over WebSocket today.
      const uses = text.match(/upgradeWebSocket\(/g)?.length ?? 0;
      const path = file.pathname.slice(file.pathname.indexOf(`/${root}/`) + 1);
      for (let i = 0; i < uses; i++) found.push(path);
    }
  }
  assert.deepEqual(found.sort(), SOCKETS.flatMap((s) => [s.file, ...s.also]).sort());
});

async function* walk(dir: URL): AsyncGenerator<URL> {
  for await (const entry of Deno.readDir(dir)) {
    const url = new URL(entry.name + (entry.isDirectory ? "/" : ""), dir);
    if (entry.isDirectory) yield* walk(url);
    // Test support (an agent's stand-in server) serves no route of the product.
    else if (/\.tsx?$/.test(entry.name) && !/(_test|test_support)\.tsx?$/.test(entry.name)) {
      yield url;
    }
  }
}

/** A signed-in technician working a session with a connected customer. */
async function workingTechnician(t: TestApp): Promise<{ browser: TestClient; viewer: string }> {
  const tech = await technician(t);
  const session = await workingSession(t, tech);
  const browser = t.client();
  await browser.signIn(tech.email, TECH_PASSWORD);
  return { browser, viewer: `/console/sessions/${session.id}/remote/ws` };
}

const UPGRADE = {
  upgrade: "websocket",
  connection: "Upgrade",
  "sec-websocket-key": "dGhlIHNhbXBsZSBub25jZQ==",
  "sec-websocket-version": "13",
};

/** A raw WebSocket handshake (headers of our choosing); returns the status code. */
async function handshake(
  port: number,
  path: string,
  headers: Record<string, string>,
): Promise<number> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    const lines = [`GET ${path} HTTP/1.1`, `host: 127.0.0.1:${port}`];
    for (const [k, v] of Object.entries({ ...UPGRADE, ...headers })) lines.push(`${k}: ${v}`);
    await conn.write(new TextEncoder().encode(lines.join("\r\n") + "\r\n\r\n"));
    const buffer = new Uint8Array(4096);
    let text = "";
    while (!text.includes("\r\n")) {
      const n = await conn.read(buffer);
      if (n === null) break;
      text += new TextDecoder().decode(buffer.subarray(0, n));
    }
    return Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
  } finally {
    conn.close();
  }
}

servedAppTest(
  "every socket refuses a foreign Origin; the browsers' sockets a missing one too",
  async (t, port) => {
    const own = `http://127.0.0.1:${port}`;
    const { browser, viewer } = await workingTechnician(t);
    const cookie = browser.cookieHeader();
    const paths: Record<string, string> = {
      "/agent/ws": "/agent/ws",
      "/agent/device": "/agent/device",
      "/agent/file-data/:ticket": `/agent/file-data/${"a".repeat(32)}`,
      "/console/sessions/:id/remote/ws": viewer,
      "/console/sessions/:id/file-manager/transfers/:tid/socket": viewer.replace(
        "/remote/ws",
        "/file-manager/transfers/x1/socket",
      ),
    };
    for (const socket of SOCKETS) {
      const path = paths[socket.route];
      assert.ok(path, `a path to try for ${socket.route}`);
      for (const origin of FOREIGN) {
        const status = await handshake(port, path, { cookie, origin });
        assert.equal(status, 403, `${socket.route} with Origin ${JSON.stringify(origin)}`);
      }
      const upgrades = !("upgrades" in socket) || socket.upgrades;
      const missing = await handshake(port, path, { cookie });
      if (socket.browser) assert.equal(missing, 403, `${socket.route} without an Origin`);
      else if (upgrades) assert.equal(missing, 101, `${socket.route} without an Origin`);
      else assert.notEqual(missing, 403, `${socket.route} without an Origin`);
      const ours = await handshake(port, path, { cookie, origin: own });
      if (upgrades) assert.equal(ours, 101, `${socket.route} from our own page`);
      else assert.ok(ours !== 403 && ours >= 400, `${socket.route} from our own page: ${ours}`);
    }
  },
);

Deno.test("the viewer socket takes PUBLIC_URL's origin as ours, and only that", async () => {
  const t = await startTestApp({ env: { PUBLIC_URL: "https://support.example.test" } });
  try {
    const { browser, viewer } = await workingTechnician(t);
    // Through app.request the upgrade itself cannot happen: past the Origin check is enough.
    const ours = await browser.get(viewer, { ...UPGRADE, origin: "https://support.example.test" });
    assert.notEqual(ours.status, 403, "PUBLIC_URL's origin is ours");
    for (const origin of ["https://evil.example", "https://support.example.test.evil.example"]) {
      const res = await browser.get(viewer, { ...UPGRADE, origin });
      assert.equal(res.status, 403, origin);
    }
    assert.equal(
      (await t.app.request("/agent/ws", {
        headers: { ...UPGRADE, origin: "https://evil.example" },
      })).status,
      403,
    );
  } finally {
    await t.close();
  }
});
