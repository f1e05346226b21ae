import assert from "node:assert/strict";
import { nameSlug, recordingFileName } from "./file_name.ts";

Deno.test("nameSlug() keeps letters and digits, drops accents, joins the rest with one dash", () => {
  assert.equal(nameSlug("Carol de Vries"), "carol-de-vries");
  assert.equal(nameSlug("  Jürgen  Müller-Lüdenscheidt "), "jurgen-muller-ludenscheidt");
  assert.equal(nameSlug('a"b;c/..\\d\r\ne'), "a-b-c-d-e");
  assert.equal(nameSlug("张伟"), "张伟");
  assert.equal(nameSlug("!!!"), "");
  assert.equal(nameSlug("x".repeat(39) + " yz"), "x".repeat(39));
});

Deno.test("recordingFileName() says when (UTC), whose and which part, and keeps the extension", () => {
  const startedAt = new Date("2026-12-06T14:32:59.900Z");
  assert.equal(
    recordingFileName({ startedAt, number: 2, extension: "mkv" }, "Carol de Vries"),
    "recording-2026-12-06-1432UTC-carol-de-vries-part2.mkv",
  );
  assert.equal(
    recordingFileName({ startedAt, number: 1, extension: "webm" }, "?"),
    "recording-2026-12-06-1432UTC-part1.webm",
  );
});
