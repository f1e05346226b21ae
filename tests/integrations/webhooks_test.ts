// Webhooks end to end: an admin registers an endpoint, sessions change, and a real HTTP
// receiver on loopback (Deno.serve) checks every delivery's signature with the
// `standardwebhooks` library. A receiver that fails gets retries with back-off, then
// succeeds: every event arrives once per webhook-id, none is lost, a resend keeps its id.
// Endpoints on loopback or the local network are refused unless the operator allows them.
import assert from "node:assert/strict";
import { eq, sql } from "drizzle-orm";
import { users } from "../../modules/auth/mod.ts";
import { endSession, startSession, transferSession } from "../../modules/support/mod.ts";
import {
  deliverWebhooks,
  followAuditChains,
  WEBHOOK_EVENT_TYPES,
  webhookDeliveries,
  webhookEndpoints,
} from "../../modules/webhooks/mod.ts";
import { ADMIN, startTestApp, type TestApp, type TestClient } from "../support/app.ts";
import { technician, workingSession } from "../support/sessions.ts";
import { makePerson, TECH_PASSWORD } from "../support/org.ts";
import { startReceiver } from "./webhook_receiver.ts";
import { sealWebhookSecret } from "../../modules/webhooks/test_support.ts";

const ALL_SESSION_EVENTS = [
  "session.created",
  "session.picked_up",
  "session.transferred",
  "session.ended",
];

/** Posts the endpoint form (several event types: URLSearchParams, not a record). */
async function addEndpoint(
  browser: TestClient,
  fields: { url: string; description?: string; eventTypes: string[] },
): Promise<Response> {
  await browser.get("/admin/webhooks");
  const body = new URLSearchParams({
    _csrf: browser.csrf,
    url: fields.url,
    description: fields.description ?? "",
  });
  for (const type of fields.eventTypes) body.append("eventTypes", type);
  return await browser.send("/admin/webhooks", {
    method: "POST",
    body,
    headers: { "content-type": "application/x-www-form-urlencoded" },
  });
}

/** What the endpoint form on a page holds: URL, description and the ticked event types. */
function formValues(html: string) {
  const unescape = (v: string) =>
    v.replaceAll("&quot;", '"').replaceAll("&lt;", "<").replaceAll("&gt;", ">")
      .replaceAll("&#39;", "'").replaceAll("&amp;", "&");
  const value = (id: string) => {
    const input = new RegExp(`<input[^>]*id="${id}"[^>]*>`).exec(html)?.[0];
    return input === undefined ? undefined : unescape(/ value="([^"]*)"/.exec(input)?.[1] ?? "");
  };
  const ticked = [...html.matchAll(/<input[^>]*name="eventTypes"[^>]*>/g)]
    .filter(([input]) => / checked/.test(input))
    .map(([input]) => /value="([^"]*)"/.exec(input)![1]);
  return { url: value("wh-url"), description: value("wh-description"), eventTypes: ticked };
}

async function deliveries(t: TestApp) {
  return await t.deps.db.select().from(webhookDeliveries);
}

