// Relaying to the agent's home (home_relay.ts), on either engine: a stand-in "home instance"
// (a plain Deno.serve registered in `instances`, named by the session's `agent_homes` row)
// records what the app relays to it. The browser's headers pass and nothing else does, the
// client address and the signature are the relaying app's, server-sent events stream, forms
// keep their fields, socket frames keep their order both ways and close codes pass; a signed
// request is handled where it lands; a bad signature is a 403; when the home moves the
// relayed socket closes with 4012.
import assert from "node:assert/strict";
import { Hono } from "hono";
import { clusterSecret, registerInstance, signRelay, verifyRelay } from "../cluster/mod.ts";
import { type AppEnv, clientAddress, relayedRequests } from "../http/mod.ts";
import { startTestApp, type TestApp } from "../../tests/support/app.ts";
import { TECH_PASSWORD } from "../../tests/support/org.ts";
import { carolSession, technician, workingSession } from "../../tests/support/sessions.ts";
import { withServer } from "../../tests/support/sockets.ts";
import { claimHome } from "./agent_home.ts";
import { relayHeaders } from "./home_relay.ts";
import { agentHomes } from "./schema.ts";

const test = (name: string, fn: () => Promise<void>) =>
  Deno.test({ name, sanitizeOps: false, sanitizeResources: false, fn });

Deno.test("relayHeaders(): the browser's own headers, the signature, the client; nothing else", async () => {
  const incoming = new Headers({
    cookie: "rs_session=abc",
    origin: "https://rescue.example",
    "user-agent": "Firefox",
    "accept-language": "nl",
    "last-event-id": "42",
    "sec-fetch-site": "same-origin",
    "sec-fetch-mode": "websocket",
    "x-csrf-token": "tok",
    // htmx's: the home answers the fragment htmx asked for, not a whole page or a redirect.
    "hx-request": "true",
    "hx-target": "lan-dialog",
    // The agent's file-data connection and API clients authenticate with it (modules/filemgr).
    authorization: "Bearer x",
    // Never passed: the browser's own claims about addresses and relays, and the rest.
    "x-forwarded-for": "6.6.6.6",
    "x-forwarded-host": "evil.example",
    "x-rescue-relay": "forged",
    host: "rescue.example",
    "sec-websocket-key": "k",
  });
  const now = new Date("2026-12-04T10:00:00Z");
  const from = crypto.randomUUID();
  const out = await relayHeaders(incoming, {
    secret: "s3cret",
    from,
    method: "GET",
    path: "/s/T/remote/events?x=1",
    client: "203.0.113.9",
    url: "https://rescue.example/s/T/remote/events?x=1",
    now,
  });
  assert.deepEqual(Object.fromEntries(out), {
    "accept-encoding": "identity",
    "accept-language": "nl",
    authorization: "Bearer x",
    cookie: "rs_session=abc",
    "hx-request": "true",
    "hx-target": "lan-dialog",
    "last-event-id": "42",
    origin: "https://rescue.example",
    "sec-fetch-mode": "websocket",
    "sec-fetch-site": "same-origin",
    "user-agent": "Firefox",
    "x-csrf-token": "tok",
    "x-forwarded-for": "203.0.113.9",
    "x-forwarded-host": "rescue.example",
    "x-forwarded-proto": "https",
    "x-rescue-relay": out.get("x-rescue-relay")!,
  });
  const request = { method: "GET", path: "/s/T/remote/events?x=1" };
  assert.equal(await verifyRelay("s3cret", out.get("x-rescue-relay")!, request, now), from);
  assert.equal(
    await verifyRelay("other", out.get("x-rescue-relay")!, request, now),
    null,
    "another secret",
  );
  assert.equal(
    await verifyRelay("s3cret", out.get("x-rescue-relay")!, { ...request, path: "/s/T" }, now),
    null,
    "another path",
  );
});

test("X-Rescue-Relay: a bad, expired or misdirected signature is a 403; only a valid one is believed", async () => {
  const t = await startTestApp();
  try {
    const secret = clusterSecret(t.deps.config);
    const sign = (path: string, at = t.clock.now()) =>
      signRelay(secret, { from: crypto.randomUUID(), method: "GET", path }, at);
    const get = (headers: Record<string, string>) =>
      t.app.request("http://localhost/healthz", { headers });
    assert.equal((await get({})).status, 200);
    assert.equal((await get({ "x-rescue-relay": "nonsense" })).status, 403);
    assert.equal((await get({ "x-rescue-relay": await sign("/metrics") })).status, 403);
    const old = await sign("/healthz", new Date(t.clock.now().getTime() - 31_000));
    assert.equal((await get({ "x-rescue-relay": old })).status, 403, "expired");
    assert.equal((await get({ "x-rescue-relay": await sign("/healthz") })).status, 200);

    // The client address: X-Forwarded-For counts only under a valid signature.
    const probe = new Hono<AppEnv>()
      .use("*", async (c, next) => (c.set("deps", t.deps), await next()))
      .use("*", relayedRequests())
      .get("/who", (c) => c.text(clientAddress(c)))
      .onError((error) => new Response(error.message, { status: 403 }));
    const who = async (headers: Record<string, string>) => {
      const res = await probe.request("http://localhost/who", { headers });
      return `${res.status} ${await res.text()}`;
    };
    assert.equal(await who({ "x-forwarded-for": "6.6.6.6" }), "200 127.0.0.1");
    assert.equal(
      await who({ "x-forwarded-for": "203.0.113.9", "x-rescue-relay": await sign("/who") }),
      "200 203.0.113.9",
    );
    assert.equal(
      await who({ "x-forwarded-for": "203.0.113.9", "x-rescue-relay": "x" }),
      "403 errors.forbidden",
    );
  } finally {
    await t.close();
  }
});

