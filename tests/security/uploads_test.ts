// Issue 11 item 6 and the per-session quota: session files stream to a content-addressed
// store under DATA_DIR/files — never through the database as one big value — with the size
// cap enforced while streaming, a customer's quota per session, file names that never become
// paths, and a Content-Disposition that survives any name. Runs on PGlite and PostgreSQL.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { join, resolve } from "node:path";
import { eq } from "drizzle-orm";
import type { CurrentUser } from "../../modules/http/mod.ts";
import { readLog, type SupportSession } from "../../modules/support/mod.ts";
import { CUSTOMER_FILES_MAX, sessionFiles } from "../../modules/support/test_support.ts";
import { startTestApp, type TestApp, type TestClient } from "../support/app.ts";
import { chunkedStream, randomBytes } from "../support/bytes.ts";
import { TECH_PASSWORD } from "../support/org.ts";
import { technician, workingSession } from "../support/sessions.ts";

const MB = 1024 * 1024;

interface Desk {
  t: TestApp;
  tech: TestClient;
  user: CurrentUser;
  customer: TestClient;
  session: SupportSession;
  workspace: string;
}

/** A technician working a PIN session (signed in), and the customer on its link. */
async function desk(env: Record<string, string> = {}): Promise<Desk> {
  const t = await startTestApp({ env });
  const user = await technician(t);
  const tech = t.client();
  await tech.signIn(user.email, TECH_PASSWORD);
  const session = await workingSession(t, user, "pin");
  const customer = t.client();
  await customer.get(`/s/${session.token}`);
  const workspace = `/console/sessions/${session.id}`;
  await tech.get(workspace);
  return { t, tech, user, customer, session, workspace };
}

/** What static/customer.js sends: the raw file, named in X-File-Name. */
async function customerUpload(
  d: Desk,
  name: string,
  body: Uint8Array | ReadableStream<Uint8Array>,
): Promise<Response> {
  return await d.customer.send(`/s/${d.session.token}/files`, {
    method: "POST",
    body: body as BodyInit,
    headers: {
      "x-csrf-token": d.customer.csrf,
      "x-requested-with": "XMLHttpRequest",
      "x-file-name": encodeURIComponent(name),
      "content-type": "application/octet-stream",
    },
  });
}

/** What static/workspace.js sends. */
async function technicianUpload(d: Desk, name: string, body: Uint8Array): Promise<Response> {
  return await d.tech.send(`${d.workspace}/files`, {
    method: "POST",
    body: body as BodyInit,
    headers: {
      "hx-request": "true",
      "x-csrf-token": d.tech.csrf,
      "x-file-name": encodeURIComponent(name),
      "content-type": "text/plain",
    },
  });
}

async function fileRows(d: Desk) {
  return await d.t.deps.db.select().from(sessionFiles)
    .where(eq(sessionFiles.sessionId, d.session.id));
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  try {
    for await (const entry of Deno.readDir(dir)) {
      const path = join(dir, entry.name);
      if (entry.isDirectory) out.push(...await filesUnder(path));
      else out.push(path);
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return out.sort();
}

const filesDir = (d: Desk) => join(d.t.deps.config.dataDir, "files");
const hex = (algorithm: string, bytes: Uint8Array) =>
  createHash(algorithm).update(bytes).digest("hex");

Deno.test("a customer's 3 MB upload goes to DATA_DIR/files/ab/<sha256>, not the database; the technician downloads the same bytes", async () => {
  const d = await desk();
  try {
    const bytes = randomBytes(3 * MB + 123);
    const res = await customerUpload(d, "disk image.bin", chunkedStream(bytes, 256 * 1024));
    assert.equal(res.status, 201, await res.clone().text());
    const [row] = await fileRows(d);
    assert.equal(row.content, null, "no bytes in the database");
    assert.equal(row.size, bytes.length);
    assert.equal(row.sha256, hex("sha256", bytes));
    assert.equal(row.md5, hex("md5", bytes));
    assert.equal(row.name, "disk image.bin");
    assert.deepEqual(await filesUnder(filesDir(d)), [
      join(filesDir(d), row.sha256.slice(0, 2), row.sha256),
    ], "one file under its hash, no temp file left");
    const [line] = (await readLog(d.t.deps.db, d.session.id)).filter((l) => l.kind === "file");
    assert.equal(line.data.sha256, row.sha256);

    const download = await d.tech.get(`${d.workspace}/files/${row.id}`);
    assert.equal(download.status, 200);
    assert.equal(download.headers.get("content-length"), String(bytes.length));
    assert.deepEqual(new Uint8Array(await download.arrayBuffer()), bytes);
  } finally {
    await d.t.close();
  }
});

Deno.test("a technician's upload (raw body) reaches the customer byte for byte", async () => {
  const d = await desk();
  try {
    const bytes = new TextEncoder().encode("Restart-Service Spooler\n".repeat(5000));
    const res = await technicianUpload(d, "fix é.ps1", bytes);
    assert.equal(res.status, 204, await res.clone().text());
    const [row] = await fileRows(d);
    assert.equal(row.direction, "to_customer");
    assert.equal(row.content, null);
    const download = await d.customer.get(`/s/${d.session.token}/files/${row.id}`);
    assert.equal(download.status, 200);
    assert.equal(download.headers.get("content-length"), String(bytes.length));
    assert.match(
      download.headers.get("content-disposition")!,
      /filename\*=UTF-8''fix%20%C3%A9\.ps1$/,
    );
    assert.deepEqual(new Uint8Array(await download.arrayBuffer()), bytes);
    assert.equal(hex("sha256", bytes), row.sha256);
  } finally {
    await d.t.close();
  }
});

Deno.test("an upload past FILE_LIMIT_MB without Content-Length is a 413 and leaves nothing, no temp file", async () => {
  const d = await desk({ FILE_LIMIT_MB: "1" });
  try {
    let pulled = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += 64 * 1024;
        controller.enqueue(new Uint8Array(64 * 1024));
      },
    });
    const res = await customerUpload(d, "endless.bin", endless);
    assert.equal(res.status, 413);
    assert.match(await res.text(), /too large/);
    assert.ok(pulled < 3 * MB, `reading stopped near the cap (${pulled} bytes pulled)`);
    assert.equal((await fileRows(d)).length, 0);
    assert.deepEqual(await filesUnder(filesDir(d)), []);

    const tech = await technicianUpload(d, "big.txt", new Uint8Array(MB + 1));
    assert.equal(tech.status, 413);
    assert.equal((await fileRows(d)).length, 0);
  } finally {
    await d.t.close();
  }
});