Deno.test("webhooks: signed session and audit events reach a real receiver; failures are retried with back-off, nothing lost or doubled", async () => {
  // The receiver is on loopback: the operator's setting lets webhooks go there (unset, they
  // may not — the next test).
  const t = await startTestApp({ env: { WEBHOOK_ALLOW_PRIVATE: "loopback" } });
  const receiver = await startReceiver();
  try {
    // The receiver checks timestamps against its own clock (5 minutes either way).
    t.clock.set(new Date());
    const admin = t.client();
    await admin.signIn(ADMIN.email, ADMIN.password);
    const added = await addEndpoint(admin, {
      url: receiver.url,
      description: "Ticketing",
      eventTypes: [...ALL_SESSION_EVENTS, "audit.recorded"],
    });
    assert.equal(added.status, 201);
    const page = await added.text();
    const secret = /value="(whsec_[A-Za-z0-9+/=]+)"/.exec(page)?.[1];
    assert.ok(secret, "the secret is shown once");
    assert.equal(added.headers.get("cache-control"), "no-store");
    const [stored] = await t.deps.db.select().from(webhookEndpoints);
    assert.match(stored.secretSealed, /^v1:/);
    const dump = JSON.stringify(
      (await t.deps.db.execute(sql`select * from webhook_endpoints`) as { rows?: unknown })
        .rows ?? [],
    );
    assert.ok(!dump.includes(secret.slice(6)), "no secret in clear in the database");
    const again = await (await admin.get(`/admin/webhooks/${stored.id}`)).text();
    assert.ok(!again.includes(secret.slice(6)), "the secret is not shown twice");
    receiver.secret = secret;

    // A session is created, picked up, transferred to a colleague, and ended by them.
    const tech = await technician(t);
    const colleague = await technician(t, { groupId: tech.groupId! });
    const session = await workingSession(t, tech);
    await transferSession(
      t.deps,
      tech,
      session.id,
      { kind: "technician", id: colleague.id },
      "over to you",
      () => Promise.resolve(true),
    );
    await startSession(t.deps, colleague, session.id);
    await endSession(t.deps, colleague, session.id);
    await endSession(t.deps, tech, session.id).catch(() => {});
    assert.ok((await followAuditChains(t.deps)) > 0, "audit entries became events");
    const queued = await deliveries(t);
    const types = queued.map((d) => d.eventType);
    for (const type of ALL_SESSION_EVENTS) {
      assert.equal(types.filter((x) => x === type).length, 1, `${type} queued once`);
    }
    assert.ok(types.includes("audit.recorded"));

    // The receiver fails its first two requests.
    receiver.failures = 2;
    await Promise.all([deliverWebhooks(t.deps), deliverWebhooks(t.deps)]);
    const afterFirst = await deliveries(t);
    const retrying = afterFirst.filter((d) => d.status === "pending");
    assert.equal(retrying.length, 2);
    for (const d of retrying) {
      assert.equal(d.attempts, 1);
      assert.equal(d.responseStatus, 500);
      assert.equal(d.responseBody, "receiver down for maintenance");
      assert.match(d.lastError ?? "", /answered 500/);
      assert.equal(d.nextAttemptAt!.getTime(), t.clock.now().getTime() + 60_000);
    }
    assert.equal(receiver.requests.length, queued.length, "each sent once (two deliverers)");

    // Not before their time …
    await deliverWebhooks(t.deps);
    assert.equal(receiver.requests.length, queued.length);
    // … then a minute later, with the same webhook-id.
    t.clock.advance(60_000);
    await deliverWebhooks(t.deps);
    const done = await deliveries(t);
    assert.deepEqual(done.map((d) => d.status).filter((s) => s !== "sent"), []);
    assert.ok(receiver.requests.every((r) => r.verified), "every signature verifies");
    assert.equal(receiver.accepted.size, queued.length, "nothing lost");
    assert.ok([...receiver.accepted.values()].every((n) => n === 1), "nothing doubled");
    for (const d of retrying) {
      assert.equal(receiver.requests.filter((r) => r.id === d.id).length, 2, "retried as itself");
    }
    for (const d of done) {
      const expected = retrying.some((r) => r.id === d.id) ? 2 : 1;
      assert.equal(d.attempts, expected, "attempts counted, the successful one too");
    }
    const ended = receiver.requests.find((r) => r.body.type === "session.ended")!;
    const data = ended.body.data as { session: { id: string; number: number } };
    assert.equal(data.session.id, session.id);
    assert.equal(data.session.number, session.number);
    // The transfer names who sent it and to whom.
    const moved = receiver.requests.find((r) => r.body.type === "session.transferred")!;
    assert.deepEqual(moved.body.data.transfer, {
      from: { id: tech.id, name: tech.name, email: tech.email },
      to: { kind: "technician", id: colleague.id, name: colleague.name },
      note: "over to you",
    });

    // An admin resends one: the same webhook-id again, so the receiver can drop it.
    const one = done.find((d) => d.eventType === "session.created")!;
    await admin.get(`/admin/webhooks/${stored.id}`);
    const resent = await admin.post(`/admin/webhooks/deliveries/${one.id}/resend`, {}, {
      "hx-request": "true",
    });
    assert.equal(resent.status, 200);
    assert.match(await resent.text(), new RegExp(`delivery-${one.id}`));
    assert.equal(receiver.accepted.get(one.id), 2);
    const list = await (await admin.get(`/admin/webhooks/${stored.id}`)).text();
    assert.match(list, /HTTP 200 in \d+ ms/);
    assert.match(list, /HTTP 500 in \d+ ms|Delivered/);
  } finally {
    await receiver.close();
    await t.close();
  }
});

