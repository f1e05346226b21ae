// A whole support case through /api/v1 only: create a PIN session, follow it in the queue,
// start it, chat both ways, end it — plus the creation rate limit, permissions, bad input,
// sessions the caller cannot see, and the OpenAPI document. The customer's side calls the
// support service directly (its pages are tested with the customer routes).
import assert from "node:assert/strict";
import type { Permission } from "../modules/permissions/mod.ts";
import { customerConnected, findByToken } from "../modules/support/mod.ts";
import { customerChat } from "../modules/support/test_support.ts";
import { startTestApp, type TestApp } from "./support/app.ts";
import { makeGroup, makePerson, TECH_PASSWORD } from "./support/org.ts";

const WORKING: Permission[] = ["startPrivate", "methodPin", "methodLink", "hold"];

async function technicianToken(t: TestApp, permissions: Permission[] = WORKING) {
  const group = await makeGroup(t, { permissions });
  const person = await makePerson(t, { groupId: group.id });
  const res = await t.app.request("http://localhost/api/v1/auth/token", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: person.email, password: TECH_PASSWORD }),
  });
  assert.equal(res.status, 201);
  return { token: (await res.json()).token as string, person };
}

function call(t: TestApp, token: string, method: string, path: string, body?: unknown) {
  return t.app.request(`http://localhost/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** The customer opens the link: what its page does through the support service. */
async function customerJoins(t: TestApp, link: string) {
  const session = await findByToken(t.deps, link.split("/s/")[1]);
  assert.ok(session, "the link's token finds the session");
  await customerConnected(t.deps, session);
  return session;
}

Deno.test("a whole support case runs through /api/v1 without the UI", async () => {
  const t = await startTestApp();
  try {
    const { token, person } = await technicianToken(t);
    const created = await call(t, token, "POST", "/sessions", {
      method: "pin",
      customerName: "  Ada Lovelace ",
      fields: { ticket: "T-42" },
    });
    assert.equal(created.status, 201);
    const session = await created.json();
    assert.match(session.pin, /^\d{6}$/);
    assert.match(session.link, /\/s\/[A-Za-z0-9_-]+$/);
    assert.equal(session.status, "connecting");
    assert.ok(Date.parse(session.pinExpiresAt) > t.clock.now().getTime());

    await customerJoins(t, session.link);
    const queue = await (await call(t, token, "GET", "/sessions")).json();
    assert.equal(queue.length, 1);
    assert.equal(queue[0].id, session.id);
    assert.equal(queue[0].customerName, "Ada Lovelace", "trimmed");
    assert.equal(queue[0].customerState, "connected");
    assert.deepEqual(
      queue[0].entries.map((e: Record<string, unknown>) => [
        e.status,
        e.visibility,
        e.technicianId,
        e.technicianName,
      ]),
      [["waiting", "own", person.id, person.name]],
    );
    const waiting = await (await call(t, token, "GET", "/sessions?status=waiting")).json();
    assert.deepEqual(waiting.map((s: { id: string }) => s.id), [session.id]);
    assert.deepEqual(await (await call(t, token, "GET", "/sessions?status=active")).json(), []);

    const tooEarly = await call(t, token, "POST", `/sessions/${session.id}/chat`, { text: "Hi" });
    assert.equal(tooEarly.status, 409, "chat needs a started session");

    const started = await call(t, token, "POST", `/sessions/${session.id}/start`);
    assert.equal(started.status, 200);
    assert.equal((await started.json()).entries[0].status, "active");

    const sent = await call(t, token, "POST", `/sessions/${session.id}/chat`, { text: "Hello" });
    assert.equal(sent.status, 201);
    const { id: mine } = await sent.json();
    const customerSide = await findByToken(t.deps, session.link.split("/s/")[1]);
    const theirs = await customerChat(t.deps, customerSide!, "Hi, my printer is stuck");

    const page = await (await call(t, token, "GET", `/sessions/${session.id}/chat`)).json();
    const chat = page.lines.filter((l: { kind: string }) => l.kind === "chat");
    assert.deepEqual(chat.map((l: Record<string, unknown>) => [l.author, l.text]), [
      ["technician", "Hello"],
      ["customer", "Hi, my printer is stuck"],
    ]);
    assert.ok(page.lines.some((l: { key: string }) => l.key === "status.active"));
    // Pages count places in the log (`seq`, commit order), not ids.
    const place = (id: number) =>
      page.lines.find((l: { id: number; seq: number }) => l.id === id).seq as number;
    assert.equal(page.next, place(theirs));
    const after = await (await call(
      t,
      token,
      "GET",
      `/sessions/${session.id}/chat?after=${place(mine)}`,
    )).json();
    assert.deepEqual(after.lines.map((l: { id: number }) => l.id), [theirs]);
    const firstTwo = await (await call(t, token, "GET", `/sessions/${session.id}/chat?limit=2`))
      .json();
    assert.equal(firstTwo.lines.length, 2);
    assert.equal(firstTwo.next, firstTwo.lines[1].seq);
    const done = await (await call(
      t,
      token,
      "GET",
      `/sessions/${session.id}/chat?after=${place(theirs)}`,
    )).json();
    assert.deepEqual(done, { lines: [], next: place(theirs) });

    // A message sent again with its key (a dropped connection, a retry) is stored once.
    const keyed = (key: string) =>
      t.app.request(`http://localhost/api/v1/sessions/${session.id}/chat`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${token}`,
          "content-type": "application/json",
          "idempotency-key": key,
        },
        body: JSON.stringify({ text: "Once" }),
      });
    const once = await keyed("retry-key-0001");
    const twice = await keyed("retry-key-0001");
    assert.equal(once.status, 201);
    assert.equal(twice.status, 201);
    assert.deepEqual(await twice.json(), await once.json(), "the same line answers");
    const again = await (await call(t, token, "GET", `/sessions/${session.id}/chat`)).json();
    assert.equal(again.lines.filter((l: { text: string }) => l.text === "Once").length, 1);
    assert.equal((await keyed("bad key!")).status, 422, "a malformed key is refused");

    const held = await call(t, token, "POST", `/sessions/${session.id}/hold`);
    assert.equal((await held.json()).entries[0].status, "on_hold");
    const resumed = await call(t, token, "POST", `/sessions/${session.id}/start`);
    assert.equal((await resumed.json()).entries[0].status, "active");

    const ended = await call(t, token, "POST", `/sessions/${session.id}/end`);
    assert.equal(ended.status, 200);
    const endedBody = await ended.json();
    assert.ok(endedBody.endedAt);
    assert.deepEqual(endedBody.entries, [], "the caller's row is removed");
    assert.deepEqual(await (await call(t, token, "GET", "/sessions")).json(), []);
    assert.equal((await call(t, token, "GET", `/sessions/${session.id}`)).status, 404);
  } finally {
    await t.close();
  }
});

