// Issue 11 item 1: one unauthenticated POST used to kill the server — the CSRF middleware read
// every form body whole, before routing. Each body now has a cap per route, enforced before
// anything reads it: a declared length over the cap is refused unread, a chunked body is cut at
// the cap. Bodies come from a counting source so the tests see how much the server pulled.
import assert from "node:assert/strict";
import { startTestApp, type TestApp } from "../support/app.ts";
import { technician } from "../support/sessions.ts";
import { createPrivateSession } from "../../modules/support/mod.ts";
import { DEFAULT_BODY_BYTES } from "../../modules/http/mod.ts";

const MIB = 1024 * 1024;
const CHUNK = 16 * 1024;

/** A body of `total` bytes made on demand (never held in memory), counting what is pulled. */
function source(total: number, fill = "a=") {
  const chunk = new TextEncoder().encode(fill.padEnd(CHUNK, "x"));
  const counter = { pulled: 0 };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (counter.pulled >= total) return controller.close();
      const part = chunk.subarray(0, Math.min(CHUNK, total - counter.pulled));
      counter.pulled += part.byteLength;
      controller.enqueue(part);
    },
  }, { highWaterMark: 0 });
  return { stream, counter };
}

async function withApp(fn: (t: TestApp) => Promise<void>, env: Record<string, string> = {}) {
  const t = await startTestApp({ env });
  try {
    await fn(t);
  } finally {
    await t.close();
  }
}

async function post(t: TestApp, path: string, body: ReadableStream, headers = {}) {
  return await t.app.request(`http://localhost${path}`, {
    method: "POST",
    body,
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    duplex: "half",
  } as RequestInit);
}

Deno.test("bodyLimit() refuses a 600 MiB form to /, /nope and /pin with 413: declared unread, chunked cut at the cap", async () => {
  await withApp(async (t) => {
    for (const path of ["/", "/nope", "/pin"]) {
      const declared = source(600 * MIB);
      const res = await post(t, path, declared.stream, { "content-length": String(600 * MIB) });
      assert.equal(res.status, 413, path);
      assert.match(await res.text(), /larger than the 64 KiB accepted here/);
      assert.ok(declared.counter.pulled <= CHUNK, `${path}: pulled ${declared.counter.pulled}`);

      const chunked = source(600 * MIB);
      const cut = await post(t, path, chunked.stream);
      assert.equal(cut.status, 413, path);
      assert.match(await cut.text(), /larger than the 64 KiB accepted here/);
      const most = DEFAULT_BODY_BYTES + 2 * CHUNK;
      assert.ok(chunked.counter.pulled <= most, `${path}: pulled ${chunked.counter.pulled}`);
    }
  });
});

Deno.test("bodyLimit() answers htmx with a fragment and the API with a problem document", async () => {
  await withApp(async (t) => {
    const fragment = await post(t, "/pin", source(MIB).stream, { "hx-request": "true" });
    assert.equal(fragment.status, 413);
    assert.match(await fragment.text(), /^<p class="flash error" role="alert">This request is/);
    const problem = await t.app.request("http://localhost/api/v1/auth/token", {
      method: "POST",
      body: source(MIB, '{"a":"').stream,
      headers: { "content-type": "application/json" },
      duplex: "half",
    } as RequestInit);
    assert.equal(problem.status, 413);
    assert.equal(problem.headers.get("content-type"), "application/problem+json");
    assert.equal((await problem.json()).title, "Content Too Large");
  });
});

Deno.test("bodyLimit() lets a normal form through: signing in still works", async () => {
  await withApp(async (t) => {
    const browser = t.client();
    const res = await browser.signIn("admin@example.test", "correct horse battery");
    assert.equal(res.status, 303);
    assert.equal(res.headers.get("location"), "/console");
  });
});

Deno.test("bodyLimit() lets an upload up to FILE_LIMIT_MB through and cuts a chunked one past it", async () => {
  await withApp(async (t) => {
    const tech = await technician(t);
    const { session } = await createPrivateSession(t.deps, tech, {
      method: "pin",
      customerName: "Carol",
      fields: {},
    });
    const customer = t.client();
    await customer.get(`/s/${session.token}`);
    const upload = async (size: number) => {
      const head = new TextEncoder().encode(
        '--b\r\ncontent-disposition: form-data; name="file"; filename="log.bin"\r\n' +
          "content-type: application/octet-stream\r\n\r\n",
      );
      const tail = new TextEncoder().encode("\r\n--b--\r\n");
      const file = source(size, "z");
      const body = new Blob([head]).stream().pipeThrough(
        new TransformStream({
          async flush(controller) {
            for await (const part of file.stream) controller.enqueue(part);
            controller.enqueue(tail);
          },
        }),
      );
      const res = await customer.send(`/s/${session.token}/files`, {
        method: "POST",
        body,
        headers: {
          "content-type": "multipart/form-data; boundary=b",
          "x-csrf-token": customer.csrf,
          "x-requested-with": "XMLHttpRequest",
        },
        duplex: "half",
      } as RequestInit);
      return { status: res.status, text: await res.text(), pulled: file.counter.pulled };
    };
    const fits = await upload(MIB);
    assert.equal(fits.status, 201, fits.text);
    const big = await upload(50 * MIB);
    assert.equal(big.status, 413);
    assert.ok(big.pulled <= MIB + 128 * 1024 + 2 * CHUNK, `pulled ${big.pulled} bytes`);
  }, { FILE_LIMIT_MB: "1" });
});