/** A stand-in home instance: records requests, streams SSE, echoes socket frames. */
function fakeHome() {
  const seen: { method: string; path: string; headers: Headers; body: string }[] = [];
  const sockets: WebSocket[] = [];
  let push = (_text: string) => {};
  const closedWith: number[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const url = new URL(req.url);
    seen.push({
      method: req.method,
      path: url.pathname + url.search,
      headers: new Headers(req.headers),
      body: req.method === "POST" ? await req.text() : "",
    });
    if (req.headers.get("upgrade") === "websocket") {
      const { socket, response } = Deno.upgradeWebSocket(req);
      socket.binaryType = "arraybuffer";
      sockets.push(socket);
      socket.onmessage = (event) => {
        if (event.data === "close-me") return socket.close(4403, "not yours");
        socket.send(
          typeof event.data === "string" ? `echo ${event.data}` : new Uint8Array(event.data),
        );
      };
      socket.onclose = (event) => closedWith.push(event.code);
      return response;
    }
    if (url.pathname.endsWith("/remote/events")) {
      const encoder = new TextEncoder();
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(encoder.encode("event: remote\ndata: from-home\n\n"));
          push = (text) => controller.enqueue(encoder.encode(`event: remote\ndata: ${text}\n\n`));
        },
      });
      return new Response(body, {
        headers: { "content-type": "text/event-stream", "set-cookie": "home=1; Path=/" },
      });
    }
    return new Response(null, { status: 204 });
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    seen,
    sockets,
    closedWith,
    push: (text: string) => push(text),
    close: () => server.shutdown(),
  };
}

/** An app served on a port, a fake home and a session whose agent lives "there". */
async function withFakeHome(
  fn: (
    t: TestApp,
    port: number,
    home: ReturnType<typeof fakeHome>,
    homeId: string,
  ) => Promise<void>,
) {
  const t = await startTestApp();
  const home = fakeHome();
  try {
    const homeId = crypto.randomUUID();
    await registerInstance(t.deps.db, { id: homeId, internalUrl: home.url }, t.clock.now());
    await withServer(t, (port) => fn(t, port, home, homeId));
  } finally {
    await home.close();
    await t.close();
  }
}

async function placeHome(t: TestApp, sessionId: string, instanceId: string) {
  await t.deps.db.insert(agentHomes).values({ sessionId, instanceId, since: t.clock.now() });
}

async function readUntil(reader: ReadableStreamDefaultReader<Uint8Array>, text: string) {
  let got = "";
  const decoder = new TextDecoder();
  while (!got.includes(text)) {
    const { done, value } = await reader.read();
    if (done) throw new Error(`stream ended before ${text}: ${got}`);
    got += decoder.decode(value);
  }
  return got;
}

