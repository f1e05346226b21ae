// A screen recording's download answers HTTP Range requests (RFC 9110 §14): the browser's
// player seeks in a long part and an interrupted download resumes, instead of starting over
// from the first byte. One byte range is served from disk (206, Content-Range); a range past
// the end is a 416 that says the size; the download is audited once, not at every seek.
import assert from "node:assert/strict";
import { and, eq } from "drizzle-orm";
import { auditLog } from "../modules/audit/mod.ts";
import { recordings } from "../modules/recording/mod.ts";
import { supportSessions } from "../modules/support/mod.ts";
import { startTestApp } from "./support/app.ts";
import { TECH_PASSWORD } from "./support/org.ts";
import { technician, workingSession } from "./support/sessions.ts";

const SIZE = 200_000; // more than one read from disk

Deno.test("recording download: Range gives 206 with Content-Range, a range past the end 416, audited once", async () => {
  const t = await startTestApp();
  const folder = await Deno.makeTempDir();
  try {
    const tech = await technician(t, {});
    const session = await workingSession(t, tech);
    const bytes = new Uint8Array(SIZE).map((_, i) => (i * 7919) % 251); // no two reads alike
    const path = `${folder}/part.webm`;
    await Deno.writeFile(path, bytes);
    const [row] = await t.deps.db.insert(recordings).values({
      sessionId: session.id,
      startedAt: t.clock.now(),
      endedAt: t.clock.now(),
      bytes: SIZE,
      codec: "vp8",
      width: 320,
      height: 240,
      path,
    }).returning();
    const client = t.client();
    await client.signIn(tech.email, TECH_PASSWORD);
    const href = `/console/history/session/${session.id}/recordings/${row.id}`;
    const get = (range?: string) => client.get(href, range ? { range } : {});
    const body = async (res: Response) => new Uint8Array(await res.arrayBuffer());

    const whole = await get();
    assert.equal(whole.status, 200);
    assert.equal(whole.headers.get("accept-ranges"), "bytes");
    assert.equal(whole.headers.get("content-length"), String(SIZE));
    assert.deepEqual(await body(whole), bytes);

    const cases: [string, number, number][] = [
      ["bytes=0-", 0, SIZE - 1], // the player's first request
      ["bytes=100-199", 100, 199],
      ["bytes=65000-140000", 65000, 140000], // across reads
      ["bytes=150000-", 150000, SIZE - 1], // a resumed download
      ["bytes=-500", SIZE - 500, SIZE - 1], // the last 500 bytes
      [`bytes=199990-${SIZE + 1000}`, 199990, SIZE - 1], // an end past the size is cut
    ];
    for (const [range, first, last] of cases) {
      const res = await get(range);
      assert.equal(res.status, 206, range);
      assert.equal(res.headers.get("content-range"), `bytes ${first}-${last}/${SIZE}`, range);
      assert.equal(res.headers.get("content-length"), String(last - first + 1), range);
      assert.equal(res.headers.get("content-type"), "video/webm");
      assert.deepEqual(await body(res), bytes.slice(first, last + 1), range);
    }

    for (const range of [`bytes=${SIZE}-`, `bytes=${SIZE + 5}-${SIZE + 10}`, "bytes=-0"]) {
      const res = await get(range);
      assert.equal(res.status, 416, range);
      assert.equal(res.headers.get("content-range"), `bytes */${SIZE}`, range);
      await res.body?.cancel();
    }
    // Not one range we serve (several, another unit, nonsense): the whole file, as without.
    for (const range of ["bytes=0-1,5-6", "items=0-1", "bytes=abc"]) {
      const res = await get(range);
      assert.equal(res.status, 200, range);
      assert.equal((await body(res)).length, SIZE, range);
    }

    // Downloads and the player's first request are audited; seeks and resumptions are not.
    const audited = await t.deps.db.select().from(auditLog).where(and(
      eq(auditLog.action, "session.recording_downloaded"),
      eq(auditLog.target, session.id),
    ));
    assert.equal(audited.length, 1 + 1 + 3, "whole, bytes=0-, three whole answers");
  } finally {
    await t.close();
    await Deno.remove(folder, { recursive: true });
  }
});

Deno.test("recording download: named by its start (UTC), the customer and the part, in both header forms", async () => {
  const t = await startTestApp();
  const folder = await Deno.makeTempDir();
  try {
    const tech = await technician(t, {});
    const session = await workingSession(t, tech);
    await t.deps.db.update(supportSessions).set({ customerName: 'Zoë "Jo" O\'Brien/Ünal' })
      .where(eq(supportSessions.id, session.id));
    // Two parts, the later one written first: the number follows the start, not the row.
    const part = async (startedAt: string, file: string, codec: string) => {
      await Deno.writeFile(`${folder}/${file}`, new Uint8Array(10));
      const [row] = await t.deps.db.insert(recordings).values({
        sessionId: session.id,
        startedAt: new Date(startedAt),
        endedAt: new Date(startedAt),
        bytes: 10,
        codec,
        width: 320,
        height: 240,
        path: `${folder}/${file}`,
      }).returning();
      return row;
    };
    const second = await part("2026-12-06T14:32:40Z", `${session.id}-2.mkv`, "h264");
    const first = await part("2026-12-06T09:05:00Z", `${session.id}-1.webm`, "vp8");
    const client = t.client();
    await client.signIn(tech.email, TECH_PASSWORD);
    const disposition = async (id: string) => {
      const res = await client.get(`/console/history/session/${session.id}/recordings/${id}`);
      await res.body?.cancel();
      return res.headers.get("content-disposition");
    };
    assert.equal(
      await disposition(second.id),
      `attachment; filename="recording-2026-12-06-1432UTC-zoe-jo-o-brien-unal-part2.mkv"; ` +
        `filename*=UTF-8''recording-2026-12-06-1432UTC-zoe-jo-o-brien-unal-part2.mkv`,
    );
    await t.deps.db.update(supportSessions).set({ customerName: "Фёдор" })
      .where(eq(supportSessions.id, session.id));
    assert.equal(
      await disposition(first.id),
      `attachment; filename="recording-2026-12-06-0905UTC-_____-part1.webm"; ` +
        `filename*=UTF-8''recording-2026-12-06-0905UTC-${encodeURIComponent("федор")}-part1.webm`,
    );
  } finally {
    await t.close();
    await Deno.remove(folder, { recursive: true });
  }
});
