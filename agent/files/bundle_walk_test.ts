import assert from "node:assert/strict";
import { BundleList } from "./bundle_walk.ts";
import { linuxFiles } from "./linux.ts";

function info(over: Partial<Deno.FileInfo>): Deno.FileInfo {
  return {
    isFile: true,
    isDirectory: false,
    isSymlink: false,
    size: 0,
    mtime: null,
    atime: null,
    birthtime: null,
    ctime: null,
    dev: 0,
    ino: null,
    mode: null,
    nlink: null,
    uid: null,
    gid: null,
    rdev: null,
    blksize: null,
    blocks: null,
    isBlockDevice: null,
    isCharDevice: null,
    isFifo: null,
    isSocket: null,
    ...over,
  };
}

Deno.test("BundleList gives back each entry as walked: paths from the parents, nulls kept", () => {
  const list = new BundleList(linuxFiles(), "/home/ann");
  const app = list.push(-1, "app", "dir", info({ mode: 0o40755, dev: 7, ino: 2 ** 40 }));
  const lib = list.push(app, "lib", "dir", info({ mode: 0o40700, dev: 7, ino: 3 }));
  const files: number[] = [];
  // More than the first arrays hold, alternating between two folders (the cached parent).
  for (let i = 0; i < 150; i++) {
    files.push(list.push(
      i % 2 ? lib : app,
      `f${i}`,
      "file",
      info({
        size: 4096 + i,
        mtime: i % 3 ? new Date(1_700_000_000_123 + i) : null,
        mode: i % 5 ? 0o100644 : null,
        dev: 7,
        ino: 1000 + i,
      }),
    ));
  }
  const top = list.push(-1, "notes.txt", "file", info({ size: 12, mode: 0o100600, dev: 8 }));
  assert.equal(list.length, 153);
  assert.deepEqual(list.item(app), {
    rel: "app",
    path: "/home/ann/app",
    type: "dir",
    size: 0,
    mtime: null,
    mode: 0o755,
    dev: 7,
    ino: 2 ** 40,
  });
  assert.equal(list.item(lib).path, "/home/ann/app/lib");
  for (let i = 0; i < 150; i++) {
    assert.deepEqual(list.item(files[i]), {
      rel: i % 2 ? `app/lib/f${i}` : `app/f${i}`,
      path: i % 2 ? `/home/ann/app/lib/f${i}` : `/home/ann/app/f${i}`,
      type: "file",
      size: 4096 + i,
      mtime: i % 3 ? 1_700_000_000_123 + i : null,
      mode: i % 5 ? 0o644 : null,
      dev: 7,
      ino: 1000 + i,
    });
  }
  assert.deepEqual(list.item(top), {
    rel: "notes.txt",
    path: "/home/ann/notes.txt",
    type: "file",
    size: 12,
    mtime: null,
    mode: 0o600,
    dev: 8,
    ino: 0,
  });
});