test("relay: the customer's remote stream and revoke go to the home; a signed request stays", async () => {
  await withFakeHome(async (t, port, home, homeId) => {
    const tech = await technician(t);
    const session = await carolSession(t, tech);
    await placeHome(t, session.id, homeId);
    const page = t.client();
    await page.get(`/s/${session.token}`);
    const base = `http://127.0.0.1:${port}/s/${session.token}`;

    const events = await fetch(`${base}/remote/events`, {
      headers: {
        cookie: page.cookieHeader(),
        "user-agent": "Firefox",
        "x-forwarded-for": "6.6.6.6",
        "x-custom": "no",
      },
    });
    assert.equal(events.status, 200);
    assert.equal(events.headers.get("content-type"), "text/event-stream");
    assert.equal(events.headers.get("set-cookie"), "home=1; Path=/");
    const reader = events.body!.getReader();
    await readUntil(reader, "data: from-home");
    // Still open and streaming: an event the home sends later arrives on its own.
    home.push("later");
    await readUntil(reader, "data: later");
    // A second stream, and the agent attaches here: it says "moved" and ends.
    const second = (await fetch(`${base}/remote/events`, {
      headers: { cookie: page.cookieHeader() },
    })).body!.getReader();
    await readUntil(second, "data: from-home");
    await claimHome(t.deps, session);
    await readUntil(second, "event: moved");
    assert.equal((await second.read()).done, true);
    await t.deps.db.update(agentHomes).set({ instanceId: homeId });
    const [got] = home.seen;
    assert.equal(got.path, `/s/${session.token}/remote/events`);
    assert.equal(got.headers.get("cookie"), page.cookieHeader());
    assert.equal(got.headers.get("user-agent"), "Firefox");
    assert.equal(got.headers.get("x-custom"), null);
    assert.equal(got.headers.get("x-forwarded-for"), "127.0.0.1", "the address the app saw");
    const signed = got.headers.get("x-rescue-relay")!;
    assert.equal(
      await verifyRelay(clusterSecret(t.deps.config), signed, {
        method: "GET",
        path: got.path,
      }, t.clock.now()),
      t.deps.instance.id,
    );
    await reader.cancel();

    const revoke = await fetch(`${base}/remote/revoke`, {
      method: "POST",
      headers: {
        cookie: page.cookieHeader(),
        "x-csrf-token": page.csrf,
        "content-type": "application/x-www-form-urlencoded",
      },
      body: "capability=view",
    });
    assert.equal(revoke.status, 204);
    const posted = home.seen.at(-1)!;
    assert.equal(posted.method, "POST");
    assert.equal(posted.body, "capability=view");
    assert.equal(posted.headers.get("x-csrf-token"), page.csrf);

    // Relayed once already (a valid signature): handled here, never relayed again.
    const before = home.seen.length;
    const path = `/s/${session.token}/remote/events`;
    const here = await fetch(`http://127.0.0.1:${port}${path}`, {
      headers: {
        "x-rescue-relay": await signRelay(
          clusterSecret(t.deps.config),
          { from: homeId, method: "GET", path },
          t.clock.now(),
        ),
      },
    });
    const local = here.body!.getReader();
    let all = "";
    for (let r = await local.read(); !r.done; r = await local.read()) {
      all += new TextDecoder().decode(r.value);
    }
    assert.match(all, /event: remote\ndata: \{"agent":"absent"/);
    assert.equal(home.seen.length, before, "not relayed again");
    // Handled here while the home is elsewhere: this instance's watch moved it on at once.
    assert.match(all, /event: moved\ndata: 1\n\n$/);
  });
});

test("relay: the viewer socket is piped to the home in order both ways; closes pass; a move closes it 4012", async () => {
  await withFakeHome(async (t, port, home, homeId) => {
    const tech = await technician(t);
    const session = await workingSession(t, tech);
    await placeHome(t, session.id, homeId);
    const browser = t.client();
    await browser.signIn(tech.email, TECH_PASSWORD);
    const open = async () => {
      const ws = new WebSocket(
        `ws://127.0.0.1:${port}/console/sessions/${session.id}/remote/ws`,
        {
          headers: { cookie: browser.cookieHeader(), origin: `http://127.0.0.1:${port}` },
        } as unknown as string[],
      );
      ws.binaryType = "arraybuffer";
      const got: (string | number)[] = [];
      ws.onmessage = (e) => got.push(typeof e.data === "string" ? e.data : e.data.byteLength);
      const closed = new Promise<number>((r) => ws.onclose = (e) => r(e.code));
      await new Promise((r, j) => (ws.onopen = r, ws.onerror = j));
      return { ws, got, closed };
    };

    const viewer = await open();
    const sent: (string | number)[] = [];
    for (let i = 1; i <= 60; i++) {
      if (i % 3 === 0) {
        viewer.ws.send(new Uint8Array(i));
        sent.push(i);
      } else {
        viewer.ws.send(`m${i}`);
        sent.push(`echo m${i}`);
      }
    }
    for (let i = 0; i < 200 && viewer.got.length < sent.length; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.deepEqual(viewer.got, sent, "text and binary, in order, both ways");
    const relayed = home.seen.find((s) => s.headers.get("upgrade") === "websocket")!;
    assert.equal(relayed.headers.get("origin"), `http://127.0.0.1:${port}`);
    assert.equal(relayed.headers.get("x-forwarded-host"), `127.0.0.1:${port}`);

    // The home closes with its code: the browser gets the same code.
    viewer.ws.send("close-me");
    assert.equal(await viewer.closed, 4403);

    // The browser closes: the home hears the code.
    const second = await open();
    second.ws.close(4000, "bye");
    await second.closed;
    for (let i = 0; i < 100 && !home.closedWith.includes(4000); i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.ok(home.closedWith.includes(4000), `home saw ${home.closedWith}`);

    // The agent attaches here now: the relayed socket closes with 4012 ("moved").
    const third = await open();
    await claimHome(t.deps, session);
    assert.equal(await third.closed, 4012);
  });
});
