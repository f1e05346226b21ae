// The agent's transfers against a stand-in data endpoint: a download cut in the middle
// resumes from the byte received and ends with the whole file's SHA-256; an upload cut in
// the middle resumes from the agent's offset (also after an agent restart) and appears under
// its real name only on a matching hash; a wrong hash keeps nothing; abandoned temporary
// files are swept; text is saved only over the version it was read from.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { OpFailure } from "../ops/mod.ts";
import { concat, downloadParams, fileTestKit, newTicket } from "./test_support.ts";

function sha(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

function randomBytes(size: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let at = 0; at < size; at += 65536) {
    crypto.getRandomValues(out.subarray(at, Math.min(size, at + 65536)));
  }
  return out;
}

async function fails(promise: Promise<unknown>, code: string) {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof OpFailure, String(error));
    // The stand-in answers a cut download with an error status: refused or broken, both stop.
    const seen = error.code === "leg_refused" ? "leg_broken" : error.code;
    assert.equal(seen, code, error.message);
    return true;
  });
}

Deno.test("download: cut after 3 MiB, resumed from there, whole file and its SHA-256", async () => {
  const kit = await fileTestKit();
  try {
    const source = randomBytes(20 * 1024 * 1024 + 123);
    await Deno.writeFile(`${kit.root}/big.bin`, source);
    const opened = await kit.call("files.open", downloadParams(`${kit.root}/big.bin`));
    assert.equal(opened.size, source.byteLength);
    const first = newTicket();
    const cut = kit.acceptPush(first, 3 * 1024 * 1024);
    await fails(kit.call("files.send", { id: opened.id, ticket: first, from: 0 }), "leg_broken");
    await cut.done;
    const head = concat(cut.received);
    assert.equal(head.byteLength, 3 * 1024 * 1024);
    // Resumed from what arrived: the rest, and the hash of the whole file.
    const second = newTicket();
    const rest = kit.acceptPush(second);
    const events: unknown[] = [];
    const done = await kit.call("files.send", {
      id: opened.id,
      ticket: second,
      from: head.byteLength,
    }, {
      events,
    });
    await rest.done;
    const whole = concat([head, ...rest.received]);
    assert.equal(sha(whole), sha(source));
    assert.equal(done.sha256, sha(source));
    assert.equal(done.done, true);
    assert.ok(events.length > 0, "progress events");
    // A file that changes afterwards is refused on a further resume.
    await Deno.writeFile(`${kit.root}/big.bin`, new Uint8Array(10));
    const third = newTicket();
    kit.acceptPush(third);
    await fails(kit.call("files.send", { id: opened.id, ticket: third, from: 0 }), "changed");
  } finally {
    await kit.close();
  }
});

Deno.test("upload: cut, resumed at the agent's offset, real name only after the hash", async () => {
  const kit = await fileTestKit();
  try {
    const source = randomBytes(9 * 1024 * 1024 + 7);
    const opened = await kit.openUpload(kit.root, "setup.bin", source.byteLength);
    assert.equal(opened.offset, 0);
    const first = newTicket();
    kit.servePull(first, source, 4 * 1024 * 1024 + 5);
    await fails(kit.call("files.receive", { id: opened.id, ticket: first, from: 0 }), "leg_broken");
    // Nothing under the real name; the temporary file holds what arrived.
    assert.deepEqual(await kit.names(kit.root), [`.rescue-${opened.id}.part`]);
    const again = await kit.openUpload(kit.root, "setup.bin", source.byteLength, { id: opened.id });
    assert.equal(again.offset, 4 * 1024 * 1024 + 5);
    // Data from anywhere else is refused.
    await fails(
      kit.call("files.receive", { id: opened.id, ticket: newTicket(), from: 0 }),
      "offset",
    );
    const second = newTicket();
    kit.servePull(second, source.subarray(again.offset));
    const received = await kit.call("files.receive", {
      id: opened.id,
      ticket: second,
      from: again.offset,
    });
    assert.equal(received.offset, source.byteLength);
    assert.equal(received.done, false);
    assert.deepEqual(await kit.names(kit.root), [`.rescue-${opened.id}.part`]);
    const committed = await kit.call("files.commit", { id: opened.id, sha256: sha(source) });
    assert.equal(committed.done, true);
    assert.equal(committed.sha256, sha(source));
    assert.deepEqual(await kit.names(kit.root), ["setup.bin"]);
    assert.equal(sha(await Deno.readFile(`${kit.root}/setup.bin`)), sha(source));
  } finally {
    await kit.close();
  }
});

Deno.test("upload: a wrong SHA-256 keeps nothing; an existing name is not replaced", async () => {
  const kit = await fileTestKit();
  try {
    const source = randomBytes(100_000);
    const opened = await kit.openUpload(kit.root, "a.bin", source.byteLength, {
      sha256: "0".repeat(64),
    });
    const ticket = newTicket();
    kit.servePull(ticket, source);
    await fails(
      kit.call("files.receive", { id: opened.id, ticket, from: 0 }),
      "hash_mismatch",
    );
    assert.deepEqual(await kit.names(kit.root), []);
    await Deno.writeTextFile(`${kit.root}/taken.txt`, "mine");
    await fails(kit.openUpload(kit.root, "taken.txt", 3), "exists");
    // With overwrite, and the hash given at open: committed on the last byte.
    const replace = await kit.openUpload(kit.root, "taken.txt", 3, {
      overwrite: true,
      sha256: sha(new TextEncoder().encode("new")),
    });
    const t2 = newTicket();
    kit.servePull(t2, new TextEncoder().encode("new"));
    const done = await kit.call("files.receive", { id: replace.id, ticket: t2, from: 0 });
    assert.equal(done.done, true);
    assert.equal(await Deno.readTextFile(`${kit.root}/taken.txt`), "new");
    assert.deepEqual(await kit.names(kit.root), ["taken.txt"]);
  } finally {
    await kit.close();
  }
});

