// Path safety of the file manager's agent side: every refusal case gets its clear code and
// nothing is written. Real files in a temporary folder; the real Linux layer.
import assert from "node:assert/strict";
import { OpFailure } from "../ops/mod.ts";
import { windowsNameProblem } from "./os.ts";
import { fileTestKit } from "./test_support.ts";

async function refused(promise: Promise<unknown>, code: string) {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof OpFailure, `an OpFailure, got ${error}`);
    assert.equal(error.code, code, error.message);
    assert.ok(error.message.length > 5, "a reason is given");
    return true;
  });
}

Deno.test("paths: '..', '.', empty parts and relative paths are refused, not resolved", async () => {
  const kit = await fileTestKit();
  try {
    await Deno.mkdir(`${kit.root}/a/b`, { recursive: true });
    for (
      const path of [
        `${kit.root}/a/../a`,
        `${kit.root}/a/./b`,
        `${kit.root}//a`,
        "a/b",
        "",
        `${kit.root}/a\0/b`,
      ]
    ) {
      const code = path === "" ? "invalid" : "unsafe_path";
      await refused(kit.call("files.list", { path, hidden: false }), code);
    }
    // The plain form of the same folder is fine, with or without a trailing slash.
    const listed = await kit.call("files.list", { path: `${kit.root}/a/`, hidden: false });
    assert.deepEqual(listed.entries.map((e) => e.name), ["b"]);
  } finally {
    await kit.close();
  }
});

Deno.test("paths: a name carrying a path or '..' is refused and nothing is created", async () => {
  const kit = await fileTestKit();
  try {
    await Deno.mkdir(`${kit.root}/in`);
    for (const name of ["/etc/evil", "../evil", "..", "a/b", "."]) {
      await refused(kit.call("files.mkdir", { folder: `${kit.root}/in`, name }), "unsafe_path");
    }
    await Deno.writeTextFile(`${kit.root}/in/f.txt`, "x");
    await refused(
      kit.call("files.rename", { path: `${kit.root}/in/f.txt`, newName: "../escaped" }),
      "unsafe_path",
    );
    await refused(kit.openUpload(`${kit.root}/in`, "../../escaped", 3), "unsafe_path");
    assert.deepEqual(await kit.names(kit.root), ["in"]);
    assert.deepEqual(await kit.names(`${kit.root}/in`), ["f.txt"]);
  } finally {
    await kit.close();
  }
});

Deno.test("paths: names invalid on the OS and paths over its limits are refused", async () => {
  const kit = await fileTestKit();
  try {
    await refused(
      kit.call("files.mkdir", { folder: kit.root, name: "bell\x07" }),
      "invalid_name",
    );
    await refused(kit.call("files.mkdir", { folder: kit.root, name: "n".repeat(256) }), "too_long");
    // 255 bytes is allowed; 128 two-byte letters are 256 bytes: too long.
    await kit.call("files.mkdir", { folder: kit.root, name: "n".repeat(255) });
    await refused(kit.call("files.mkdir", { folder: kit.root, name: "é".repeat(128) }), "too_long");
    // Under the protocol's 4,096 characters, over Linux's 4,096 bytes.
    const deep = `${kit.root}/${Array.from({ length: 40 }, () => "é".repeat(60)).join("/")}`;
    assert.ok(deep.length < 4096);
    await refused(kit.call("files.list", { path: deep, hidden: false }), "too_long");
    assert.deepEqual(await kit.names(kit.root), ["n".repeat(255)]);
    // Windows' rules, for when its layer comes (tested here on their own).
    assert.match(windowsNameProblem("CON") ?? "", /reserves/);
    assert.match(windowsNameProblem("lpt1.txt") ?? "", /reserves/);
    assert.match(windowsNameProblem("a:b") ?? "", /character/);
    assert.match(windowsNameProblem("dots.") ?? "", /ends/);
    assert.equal(windowsNameProblem("report 2024.txt"), null);
  } finally {
    await kit.close();
  }
});

Deno.test("paths: a loop of links is refused with 'loop'; a link is shown, not followed", async () => {
  const kit = await fileTestKit();
  try {
    await Deno.symlink(`${kit.root}/b`, `${kit.root}/a`);
    await Deno.symlink(`${kit.root}/a`, `${kit.root}/b`);
    await refused(kit.call("files.list", { path: `${kit.root}/a`, hidden: false }), "loop");
    await refused(kit.call("files.readText", { path: `${kit.root}/a` }), "loop");
    await refused(kit.download(`${kit.root}/b`), "loop");
    const listed = await kit.call("files.list", { path: kit.root, hidden: false });
    const a = listed.entries.find((e) => e.name === "a");
    assert.equal(a?.type, "link");
    assert.equal(a?.link?.type, "loop");
    // A walk does not enter links at all.
    await Deno.mkdir(`${kit.root}/real`);
    await Deno.symlink(kit.root, `${kit.root}/real/up`);
    const tree = await kit.call("files.tree", { path: kit.root, hidden: false, max: 100 });
    assert.deepEqual(tree.entries.map((e) => `${e.path}:${e.type}`), [
      "a:link",
      "b:link",
      "real:dir",
      "real/up:link",
    ]);
  } finally {
    await kit.close();
  }
});

Deno.test("paths: devices, FIFOs and sockets are never opened (no hang)", async () => {
  const kit = await fileTestKit();
  try {
    await refused(kit.call("files.readText", { path: "/dev/zero" }), "special");
    await refused(kit.call("files.hash", { path: "/dev/urandom" }), "special");
    await refused(kit.download("/dev/zero"), "special");
    const fifo = `${kit.root}/pipe`;
    const made = await new Deno.Command("mkfifo", { args: [fifo] }).output();
    assert.ok(made.success);
    // Opening a FIFO for reading would block until a writer comes: it is refused first.
    await refused(kit.call("files.readText", { path: fifo }), "special");
    await refused(kit.download(fifo), "special");
    const socket = Deno.listen({ transport: "unix", path: `${kit.root}/sock` });
    try {
      await refused(kit.call("files.hash", { path: `${kit.root}/sock` }), "special");
    } finally {
      socket.close();
    }
    // Nor written over by an upload.
    await refused(kit.openUpload(kit.root, "pipe", 3, { overwrite: true }), "special");
    const listed = await kit.call("files.list", { path: kit.root, hidden: false });
    assert.equal(listed.entries.find((e) => e.name === "pipe")?.type, "other");
  } finally {
    await kit.close();
  }
});

Deno.test("paths: rename and delete act on a link itself, never on what it points to", async () => {
  const kit = await fileTestKit();
  try {
    await Deno.mkdir(`${kit.root}/keep`);
    await Deno.writeTextFile(`${kit.root}/keep/precious.txt`, "keep me");
    await Deno.symlink(`${kit.root}/keep`, `${kit.root}/link`);
    await kit.call("files.rename", { path: `${kit.root}/link`, newName: "link2" });
    const gone = await kit.call("files.delete", {
      paths: [`${kit.root}/link2`],
      permanent: true,
    });
    assert.deepEqual(gone.failures, []);
    assert.equal(await Deno.readTextFile(`${kit.root}/keep/precious.txt`), "keep me");
    assert.deepEqual(await kit.names(kit.root), ["keep"]);
    await refused(
      kit.call("files.delete", { paths: ["/"], permanent: true }).then((r) => {
        throw new OpFailure(r.failures[0].code, r.failures[0].reason);
      }),
      "unsafe_path",
    );
  } finally {
    await kit.close();
  }
});