Deno.test("creating sessions through the API is limited to 30 a minute per user", async () => {
  const t = await startTestApp();
  try {
    const { token } = await technicianToken(t);
    const body = { method: "link", customerName: "Batch" };
    for (let i = 0; i < 30; i++) {
      t.clock.advance(1000);
      assert.equal((await call(t, token, "POST", "/sessions", body)).status, 201, `#${i + 1}`);
    }
    const refused = await call(t, token, "POST", "/sessions", body);
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get("content-type"), "application/problem+json");
    // 30 by 0:30; in the next minute they weigh 30 × (1 − t/60): one more fits at 1:02.
    assert.equal(refused.headers.get("retry-after"), "32");
    assert.match((await refused.json()).detail, /Wait 32 seconds/);
    const other = await technicianToken(t);
    assert.equal((await call(t, other.token, "POST", "/sessions", body)).status, 201, "per user");
    t.clock.advance(31_000);
    assert.equal((await call(t, token, "POST", "/sessions", body)).status, 429, "not yet");
    t.clock.advance(1_000);
    assert.equal((await call(t, token, "POST", "/sessions", body)).status, 201);
  } finally {
    await t.close();
  }
});

Deno.test("the sessions API checks permissions, input and visibility", async () => {
  const t = await startTestApp();
  try {
    const linkOnly = await technicianToken(t, ["startPrivate", "methodLink"]);
    const pin = await call(t, linkOnly.token, "POST", "/sessions", {
      method: "pin",
      customerName: "Bob",
    });
    assert.equal(pin.status, 403);
    assert.match((await pin.json()).detail, /methodPin/);
    const link = { method: "link", customerName: "Bob" };
    assert.equal((await call(t, linkOnly.token, "POST", "/sessions", link)).status, 201);
    const noStart = await technicianToken(t, ["methodPin", "methodLink"]);
    assert.equal((await call(t, noStart.token, "POST", "/sessions", link)).status, 403);
    const pinOnly = await technicianToken(t, ["startPrivate", "methodPin"]);
    assert.equal((await call(t, pinOnly.token, "POST", "/sessions", link)).status, 403);

    for (
      const bad of [{ method: "fax", customerName: "Bob" }, { method: "pin" }, {
        method: "pin",
        customerName: "x".repeat(101),
      }, { method: "pin", customerName: "   " }]
    ) {
      const res = await call(t, linkOnly.token, "POST", "/sessions", bad);
      assert.equal(res.status, 422, JSON.stringify(bad));
      assert.ok((await res.json()).issues.length > 0);
    }
    assert.equal((await call(t, linkOnly.token, "GET", "/sessions?status=lost")).status, 422);
    assert.equal((await call(t, linkOnly.token, "GET", "/sessions/not-a-uuid")).status, 422);

    // Someone else's session, in another group: invisible, so 404 everywhere.
    const owner = await technicianToken(t);
    const theirs = await (await call(t, owner.token, "POST", "/sessions", link)).json();
    await customerJoins(t, theirs.link);
    for (
      const [method, path] of [
        ["GET", `/sessions/${theirs.id}`],
        ["POST", `/sessions/${theirs.id}/start`],
        ["POST", `/sessions/${theirs.id}/end`],
        ["GET", `/sessions/${theirs.id}/chat`],
        ["GET", `/sessions/${crypto.randomUUID()}`],
        ["POST", `/sessions/${crypto.randomUUID()}/start`],
      ]
    ) {
      const res = await call(t, linkOnly.token, method, path);
      assert.equal(res.status, 404, `${method} ${path}`);
      assert.equal(res.headers.get("content-type"), "application/problem+json");
    }
    const listed = await (await call(t, linkOnly.token, "GET", "/sessions")).json();
    assert.ok(!listed.some((s: { id: string }) => s.id === theirs.id));

    // Holding needs the hold permission; chat refuses an empty message.
    const started = await call(t, linkOnly.token, "POST", "/sessions", link);
    const mine = await started.json();
    await customerJoins(t, mine.link);
    assert.equal((await call(t, linkOnly.token, "POST", `/sessions/${mine.id}/start`)).status, 200);
    assert.equal((await call(t, linkOnly.token, "POST", `/sessions/${mine.id}/hold`)).status, 403);
    const blank = await call(t, linkOnly.token, "POST", `/sessions/${mine.id}/chat`, { text: " " });
    assert.equal(blank.status, 422);
    assert.equal((await call(t, "rsk_nope", "GET", "/sessions")).status, 401);
  } finally {
    await t.close();
  }
});

Deno.test("the OpenAPI document describes the sessions API", async () => {
  const t = await startTestApp();
  try {
    const doc = await (await t.app.request("http://localhost/api/v1/openapi.json")).json();
    for (
      const path of [
        "/sessions",
        "/sessions/{id}",
        "/sessions/{id}/start",
        "/sessions/{id}/hold",
        "/sessions/{id}/end",
        "/sessions/{id}/chat",
      ]
    ) assert.ok(doc.paths[path], `${path} is documented`);
    assert.ok(doc.paths["/sessions"].post.responses["429"]);
    assert.ok(doc.paths["/sessions/{id}/chat"].get.responses["404"]);
    assert.ok(doc.components.schemas.Session && doc.components.schemas.ChatPage);
  } finally {
    await t.close();
  }
});