Deno.test("webhooks: an endpoint is refused for bad input, changes nothing, and only the master admin reaches the pages", async () => {
  const t = await startTestApp();
  try {
    const admin = t.client();
    await admin.signIn(ADMIN.email, ADMIN.password);
    const bad: [string, string[], RegExp][] = [
      ["", ["session.ended"], /Enter the endpoint/],
      ["not a url", ["session.ended"], /That is not a URL/],
      ["ftp://files.example.com/in", ["session.ended"], /Only http/],
      ["javascript:alert(1)", ["session.ended"], /Only http/],
      ["https://user:pw@hooks.example.com/", ["session.ended"], /user name and password/],
      ["https://hooks.example.com/#x", ["session.ended"], /# part/],
      [`https://hooks.example.com/${"a".repeat(2001)}`, ["session.ended"], /at most 2000/],
      ["https://hooks.example.com/", [], /at least one event/],
      ["https://hooks.example.com/", ["session.exploded"], /does not exist/],
    ];
    for (const [url, eventTypes, message] of bad) {
      const res = await addEndpoint(admin, { url, eventTypes, description: "Ticket desk" });
      assert.equal(res.status, 422, url);
      const page = await res.text();
      assert.match(page, message, url);
      // The form again, with what was typed (an unknown event has no box to tick): the admin
      // corrects it instead of starting over.
      const known = eventTypes.filter((e) =>
        (WEBHOOK_EVENT_TYPES as readonly string[]).includes(e)
      );
      assert.deepEqual(
        formValues(page),
        { url, description: "Ticket desk", eventTypes: known },
        url,
      );
    }
    assert.equal((await t.deps.db.select().from(webhookEndpoints)).length, 0);

    const ok = await addEndpoint(admin, {
      url: "https://hooks.example.com/in",
      eventTypes: ["session.ended"],
    });
    assert.equal(ok.status, 201);
    const [endpoint] = await t.deps.db.select().from(webhookEndpoints);

    // A technician and a limited admin: refused everywhere, nothing changes.
    const [master] = await t.deps.db.select().from(users).where(eq(users.email, ADMIN.email));
    const { makeGroup } = await import("../support/org.ts");
    const group = await makeGroup(t);
    const people = [
      await makePerson(t, { groupId: group.id, role: "technician" }),
      await makePerson(t, { groupId: group.id, role: "admin" }),
    ];
    for (const person of people) {
      const browser = t.client();
      await browser.signIn(person.email, TECH_PASSWORD);
      await browser.get("/account");
      const id = endpoint.id;
      const fake = crypto.randomUUID();
      const attempts: [string, () => Promise<Response>][] = [
        ["list", () => browser.get("/admin/webhooks")],
        ["one", () => browser.get(`/admin/webhooks/${id}`)],
        [
          "add",
          () =>
            browser.post("/admin/webhooks", {
              url: "https://x.example/",
              eventTypes: "session.ended",
            }),
        ],
        [
          "change",
          () =>
            browser.post(`/admin/webhooks/${id}`, {
              url: "https://evil.example/",
              eventTypes: "audit.recorded",
              enabled: "1",
            }),
        ],
        ["delete", () => browser.post(`/admin/webhooks/${id}/delete`)],
        ["resend", () => browser.post(`/admin/webhooks/deliveries/${fake}/resend`)],
        ["integrity", () => browser.get("/admin/audit/integrity")],
        ["export", () => browser.get("/admin/audit/export.jsonl")],
      ];
      for (const [name, attempt] of attempts) {
        assert.equal((await attempt()).status, 403, `${person.role} ${name}`);
      }
    }
    const [after] = await t.deps.db.select().from(webhookEndpoints);
    assert.deepEqual(after, endpoint, "the endpoint is unchanged");
    assert.equal(master.role, "master_admin");

    // A refused change shows the endpoint's page again with what was typed, and saves nothing.
    await admin.get(`/admin/webhooks/${endpoint.id}`);
    const refused = await admin.post(`/admin/webhooks/${endpoint.id}`, {
      url: "ftp://hooks.example.com/v2",
      description: "Moved",
      eventTypes: "session.created",
    });
    assert.equal(refused.status, 422);
    const refusedPage = await refused.text();
    assert.match(refusedPage, /Only http/);
    assert.deepEqual(formValues(refusedPage), {
      url: "ftp://hooks.example.com/v2",
      description: "Moved",
      eventTypes: ["session.created"],
    });
    assert.deepEqual((await t.deps.db.select().from(webhookEndpoints))[0], endpoint);

    // The master admin changes and deletes it; both audited.
    await admin.get(`/admin/webhooks/${endpoint.id}`);
    const changed = await admin.post(`/admin/webhooks/${endpoint.id}`, {
      url: "https://hooks.example.com/v2",
      eventTypes: "session.created",
    });
    assert.equal(changed.status, 303);
    const [updated] = await t.deps.db.select().from(webhookEndpoints);
    assert.deepEqual([updated.url, updated.eventTypes, updated.enabled], [
      "https://hooks.example.com/v2",
      ["session.created"],
      false,
    ]);
    await admin.get(`/admin/webhooks/${endpoint.id}`);
    assert.equal((await admin.post(`/admin/webhooks/${endpoint.id}/delete`)).status, 303);
    assert.equal((await t.deps.db.select().from(webhookEndpoints)).length, 0);
    const { auditActions } = await import("../support/app.ts");
    const actions = await auditActions(t.deps);
    for (
      const a of [
        "webhook.endpoint_created",
        "webhook.endpoint_updated",
        "webhook.endpoint_deleted",
      ]
    ) {
      assert.ok(actions.includes(a), a);
    }
  } finally {
    await t.close();
  }
});

Deno.test("webhooks: loopback, private and link-local endpoints are refused unless WEBHOOK_ALLOW_PRIVATE allows them, also at delivery", async () => {
  const t = await startTestApp();
  const receiver = await startReceiver();
  try {
    const admin = t.client();
    await admin.signIn(ADMIN.email, ADMIN.password);
    for (
      const url of [
        receiver.url,
        "http://localhost:8080/hook",
        "http://10.1.2.3/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
        "http://[fe80::1]/hook",
        "http://[::ffff:192.168.1.5]/hook",
        "http://0x7f.1/hook", // 127.0.0.1 spelt otherwise
      ]
    ) {
      const res = await addEndpoint(admin, { url, eventTypes: ["session.ended"] });
      assert.equal(res.status, 422, url);
      assert.match(await res.text(), /local network: webhooks may not go there/, url);
    }
    assert.deepEqual(await t.deps.db.select().from(webhookEndpoints), []);

    // Saved while the operator allowed loopback (a database edit stands in for the restart
    // without it): the delivery checks again, sends nothing and says why.
    const [master] = await t.deps.db.select().from(users).where(eq(users.email, ADMIN.email));
    const id = crypto.randomUUID();
    const [endpoint] = await t.deps.db.insert(webhookEndpoints).values({
      id,
      orgId: master.orgId,
      url: receiver.url,
      description: "",
      eventTypes: ["session.ended"],
      secretSealed: await sealWebhookSecret(
        t.deps.config,
        id,
        "whsec_dGVzdHNlY3JldHRlc3RzZWNyZXQ=",
      ),
      createdBy: master.id,
      createdAt: t.clock.now(),
    }).returning();
    const tech = await technician(t);
    const session = await workingSession(t, tech);
    await endSession(t.deps, tech, session.id);
    await deliverWebhooks(t.deps);
    const [refused] = await deliveries(t);
    assert.equal(refused.endpointId, endpoint.id);
    assert.equal(refused.status, "pending");
    assert.match(refused.lastError ?? "", /Not sent: 127\.0\.0\.1 is a loopback address/);
    assert.equal(receiver.requests.length, 0, "nothing reached the receiver");
  } finally {
    await receiver.close();
    await t.close();
  }
});