Deno.test("upload: resumes after an agent restart; abandoned temporary files are swept", async () => {
  const kit = await fileTestKit();
  try {
    const source = randomBytes(3 * 1024 * 1024);
    const opened = await kit.openUpload(kit.root, "r.bin", source.byteLength);
    const first = newTicket();
    kit.servePull(first, source, 1024 * 1024);
    await fails(kit.call("files.receive", { id: opened.id, ticket: first, from: 0 }), "leg_broken");
    kit.restart();
    const again = await kit.openUpload(kit.root, "r.bin", source.byteLength, { id: opened.id });
    assert.equal(again.offset, 1024 * 1024);
    const second = newTicket();
    kit.servePull(second, source.subarray(again.offset));
    await kit.call("files.receive", { id: opened.id, ticket: second, from: again.offset });
    await kit.call("files.commit", { id: opened.id, sha256: sha(source) });
    assert.equal(sha(await Deno.readFile(`${kit.root}/r.bin`)), sha(source));

    const left = await kit.openUpload(kit.root, "left.bin", 10);
    assert.ok((await kit.names(kit.root)).includes(`.rescue-${left.id}.part`));
    // A run a day and a bit later removes it (its record is older than a day).
    const later = Date.now() + 25 * 60 * 60 * 1000;
    kit.restart(() => later);
    for (let i = 0; i < 100 && (await kit.names(kit.root)).length > 1; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.deepEqual(await kit.names(kit.root), ["r.bin"]);
  } finally {
    await kit.close();
  }
});

Deno.test("cancel removes an upload's temporary file", async () => {
  const kit = await fileTestKit();
  try {
    const opened = await kit.openUpload(kit.root, "c.bin", 10);
    assert.equal((await kit.names(kit.root)).length, 1);
    assert.deepEqual(await kit.call("files.cancel", { id: opened.id }), {
      id: opened.id,
      removed: true,
    });
    assert.deepEqual(await kit.names(kit.root), []);
  } finally {
    await kit.close();
  }
});

Deno.test("text: saved over the version it was read from only; never half written", async () => {
  const kit = await fileTestKit();
  try {
    const path = `${kit.root}/hosts.txt`;
    await Deno.writeTextFile(path, "one\n");
    await Deno.chmod(path, 0o640);
    const read = await kit.call("files.readText", { path });
    assert.equal(read.text, "one\n");
    const saved = await kit.call("files.writeText", {
      path,
      text: "two\n",
      expectSha256: read.sha256,
    });
    assert.equal(await Deno.readTextFile(path), "two\n");
    assert.equal(((await Deno.stat(path)).mode ?? 0) & 0o777, 0o640);
    // Saving again with the old hash: someone changed it meanwhile.
    await fails(
      kit.call("files.writeText", { path, text: "three\n", expectSha256: read.sha256 }),
      "changed",
    );
    assert.equal(await Deno.readTextFile(path), "two\n");
    await fails(kit.call("files.writeText", { path, text: "x", expectSha256: null }), "exists");
    await kit.call("files.writeText", {
      path: `${kit.root}/new.txt`,
      text: "n",
      expectSha256: null,
    });
    assert.deepEqual(await kit.names(kit.root), ["hosts.txt", "new.txt"]);
    assert.equal(saved.sha256, sha(new TextEncoder().encode("two\n")));
    await Deno.writeFile(`${kit.root}/bin`, new Uint8Array([0xff, 0xfe, 0]));
    await fails(kit.call("files.readText", { path: `${kit.root}/bin` }), "not_text");
  } finally {
    await kit.close();
  }
});

Deno.test("delete: to the freedesktop trash with its .trashinfo; permanent on request", async () => {
  const kit = await fileTestKit();
  try {
    // The home trash is on the same file system as the temporary folder here.
    const home = await Deno.stat(kit.home);
    const root = await Deno.stat(kit.root);
    if (home.dev !== root.dev) return;
    await Deno.writeTextFile(`${kit.root}/old log.txt`, "bye");
    await Deno.mkdir(`${kit.root}/dir`);
    const result = await kit.call("files.delete", {
      paths: [`${kit.root}/old log.txt`, `${kit.root}/dir`, `${kit.root}/missing`],
      permanent: false,
    });
    assert.deepEqual(result.deleted.map((d) => d.trashed), [true, true]);
    assert.deepEqual(result.failures.map((f) => f.code), ["not_found"]);
    const trash = `${kit.home}/.local/share/Trash`;
    assert.equal(await Deno.readTextFile(`${trash}/files/old log.txt`), "bye");
    const info = await Deno.readTextFile(`${trash}/info/old log.txt.trashinfo`);
    assert.match(info, /^\[Trash Info\]\nPath=.*\/old%20log\.txt\nDeletionDate=\d{4}-\d\d-\d\dT/);
    // The same name again gets a free one.
    await Deno.writeTextFile(`${kit.root}/old log.txt`, "again");
    await kit.call("files.delete", { paths: [`${kit.root}/old log.txt`], permanent: false });
    assert.equal(await Deno.readTextFile(`${trash}/files/old log.txt.2`), "again");
    assert.deepEqual(await kit.names(kit.root), []);
  } finally {
    await kit.close();
  }
});
