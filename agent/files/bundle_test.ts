// Bundles: a tree goes out as one stream (folders first, each file with its SHA-256, links
// and FIFOs left out as failures) and comes back in elsewhere identical; a hostile entry path
// is refused without writing outside the target; a cut upload resumes at the entry reached.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import {
  bundleEnd,
  bundleEntry,
  type BundleEvent,
  BundleReader,
  toHex,
} from "../../protocol/files_bundle.ts";
import { concat, downloadParams, fileTestKit, newId, newTicket } from "./test_support.ts";

function sha(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(createHash("sha256").update(bytes).digest());
}

function events(bytes: Uint8Array, chunk = 1000): BundleEvent[] {
  const reader = new BundleReader();
  const out: BundleEvent[] = [];
  for (let at = 0; at < bytes.byteLength; at += chunk) {
    // Copies: data events are views into the pushed chunk.
    for (const e of reader.push(bytes.slice(at, at + chunk))) {
      out.push(e.kind === "data" ? { kind: "data", bytes: e.bytes.slice() } : e);
    }
  }
  return out;
}

function fileRecord(path: string, content: Uint8Array): Uint8Array[] {
  return [
    bundleEntry({ path, type: "file", size: content.byteLength, mtime: null, mode: null }),
    content,
    sha(content),
  ];
}

async function tree(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string, prefix: string) => {
    const names: string[] = [];
    for await (const item of Deno.readDir(dir)) names.push(item.name);
    for (const name of names.sort()) {
      const info = await Deno.lstat(`${dir}/${name}`);
      const rel = prefix + name;
      if (info.isDirectory) {
        out.push(`${rel}/`);
        await walk(`${dir}/${name}`, `${rel}/`);
      } else if (info.isFile) {
        out.push(`${rel}:${toHex(sha(await Deno.readFile(`${dir}/${name}`)))}`);
      }
    }
  };
  await walk(root, "");
  return out;
}

Deno.test("bundle: a tree out and back in elsewhere, hashes checked per file", async () => {
  const kit = await fileTestKit();
  try {
    const src = `${kit.root}/src`;
    await Deno.mkdir(`${src}/app/node_modules/a`, { recursive: true });
    for (let i = 0; i < 200; i++) {
      await Deno.writeTextFile(`${src}/app/node_modules/a/f${i}.js`, `export const n = ${i};\n`);
    }
    const big = crypto.getRandomValues(new Uint8Array(60_000));
    const huge = new Uint8Array(3 * 1024 * 1024).map((_, i) => i % 251);
    await Deno.writeFile(`${src}/app/big.bin`, big);
    await Deno.writeFile(`${src}/app/huge.bin`, huge);
    await Deno.writeFile(`${src}/app/empty`, new Uint8Array());
    await Deno.symlink("/etc", `${src}/app/link`);
    await new Deno.Command("mkfifo", { args: [`${src}/app/fifo`] }).output();
    const opened = await kit.call(
      "files.open",
      downloadParams(src, { mode: "bundle", names: ["app"] }),
    );
    assert.equal(opened.entries, 3 + 203);
    assert.deepEqual(opened.failures.map((f) => f.code).sort(), ["link", "special"]);
    const ticket = newTicket();
    const served = kit.acceptPush(ticket);
    await kit.call("files.send", { id: opened.id, ticket, from: 0 });
    await served.done;
    const stream = concat(served.received);
    // Every file's bytes match the hash that follows them.
    let current: Uint8Array[] = [];
    let files = 0;
    let end = null;
    for (const e of events(stream, 4096)) {
      if (e.kind === "entry") current = [];
      if (e.kind === "data") current.push(e.bytes);
      if (e.kind === "hash") {
        assert.deepEqual(e.sha256, sha(concat(current)));
        files++;
      }
      if (e.kind === "end") end = e.summary;
    }
    assert.equal(files, 203);
    assert.deepEqual(end, { entries: 206, bytes: opened.size });

    // In again, into another folder: the same tree.
    await Deno.mkdir(`${kit.root}/dst`);
    const up = await kit.call("files.open", {
      id: newId("c"),
      direction: "upload",
      mode: "bundle",
      path: `${kit.root}/dst`,
      names: [],
      name: null,
      size: null,
      mtime: null,
      sha256: null,
      overwrite: false,
      hidden: false,
    });
    const back = newTicket();
    kit.servePull(back, stream);
    const result = await kit.call("files.receive", { id: up.id, ticket: back, from: 0 });
    assert.equal(result.done, true);
    assert.equal(result.entries, 206);
    assert.deepEqual(result.failures, []);
    const original = await tree(src);
    assert.equal(original.length, 206);
    assert.deepEqual(await tree(`${kit.root}/dst`), original);
  } finally {
    await kit.close();
  }
});

