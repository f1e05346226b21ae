// The generic HTTP provider against a real loopback server: body, headers, templates,
// errors with the status, timeouts, and an unreachable gateway whose key stays secret.
import assert from "node:assert/strict";
import { httpSmsGateway } from "./gateway.ts";
import { closedPort, withGateway } from "./gateway_test_server.ts";

const MESSAGE = { to: "+31612345678", body: 'Your PIN is 123 456 — "quoted" & more' };

Deno.test("httpSmsGateway() POSTs {to, body} as JSON with the Authorization header", async () => {
  await withGateway(async (gateway) => {
    const sms = httpSmsGateway({ url: `${gateway.url}?key=k1`, auth: "Bearer s3cret" });
    await sms.send(MESSAGE);
    assert.equal(gateway.requests.length, 1);
    const [req] = gateway.requests;
    assert.equal(req.method, "POST");
    assert.equal(req.path, "/send?key=k1");
    assert.equal(req.contentType, "application/json");
    assert.equal(req.authorization, "Bearer s3cret");
    assert.deepEqual(JSON.parse(req.body), MESSAGE);
  });
});

Deno.test("httpSmsGateway() sends no Authorization header when none is configured", async () => {
  await withGateway(async (gateway) => {
    await httpSmsGateway({ url: gateway.url }).send(MESSAGE);
    assert.equal(gateway.requests[0].authorization, null);
  });
});

Deno.test("httpSmsGateway() fills a JSON template with JSON-escaped values", async () => {
  await withGateway(async (gateway) => {
    const template = '{"recipients":["{{to}}"],"text":"{{body}}","from":"Rescue"}';
    await httpSmsGateway({ url: gateway.url, template }).send(MESSAGE);
    const [req] = gateway.requests;
    assert.equal(req.contentType, "application/json");
    assert.deepEqual(JSON.parse(req.body), {
      recipients: [MESSAGE.to],
      text: MESSAGE.body,
      from: "Rescue",
    });
  });
});

Deno.test("httpSmsGateway() fills a form template with URL-encoded values", async () => {
  await withGateway(async (gateway) => {
    await httpSmsGateway({ url: gateway.url, template: "To={{to}}&Body={{body}}&From=Rescue" })
      .send(MESSAGE);
    const [req] = gateway.requests;
    assert.equal(req.contentType, "application/x-www-form-urlencoded");
    const form = new URLSearchParams(req.body);
    assert.deepEqual(Object.fromEntries(form), {
      To: MESSAGE.to,
      Body: MESSAGE.body,
      From: "Rescue",
    });
  });
});

Deno.test("httpSmsGateway() rejects a non-2xx answer with its status", async () => {
  await withGateway(async (gateway) => {
    gateway.status = 500;
    await assert.rejects(
      httpSmsGateway({ url: gateway.url, auth: "Bearer s3cret" }).send(MESSAGE),
      (error: unknown) =>
        error instanceof Error && /answered 500/.test(error.message) &&
        /carrier unavailable/.test(error.message) && !error.message.includes("s3cret"),
    );
    gateway.status = 401;
    await assert.rejects(httpSmsGateway({ url: gateway.url }).send(MESSAGE), /answered 401/);
  });
});

Deno.test("httpSmsGateway() gives up on a gateway that does not answer in time", async () => {
  await withGateway(async (gateway) => {
    gateway.hang = true;
    await assert.rejects(
      httpSmsGateway({ url: gateway.url, timeoutMs: 50 }).send(MESSAGE),
      /did not answer within 50 ms/,
    );
  });
});

Deno.test("httpSmsGateway() reports an unreachable gateway without its query string", async () => {
  const url = `http://127.0.0.1:${closedPort()}/send?apikey=topsecret`;
  await assert.rejects(
    httpSmsGateway({ url }).send(MESSAGE),
    (error: unknown) =>
      error instanceof Error && /unreachable: .*refused/i.test(error.message) &&
      error.message.includes("/send") && !error.message.includes("topsecret"),
  );
});
