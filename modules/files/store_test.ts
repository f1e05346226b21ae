import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join } from "node:path";
import { chunkedStream, randomBytes } from "../../tests/support/bytes.ts";
import { DiskFileStore, FileTooLarge } from "./store.ts";

async function withStore(test: (store: DiskFileStore, root: string) => Promise<void>) {
  const root = await Deno.makeTempDir({ prefix: "rescue-files-" });
  try {
    await test(new DiskFileStore(root), root);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}

async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) out.push(...await listFiles(path));
    else out.push(path);
  }
  return out.sort();
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

Deno.test("DiskFileStore.put() streams to <root>/ab/<sha256> with the right MD5 and SHA-256", async () => {
  await withStore(async (store, root) => {
    const bytes = randomBytes(3 * 1024 * 1024 + 17);
    const stored = await store.put(chunkedStream(bytes), { maxBytes: bytes.length });
    assert.equal(stored.size, bytes.length);
    assert.equal(stored.sha256, createHash("sha256").update(bytes).digest("hex"));
    assert.equal(stored.md5, createHash("md5").update(bytes).digest("hex"));
    assert.deepEqual(await listFiles(root), [
      join(root, stored.sha256.slice(0, 2), stored.sha256),
    ]);
    const opened = await store.open(stored.sha256);
    assert.equal(opened?.size, bytes.length);
    assert.deepEqual(await readAll(opened!.body), bytes);
  });
});

Deno.test("DiskFileStore.put() past maxBytes throws FileTooLarge, stops reading and leaves no file", async () => {
  await withStore(async (store, root) => {
    let pulled = 0;
    let cancelled = false;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += 1;
        controller.enqueue(new Uint8Array(1024).fill(7));
      },
      cancel() {
        cancelled = true;
      },
    });
    await assert.rejects(store.put(endless, { maxBytes: 10_000 }), FileTooLarge);
    assert.ok(cancelled, "the body is cancelled");
    assert.ok(pulled < 20, `reading stopped at the cap (pulled ${pulled} chunks)`);
    assert.deepEqual(await listFiles(root), [], "no temp file or partial file is left");
  });
});

Deno.test("DiskFileStore.put() a body exactly at maxBytes is accepted", async () => {
  await withStore(async (store) => {
    const stored = await store.put(chunkedStream(randomBytes(5000), 1000), { maxBytes: 5000 });
    assert.equal(stored.size, 5000);
  });
});

Deno.test("DiskFileStore.put() stores the same content once", async () => {
  await withStore(async (store, root) => {
    const bytes = randomBytes(200_000);
    const first = await store.put(chunkedStream(bytes), { maxBytes: 1e6 });
    const second = await store.put(chunkedStream(bytes, 999), { maxBytes: 1e6 });
    assert.deepEqual(second, first);
    assert.equal((await listFiles(root)).length, 1);
  });
});

Deno.test("DiskFileStore.put() writes through a temp file: nothing is under the hash until the body ends", async () => {
  await withStore(async (store, root) => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => release = resolve);
    let step = 0;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        step += 1;
        if (step === 1) return controller.enqueue(new Uint8Array(4096).fill(1));
        await gate;
        controller.close();
      },
    });
    const putting = store.put(body, { maxBytes: 1e6 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const during = await listFiles(root);
    assert.equal(during.length, 1);
    assert.match(during[0], /[/\\]tmp[/\\][0-9a-f-]{36}\.part$/, "only a temp file exists");
    release();
    const stored = await putting;
    assert.deepEqual(await listFiles(root), [
      join(root, stored.sha256.slice(0, 2), stored.sha256),
    ]);
  });
});

Deno.test("DiskFileStore.put() a failing body leaves no file", async () => {
  await withStore(async (store, root) => {
    let step = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        step += 1;
        if (step < 3) controller.enqueue(new Uint8Array(1000));
        else controller.error(new Error("connection reset"));
      },
    });
    await assert.rejects(store.put(body, { maxBytes: 1e6 }), /connection reset/);
    assert.deepEqual(await listFiles(root), []);
  });
});

Deno.test("DiskFileStore.open() refuses anything but a SHA-256 and misses cleanly", async () => {
  await withStore(async (store, root) => {
    await Deno.writeTextFile(join(root, "secret"), "x");
    for (const bad of ["../secret", "secret", "../../etc/passwd", "A".repeat(64), ""]) {
      assert.equal(await store.open(bad), undefined, bad);
    }
    assert.equal(await store.open("0".repeat(64)), undefined);
  });
});

Deno.test("DiskFileStore.sweepTemp() deletes temp files older than a day, keeps fresh ones", async () => {
  await withStore(async (store, root) => {
    const tmp = join(root, "tmp");
    await Deno.mkdir(tmp, { recursive: true });
    await Deno.writeTextFile(join(tmp, "old.part"), "crashed upload");
    await Deno.writeTextFile(join(tmp, "new.part"), "arriving upload");
    const twoDaysAgo = new Date(Date.now() - 2 * 24 * 3600 * 1000);
    await Deno.utime(join(tmp, "old.part"), twoDaysAgo, twoDaysAgo);
    await store.sweepTemp();
    assert.deepEqual(await listFiles(root), [join(tmp, "new.part")]);
  });
});