Deno.test("bundle: hostile paths and damaged files are refused, the rest is written", async () => {
  const kit = await fileTestKit();
  try {
    await Deno.mkdir(`${kit.root}/dst`);
    await Deno.symlink(kit.root, `${kit.root}/dst/escape`);
    const good = new TextEncoder().encode("good");
    const body = concat([
      ...fileRecord("../outside.txt", good),
      ...fileRecord("/etc/evil", good),
      ...fileRecord("escape/through-link.txt", good),
      bundleEntry({ path: "damaged.txt", type: "file", size: 4, mtime: null, mode: null }),
      good,
      sha(new TextEncoder().encode("evil")),
      ...fileRecord("ok/fine.txt", good),
      bundleEnd({ entries: 5, bytes: 20 }),
    ]);
    const up = await kit.call("files.open", {
      id: newId("h"),
      direction: "upload",
      mode: "bundle",
      path: `${kit.root}/dst`,
      names: [],
      name: null,
      size: null,
      mtime: null,
      sha256: null,
      overwrite: false,
      hidden: false,
    });
    const ticket = newTicket();
    kit.servePull(ticket, body);
    const result = await kit.call("files.receive", { id: up.id, ticket, from: 0 });
    assert.equal(result.entries, 5);
    assert.deepEqual(result.failures.map((f) => f.code), [
      "unsafe_path",
      "invalid_name",
      "unsafe_path",
      "hash_mismatch",
    ]);
    assert.deepEqual(await kit.names(kit.root), ["dst"]);
    assert.deepEqual(await kit.names(`${kit.root}/dst`), ["escape", "ok"]);
    assert.equal(await Deno.readTextFile(`${kit.root}/dst/ok/fine.txt`), "good");
  } finally {
    await kit.close();
  }
});

Deno.test("bundle: a name sent twice into a folder the upload made keeps the first", async () => {
  const kit = await fileTestKit();
  try {
    await Deno.mkdir(`${kit.root}/dst`);
    const enc = (text: string) => new TextEncoder().encode(text);
    const body = concat([
      ...fileRecord("new/a.txt", enc("first")),
      ...fileRecord("new/a.txt", enc("second")),
      bundleEnd({ entries: 2, bytes: 11 }),
    ]);
    const up = await kit.call("files.open", await reopen(newId("d"), `${kit.root}/dst`));
    const ticket = newTicket();
    kit.servePull(ticket, body);
    const result = await kit.call("files.receive", { id: up.id, ticket, from: 0 });
    assert.deepEqual(result.failures.map((f) => f.code), ["exists"]);
    assert.deepEqual(await kit.names(`${kit.root}/dst/new`), ["a.txt"]);
    assert.equal(await Deno.readTextFile(`${kit.root}/dst/new/a.txt`), "first");
  } finally {
    await kit.close();
  }
});

Deno.test("bundle: a cut upload resumes at the entry the agent reached", async () => {
  const kit = await fileTestKit();
  try {
    await Deno.mkdir(`${kit.root}/dst`);
    const contents = Array.from({ length: 50 }, (_, i) => new Uint8Array(10_000).fill(i));
    const records = contents.map((c, i) => concat(fileRecord(`f${i}.bin`, c)));
    const up = await kit.call("files.open", {
      id: newId("r"),
      direction: "upload",
      mode: "bundle",
      path: `${kit.root}/dst`,
      names: [],
      name: null,
      size: null,
      mtime: null,
      sha256: null,
      overwrite: false,
      hidden: false,
    });
    const first = newTicket();
    // Cut in the middle of entry 20.
    kit.servePull(first, concat(records), 20 * records[0].byteLength + 5000);
    await assert.rejects(kit.call("files.receive", { id: up.id, ticket: first, from: 0 }));
    const again = await kit.call("files.open", { ...(await reopen(up.id, `${kit.root}/dst`)) });
    assert.equal(again.entries, 20);
    assert.equal((await kit.names(`${kit.root}/dst`)).length, 20, "no partial entry left");
    const second = newTicket();
    kit.servePull(second, concat([...records.slice(20), bundleEnd({ entries: 50, bytes: 0 })]));
    const done = await kit.call("files.receive", { id: up.id, ticket: second, from: 20 });
    assert.equal(done.done, true);
    const names = await kit.names(`${kit.root}/dst`);
    assert.equal(names.length, 50);
    for (let i = 0; i < 50; i++) {
      assert.deepEqual(await Deno.readFile(`${kit.root}/dst/f${i}.bin`), contents[i]);
    }
  } finally {
    await kit.close();
  }
});

Deno.test("bundle: sent whole, asked again: walked again, same bytes; refused once changed", async () => {
  const kit = await fileTestKit();
  try {
    const src = `${kit.root}/src`;
    await Deno.mkdir(`${src}/t/a`, { recursive: true });
    for (let i = 0; i < 30; i++) await Deno.writeTextFile(`${src}/t/a/f${i}.txt`, `file ${i}\n`);
    const opened = await kit.call(
      "files.open",
      downloadParams(src, { mode: "bundle", names: ["t"], id: newId("w") }),
    );
    const send = async () => {
      const ticket = newTicket();
      const served = kit.acceptPush(ticket);
      const result = await kit.call("files.send", { id: opened.id, ticket, from: 0 });
      await served.done;
      return { result, stream: concat(served.received) };
    };
    const first = await send();
    assert.equal(first.result.done, true);
    assert.equal(first.result.entries, 32);
    const second = await send();
    assert.equal(second.result.entries, 32);
    assert.deepEqual(second.stream, first.stream);
    // The list the open told the technician about is not there any more to send as it was.
    await Deno.writeTextFile(`${src}/t/a/new.txt`, "new\n");
    const ticket = newTicket();
    kit.acceptPush(ticket);
    await assert.rejects(
      kit.call("files.send", { id: opened.id, ticket, from: 0 }),
      (error: { code?: string }) => error.code === "changed",
    );
  } finally {
    await kit.close();
  }
});

function reopen(id: string, path: string) {
  return Promise.resolve({
    id,
    direction: "upload" as const,
    mode: "bundle" as const,
    path,
    names: [],
    name: null,
    size: null,
    mtime: null,
    sha256: null,
    overwrite: false,
    hidden: false,
  });
}
