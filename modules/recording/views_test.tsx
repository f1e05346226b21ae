import assert from "node:assert/strict";
import { translator } from "../i18n/mod.ts";
import type { RecordingRow } from "./parts.ts";
import { RecordingList } from "./views.tsx";

const row = (bytes: number, seconds: number): RecordingRow => ({
  id: crypto.randomUUID(),
  sessionId: "11111111-2222-4333-8444-555555555555",
  lensId: null,
  userId: null,
  startedAt: new Date("2026-12-06T08:00:00Z"),
  endedAt: new Date(Date.parse("2026-12-06T08:00:00Z") + seconds * 1000),
  bytes,
  codec: "vp8",
  width: 1366,
  height: 768,
  path: "/r/part.webm",
});

const sizes = async (lang: "en" | "nl", rows: RecordingRow[]) => {
  const html = String(
    await <RecordingList t={translator(lang)} sessionId={rows[0].sessionId!} rows={rows} />,
  );
  return [...html.matchAll(/<tr[^>]*><td>.*?<\/td><td>(.*?)<\/td><td>.*?<\/td><td>(.*?)<\/td>/g)]
    .map((m) => `${m[1]} ${m[2]}`);
};

Deno.test("RecordingList shows a short part's size in kB, never '0.0 MB'", async () => {
  const rows = [row(40_000, 4), row(900, 0), row(5 * 1_048_576, 125)];
  assert.deepEqual(await sizes("en", rows), ["0:04 40 kB", "0:00 1 kB", "2:05 5.0 MB"]);
  assert.deepEqual(await sizes("nl", rows), ["0:04 40 kB", "0:00 1 kB", "2:05 5,0 MB"]);
});

Deno.test("RecordingList: a session's finished part has Play into one player; no player fetches before Play", async () => {
  const unfinished = { ...row(1_000, 0), endedAt: null };
  const rows = [row(40_000, 4), unfinished, row(90_000, 9)];
  const html = String(
    await <RecordingList t={translator("en")} sessionId={rows[0].sessionId!} rows={rows} />,
  );
  const plays = [...html.matchAll(/data-recording-play="([^"]+)" data-recording-title="([^"]+)"/g)]
    .map((m) => `${m[1].split("/").at(-1)} ${m[2]}`);
  assert.deepEqual(plays, [`${rows[0].id} Part 1`, `${rows[2].id} Part 3`]);
  assert.equal(html.match(/<video/g)?.length, 1, "one player");
  assert.match(html, /<figure class="recording-player" data-recording-figure="true" hidden="">/);
  assert.match(html, /<video controls="" preload="none"/);
  assert.match(html, /src="\/static\/recording_player\.js"/);
  // Nothing finished: nothing to play, no player.
  const none = String(
    await <RecordingList t={translator("en")} sessionId={rows[0].sessionId!} rows={[unfinished]} />,
  );
  assert.doesNotMatch(none, /data-recording-play=|<video|recording_player/);
  // A Lens session's page keeps a player per part, no Play.
  const lens = String(
    await <RecordingList t={translator("en")} sessionId={rows[0].sessionId!} rows={rows} lens />,
  );
  assert.doesNotMatch(lens, /data-recording-play=|recording_player/);
  assert.equal(lens.match(/<video/g)?.length, 2);
  assert.equal(lens.match(/preload="none"/g)?.length, 2, "a Lens page's players fetch at Play");
});