Deno.test("a customer link has a quota per session: file count and total bytes, with a clear message", async () => {
  const d = await desk({ FILE_LIMIT_MB: "1" });
  try {
    // Total: 10 × FILE_LIMIT_MB. Nine full files and one half leave half a megabyte.
    for (let i = 0; i < 9; i++) {
      assert.equal((await customerUpload(d, `part${i}.bin`, randomBytes(MB))).status, 201);
    }
    assert.equal((await customerUpload(d, "half.bin", randomBytes(MB / 2))).status, 201);
    const over = await customerUpload(
      d,
      "one more.bin",
      chunkedStream(randomBytes(MB), 256 * 1024),
    );
    assert.equal(over.status, 413);
    assert.match(await over.text(), /No more files can be sent in this session.*10 MB/);
    assert.equal((await fileRows(d)).length, 10);
    assert.equal((await filesUnder(filesDir(d))).length, 10, "the refused file left nothing");
    const fits = await customerUpload(d, "fits.bin", randomBytes(MB / 2));
    assert.equal(fits.status, 201, "what is left of the quota can still be used");
    const full = await customerUpload(d, "tiny.txt", new Uint8Array([1]));
    assert.equal(full.status, 413);

    // The technician is not bound by the customer's quota.
    assert.equal((await technicianUpload(d, "tool.txt", randomBytes(1000))).status, 204);
  } finally {
    await d.t.close();
  }
  const e = await desk();
  try {
    for (let i = 0; i < CUSTOMER_FILES_MAX; i++) {
      assert.equal((await customerUpload(e, `note${i}.txt`, randomBytes(100))).status, 201);
    }
    const res = await customerUpload(e, "one too many.txt", randomBytes(100));
    assert.equal(res.status, 413);
    assert.match(await res.text(), /No more files can be sent in this session: 20 files/);
    assert.equal((await fileRows(e)).length, CUSTOMER_FILES_MAX);
  } finally {
    await e.t.close();
  }
});

Deno.test("rows from before the file store (bytes in the database) still download on both sides", async () => {
  const d = await desk();
  try {
    const mine = new TextEncoder().encode("old customer upload");
    const theirs = new TextEncoder().encode("old technician file");
    const [fromCustomer, toCustomer] = await d.t.deps.db.insert(sessionFiles).values([
      { bytes: mine, direction: "to_technician" as const, name: "old.log" },
      { bytes: theirs, direction: "to_customer" as const, name: "old fix.txt" },
    ].map(({ bytes, direction, name }) => ({
      sessionId: d.session.id,
      direction,
      name,
      contentType: "text/plain",
      size: bytes.length,
      md5: hex("md5", bytes),
      sha256: hex("sha256", bytes),
      content: bytes,
      createdAt: d.t.clock.now(),
    }))).returning();
    const a = await d.tech.get(`${d.workspace}/files/${fromCustomer.id}`);
    assert.equal(a.status, 200);
    assert.equal(a.headers.get("content-length"), String(mine.length));
    assert.deepEqual(new Uint8Array(await a.arrayBuffer()), mine);
    const b = await d.customer.get(`/s/${d.session.token}/files/${toCustomer.id}`);
    assert.equal(b.status, 200);
    assert.deepEqual(new Uint8Array(await b.arrayBuffer()), theirs);
    assert.deepEqual(await filesUnder(filesDir(d)), [], "nothing was moved or written");
  } finally {
    await d.t.close();
  }
});

