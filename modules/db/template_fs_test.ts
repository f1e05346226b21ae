import assert from "node:assert/strict";
import { sql } from "drizzle-orm";
import { openTestDatabase } from "./mod.ts";
import { tarEntries } from "./template_fs.ts";

/** A ustar archive as PGlite's `dumpDataDir("none")` writes one (names from "/"). */
function ustar(entries: { name: string; data?: string; prefix?: string; type?: string }[]) {
  const blocks: Uint8Array[] = [];
  const put = (header: Uint8Array, at: number, text: string) =>
    header.set(new TextEncoder().encode(text), at);
  for (const entry of entries) {
    const data = new TextEncoder().encode(entry.data ?? "");
    const header = new Uint8Array(512);
    put(header, 0, entry.name);
    put(header, 124, data.length.toString(8).padStart(11, "0"));
    put(header, 156, entry.type ?? (entry.data === undefined ? "5" : "0"));
    put(header, 257, "ustar");
    if (entry.prefix) put(header, 345, entry.prefix);
    blocks.push(header, new Uint8Array(Math.ceil(data.length / 512) * 512));
    blocks.at(-1)!.set(data);
  }
  blocks.push(new Uint8Array(1024));
  const tar = new Uint8Array(blocks.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const block of blocks) {
    tar.set(block, at);
    at += block.length;
  }
  return tar;
}

Deno.test("template: a data directory's tar is read as files and folders, in place", () => {
  const long = "x".repeat(600);
  const tar = ustar([
    { name: "/base" },
    { name: "/base/5/1259", data: long },
    { name: "PG_VERSION", data: "18\n" },
    { name: "2619_fsm", prefix: "/base/5", data: "" },
  ]);
  const entries = tarEntries(tar)!;
  assert.deepEqual(entries.map((e) => [e.path, e.dir, e.size]), [
    ["/base", true, 0],
    ["/base/5/1259", false, 600],
    ["/PG_VERSION", false, 3],
    ["/base/5/2619_fsm", false, 0],
  ]);
  const read = (i: number) =>
    new TextDecoder().decode(tar.subarray(entries[i].start, entries[i].start + entries[i].size));
  assert.equal(read(1), long);
  assert.equal(read(2), "18\n", "after the first file's two blocks");
});

Deno.test("template: anything but a plain ustar is left to PGlite's own loader", () => {
  assert.equal(tarEntries(ustar([{ name: "/a", data: "x", type: "x" }])), undefined, "pax");
  assert.equal(tarEntries(ustar([{ name: "/a", data: "x", type: "2" }])), undefined, "link");
  assert.equal(
    tarEntries(new Uint8Array([0x1f, 0x8b, 8, 0, ...new Array(600).fill(0)])),
    undefined,
  );
  const cut = ustar([{ name: "/a", data: "y".repeat(2000) }]).subarray(0, 1024);
  assert.equal(tarEntries(cut), undefined, "a file longer than the archive");
});

Deno.test({
  name: "template: databases restored at once share no page — a commit in one is not in the next",
  // PostgreSQL's databases are the test run's own; this is about PGlite's template.
  ignore: Boolean(Deno.env.get("DATABASE_URL")),
  async fn() {
    const first = await openTestDatabase();
    try {
      await first.db.execute(sql`create table template_probe (n int)`);
      await first.db.execute(sql`insert into template_probe values (1)`);
      await first.db.execute(sql`checkpoint`);
      // Held: the next is restored from the template, not the kept one emptied.
      const second = await openTestDatabase();
      try {
        const found = await second.db.execute(
          sql`select to_regclass('public.template_probe') as t`,
        );
        const rows = Array.isArray(found) ? found : (found as { rows: unknown[] }).rows;
        assert.deepEqual(rows, [{ t: null }]);
        await second.db.execute(sql`create table template_probe (n int)`);
      } finally {
        await second.close();
      }
      const back = await first.db.execute(sql`select n from template_probe`);
      const rows = Array.isArray(back) ? back : (back as { rows: unknown[] }).rows;
      assert.deepEqual(rows, [{ n: 1 }]);
      await first.db.execute(sql`drop table template_probe`);
    } finally {
      await first.close();
    }
  },
});
