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
  notLive: [],
  durationMs: null,
});

const sizes = async (lang: "en" | "nl", rows: RecordingRow[]) => {
  const html = String(
    await <RecordingList t={translator(lang)} sessionId={rows[0].sessionId!} rows={rows} />,
  );
  return [...html.matchAll(/<tr[^>]*><td>.*?<\/td><td>(.*?)<\/td><td>.*?<\/td><td>(.*?)<\/td>/g)]
    .map((m) => `${m[1]} ${m[2]}`);
};

Deno.test("RecordingList shows a part's size as every screen reads sizes, never '0.0 MB'", async () => {
  const rows = [row(40_000, 4), row(900, 0), row(5 * 1_048_576, 125)];
  assert.deepEqual(await sizes("en", rows), ["0:04 39.1 kB", "0:00 900 bytes", "2:05 5 MB"]);
  assert.deepEqual(await sizes("nl", rows), ["0:04 39,1 kB", "0:00 900 byte", "2:05 5 MB"]);
});

Deno.test("RecordingList shows how long a part's file plays, its rows' times only for a part from before", async () => {
  // Frames queued on a busy server: the file plays 7.3 s, its row's start and end are 6.2 s apart.
  const played = { ...row(40_000, 6.2), durationMs: 7_324 };
  assert.deepEqual(await sizes("en", [played, row(40_000, 6.2)]), ["0:07 39.1 kB", "0:06 39.1 kB"]);
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

Deno.test("RecordingList: where a part's picture was not live, under its row, each stretch plays from its start", async () => {
  const gaps = {
    ...row(90_000, 4_000),
    notLive: [
      { startMs: 12_400, endMs: 45_000, reason: "secure_desktop" },
      { startMs: 3_725_000, endMs: 3_726_000, reason: "failed" },
    ],
  };
  const unfinished = { ...row(1_000, 0), endedAt: null, notLive: null };
  const rows = [row(40_000, 4), gaps, unfinished];
  const html = String(
    await <RecordingList t={translator("en")} sessionId={rows[0].sessionId!} rows={rows} />,
  );
  const lists = [...html.matchAll(/<tr class="recording-gaps" data-recording-gaps="([^"]+)">/g)]
    .map((m) => m[1]);
  assert.deepEqual(lists, [gaps.id], "only the part with stretches; not an all-live part");
  // The list comes right after its part's row.
  assert.ok(html.indexOf(`data-recording-row="${gaps.id}"`) < html.indexOf("recording-gaps"));
  assert.ok(html.indexOf("recording-gaps") < html.indexOf(`data-recording-row="${unfinished.id}"`));
  const items = [
    ...html.matchAll(
      /data-recording-title="([^"]+)" data-recording-at="([^"]+)" title="([^"]+)">([^<]+)<\/button> ([^<]+)<\/li>/g,
    ),
  ].map((m) => m.slice(1));
  assert.deepEqual(items, [
    [
      "Part 2",
      "12.4",
      "Play from 0:12",
      "0:12–0:45",
      "Not live: the customer&#39;s computer showed a secure screen (a UAC prompt, the lock or sign-in screen)",
    ],
    [
      "Part 2",
      "3725",
      "Play from 1:02:05",
      "1:02:05–1:02:06",
      "Not live: the support app could not capture the screen",
    ],
  ]);
  // In the viewer's language.
  const nl = String(
    await <RecordingList t={translator("nl")} sessionId={rows[0].sessionId!} rows={[gaps]} />,
  );
  assert.match(nl, /title="Afspelen vanaf 0:12"/);
});
