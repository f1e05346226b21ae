import assert from "node:assert/strict";
import {
  DEVICE_MOVES,
  DeviceBoard,
  type DeviceConsent,
  type DeviceMove,
  MAX_WAITING,
  nextConsent,
} from "./board.ts";

const CONSENTS: DeviceConsent[] = ["off", "asked", "granted", "denied", "stopped", "lost"];
const MOVES: DeviceMove[] = ["ask", "allow", "deny", "stop"];

Deno.test("nextConsent() allows exactly the table's moves, row by row", () => {
  const allowed: string[] = [];
  for (const from of CONSENTS) {
    for (const move of MOVES) {
      const to = nextConsent(from, move);
      assert.equal(to, DEVICE_MOVES[from][move] ?? null);
      if (to) allowed.push(`${from} -${move}-> ${to}`);
    }
  }
  assert.deepEqual(allowed, [
    "off -ask-> asked",
    "asked -allow-> granted",
    "asked -deny-> denied",
    "granted -stop-> stopped",
    "denied -ask-> asked",
    "stopped -ask-> asked",
    "lost -ask-> asked",
  ]);
});

Deno.test("DeviceBoard keeps values only while the customer shares", () => {
  const board = new DeviceBoard();
  const report = {} as Parameters<DeviceBoard["report"]>[1];
  const at = new Date();
  assert.equal(board.report("s", report, "ua", at), false, "not before consent");
  board.move("s", "ask", { id: "u", name: "Ann", email: null });
  board.move("s", "allow");
  assert.equal(board.report("s", report, "ua", at), true);
  assert.equal(board.get("s").report, report);
  assert.equal(board.move("s", "allow"), null, "a refused move changes nothing");
  board.move("s", "stop");
  assert.equal(board.get("s").report, null);
  assert.equal(board.askRefresh("s"), false);
  assert.equal(board.get("other").consent, "off");
});

Deno.test("DeviceBoard.waitPast() wakes on a change, else times out", async () => {
  const board = new DeviceBoard();
  const started = Date.now();
  await board.waitPast("s", 0, 30);
  assert.ok(Date.now() - started >= 25, "timed out");
  const woken = board.waitPast("s", 0, 10_000);
  board.move("s", "ask");
  await woken;
  assert.equal(board.get("s").version, 1);
  await board.waitPast("s", 0, 10_000); // already past: at once
  const aborted = new AbortController();
  const gone = board.waitPast("s", 1, 10_000, aborted.signal);
  aborted.abort();
  await gone;
});

Deno.test("DeviceBoard.waitPast() holds a few questions per session, answers more at once", async () => {
  const board = new DeviceBoard();
  const stop = new AbortController();
  const held = Array.from(
    { length: MAX_WAITING },
    () => board.waitPast("s", 0, 10_000, stop.signal),
  );
  assert.equal(board.waiting("s"), MAX_WAITING);
  const started = Date.now();
  await board.waitPast("s", 0, 10_000);
  assert.ok(Date.now() - started < 1_000, "one too many is answered at once");
  assert.equal(board.waiting("other"), 0);
  stop.abort();
  await Promise.all(held);
  assert.equal(board.waiting("s"), 0);
});