Deno.test("hostile file names never become paths and download with a safe Content-Disposition", async () => {
  const d = await desk();
  try {
    const names = [
      "../../../../escaped.txt",
      "..\\..\\escaped.txt",
      'quote"; filename="evil.exe',
      "line\r\nSet-Cookie: stolen=1",
      "日本語 ünïcödé.txt",
      "/etc/passwd",
    ];
    for (const [i, name] of names.entries()) {
      const bytes = new TextEncoder().encode(`payload ${i}`);
      assert.equal((await technicianUpload(d, name, bytes)).status, 204, name);
    }
    // The no-JavaScript form (multipart) with a hostile part name, too.
    const form = new FormData();
    form.set("_csrf", d.tech.csrf);
    form.set("file", new File(["plain form"], "../../plain\nform.txt"));
    assert.equal(
      (await d.tech.send(`${d.workspace}/files`, { method: "POST", body: form })).status,
      303,
    );

    const dataDir = resolve(d.t.deps.config.dataDir);
    for (const path of await filesUnder(dataDir)) {
      if (path === join(dataDir, "secrets.json")) continue;
      assert.match(path, /[/\\]files[/\\][0-9a-f]{2}[/\\][0-9a-f]{64}$/, "only hashes as names");
    }
    for (const dir of [dataDir, resolve(dataDir, ".."), resolve(dataDir, "../.."), Deno.cwd()]) {
      for (const name of ["escaped.txt", "evil.exe", "plain"]) {
        assert.equal(await Deno.stat(join(dir, name)).catch(() => null), null, join(dir, name));
      }
    }
    const rows = await fileRows(d);
    assert.equal(rows.length, names.length + 1);
    for (const row of rows) {
      assert.doesNotMatch(row.name, /[/\\\r\n]|^\./, `stored name is a label: ${row.name}`);
      const res = await d.customer.get(`/s/${d.session.token}/files/${row.id}`);
      assert.equal(res.status, 200);
      const value = res.headers.get("content-disposition")!;
      assert.match(
        value,
        /^attachment; filename="[\x20\x21\x23-\x5b\x5d-\x7e]*"; filename\*=UTF-8''[A-Za-z0-9!#$&+\-.^_`|~%]*$/,
      );
      assert.equal(res.headers.get("set-cookie"), null);
      await res.body?.cancel();
    }
    const unicode = rows.find((r) => r.name.startsWith("日本語"))!;
    const res = await d.customer.get(`/s/${d.session.token}/files/${unicode.id}`);
    const encoded = res.headers.get("content-disposition")!.split("UTF-8''")[1];
    assert.equal(decodeURIComponent(encoded), "日本語 ünïcödé.txt");
    await res.body?.cancel();
  } finally {
    await d.t.close();
  }
});

/** Waits until a temp file under DATA_DIR/files/tmp holds bytes, while the body is still open. */
async function partWritten(d: Desk): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    for (const path of await filesUnder(join(filesDir(d), "tmp"))) {
      if ((await Deno.stat(path)).size > 0) return true;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

Deno.test("uploads stream to disk while the body still arrives: raw (scripts) and multipart (plain form, _csrf first)", async () => {
  const d = await desk();
  try {
    const form = new FormData();
    form.set("_csrf", d.customer.csrf);
    form.set("file", new File([randomBytes(2 * MB)], "plain.bin"));
    const encoded = new Request("http://x/", { method: "POST", body: form });
    const contentType = encoded.headers.get("content-type")!;
    const whole = new Uint8Array(await encoded.arrayBuffer());
    const raw = randomBytes(2 * MB);
    for (const plain of [true, false]) {
      const bytes = plain ? whole : raw;
      let release!: () => void;
      const gate = new Promise<void>((r) => release = r);
      let step = 0;
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          step += 1;
          if (step === 1) return controller.enqueue(bytes.slice(0, MB));
          await gate;
          controller.enqueue(bytes.slice(MB));
          controller.close();
        },
      });
      const headers: Record<string, string> = plain ? { "content-type": contentType } : {
        "x-csrf-token": d.customer.csrf,
        "x-file-name": "raw.bin",
        "content-type": "application/octet-stream",
      };
      const sending = d.customer.send(`/s/${d.session.token}/files`, {
        method: "POST",
        body,
        headers,
      });
      assert.ok(
        await partWritten(d),
        `${plain ? "multipart" : "raw"}: bytes on disk before the end`,
      );
      release();
      const res = await sending;
      assert.equal(res.status, 303, await res.clone().text());
    }
    const rows = await fileRows(d);
    assert.deepEqual(rows.map((r) => r.name).sort(), ["plain.bin", "raw.bin"]);
    assert.equal(rows.find((r) => r.name === "raw.bin")!.sha256, hex("sha256", raw));
  } finally {
    await d.t.close();
  }
});
