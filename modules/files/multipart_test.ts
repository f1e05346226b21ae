import assert from "node:assert/strict";
import { multipartBoundary, peekFirstField, readMultipart } from "./multipart.ts";

/** The body `fetch` would send for `form`, re-cut into chunks of `size` bytes. */
async function encoded(form: FormData, size: number) {
  const request = new Request("http://x/", { method: "POST", body: form });
  const bytes = new Uint8Array(await request.arrayBuffer());
  let at = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(at, at + size));
      at += size;
    },
  });
  return { body, boundary: multipartBoundary(request.headers.get("content-type") ?? "")! };
}

function randomBytes(size: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(size);
  for (let at = 0; at < size; at += 65536) crypto.getRandomValues(bytes.subarray(at, at + 65536));
  return bytes;
}

Deno.test("multipartBoundary() reads the boundary of multipart/form-data only", () => {
  assert.equal(multipartBoundary("multipart/form-data; boundary=abc"), "abc");
  assert.equal(multipartBoundary('multipart/form-data; boundary="a b"'), "a b");
  assert.equal(multipartBoundary("application/octet-stream"), undefined);
  assert.equal(multipartBoundary(undefined), undefined);
});

Deno.test("readMultipart() gives the fields before the file and the file's exact bytes, however the body is cut", async () => {
  // Bytes that look like the start of a delimiter, at the end and inside the file.
  const tricky = new TextEncoder().encode("\r\n--\r\n-\r\n--not the boundary\r\n");
  const bytes = new Uint8Array([...randomBytes(300_000), ...tricky, ...randomBytes(1000), 13, 10]);
  for (const size of [1, 7, 1000, 65536, 1 << 20]) {
    const form = new FormData();
    form.set("_csrf", "token-123");
    form.set("note", "héllo\r\nworld");
    form.set("file", new File([bytes], 'dir/na"me\n.bin', { type: "application/zip" }));
    form.set("after", "ignored");
    const { body, boundary } = await encoded(form, size);
    const upload = await readMultipart(body, boundary);
    assert.deepEqual(upload.fields, { _csrf: "token-123", note: "héllo\r\nworld" });
    assert.equal(upload.file?.field, "file");
    assert.equal(upload.file?.name, 'dir/na"me\n.bin');
    assert.equal(upload.file?.type, "application/zip");
    const got = new Uint8Array(await new Response(upload.file!.body).arrayBuffer());
    assert.equal(got.length, bytes.length, `chunk size ${size}`);
    assert.deepEqual(got, bytes, `chunk size ${size}`);
  }
});

Deno.test("readMultipart() without a file part returns the fields only; an empty file is empty", async () => {
  const form = new FormData();
  form.set("a", "1");
  let { body, boundary } = await encoded(form, 5);
  assert.deepEqual(await readMultipart(body, boundary), { fields: { a: "1" } });

  const empty = new FormData();
  empty.set("file", new File([], ""));
  ({ body, boundary } = await encoded(empty, 5));
  const upload = await readMultipart(body, boundary);
  assert.equal(upload.file?.name, "");
  assert.equal((await new Response(upload.file!.body).arrayBuffer()).byteLength, 0);
});

Deno.test("readMultipart() refuses a truncated or endless-header body", async () => {
  const form = new FormData();
  form.set("file", new File([randomBytes(5000)], "x.bin"));
  const request = new Request("http://x/", { method: "POST", body: form });
  const boundary = multipartBoundary(request.headers.get("content-type")!)!;
  const whole = new Uint8Array(await request.arrayBuffer());
  const cut = ReadableStream.from([whole.slice(0, 3000)]);
  const upload = await readMultipart(cut, boundary);
  await assert.rejects(new Response(upload.file!.body).arrayBuffer(), /ended inside the file/);

  const header = new TextEncoder().encode(`--${boundary}\r\nX: ${"a".repeat(40_000)}`);
  await assert.rejects(readMultipart(ReadableStream.from([header]), boundary), SyntaxError);
  await assert.rejects(readMultipart(ReadableStream.from([]), boundary), SyntaxError);
});

Deno.test("peekFirstField() reads a leading field from the first bytes and replays the whole body", async () => {
  const bytes = randomBytes(2_000_000);
  const form = new FormData();
  form.set("_csrf", "tok");
  form.set("file", new File([bytes], "a.bin"));
  const request = new Request("http://x/", { method: "POST", body: form });
  const whole = new Uint8Array(await new Request(request.clone()).arrayBuffer());
  const boundary = multipartBoundary(request.headers.get("content-type")!)!;
  let pulled = 0;
  const source = request.body!.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        pulled += chunk.length;
        controller.enqueue(chunk);
      },
    }),
  );
  const peeked = await peekFirstField(source, boundary, "_csrf");
  assert.equal(peeked.value, "tok");
  assert.ok(pulled < 200_000, `only the first bytes were read (${pulled})`);
  assert.deepEqual(new Uint8Array(await new Response(peeked.body).arrayBuffer()), whole);

  const other = new FormData();
  other.set("file", new File(["x"], "a.txt"));
  other.set("_csrf", "late");
  const late = new Request("http://x/", { method: "POST", body: other });
  const b2 = multipartBoundary(late.headers.get("content-type")!)!;
  assert.equal((await peekFirstField(late.body!, b2, "_csrf")).value, undefined);
});
