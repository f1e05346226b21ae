import assert from "node:assert/strict";
import {
  changeSelection,
  clickSelection,
  type Entry,
  patternMatcher,
  sortEntries,
  visibleEntries,
} from "./entries.ts";

const file = (name: string, size = 0, mtime = 0, hidden = false): Entry => ({
  name,
  kind: "file",
  size,
  mtime,
  hidden,
});
const dir = (name: string): Entry => ({ name, kind: "dir", size: 0, mtime: 0, hidden: false });

const ENTRIES = [
  file("b.log", 30, 3),
  dir("zeta"),
  file("a.txt", 10, 2),
  file("file10.txt", 5, 1),
  file("file9.txt", 50, 4),
  dir("Alpha"),
  file(".profile", 1, 9, true),
];
const names = (list: Entry[]) => list.map((e) => e.name);

Deno.test("sortEntries() puts folders first and sorts the rest by name, type, size or date", () => {
  const shown = visibleEntries(ENTRIES, false);
  assert.deepEqual(names(sortEntries(shown, { key: "name", descending: false })), [
    "Alpha",
    "zeta",
    "a.txt",
    "b.log",
    "file9.txt",
    "file10.txt",
  ]);
  assert.deepEqual(names(sortEntries(shown, { key: "size", descending: true })).slice(2), [
    "file9.txt",
    "b.log",
    "a.txt",
    "file10.txt",
  ]);
  assert.deepEqual(names(sortEntries(shown, { key: "type", descending: false })).slice(2), [
    "b.log",
    "a.txt",
    "file9.txt",
    "file10.txt",
  ]);
  assert.deepEqual(names(sortEntries(shown, { key: "date", descending: false })).slice(2), [
    "file10.txt",
    "a.txt",
    "b.log",
    "file9.txt",
  ]);
});

Deno.test("visibleEntries() hides hidden entries unless asked", () => {
  assert.equal(visibleEntries(ENTRIES, false).some((e) => e.name === ".profile"), false);
  assert.equal(visibleEntries(ENTRIES, true).length, ENTRIES.length);
});

Deno.test("patternMatcher() takes * and ?, several patterns, any case, and no regex", () => {
  const log = patternMatcher("*.log");
  assert.ok(log("b.log") && log("B.LOG") && !log("b.log.txt") && !log("blog"));
  const two = patternMatcher("*.txt; a?.log");
  assert.ok(two("x.txt") && two("ab.log") && !two("abc.log"));
  assert.ok(!patternMatcher("a.c")("abc"), "a dot is a dot");
  assert.ok(!patternMatcher("(a|b)")("a"));
  assert.ok(!patternMatcher("  ")("anything"));
});

Deno.test("changeSelection() selects all, none, inverts and adds or removes by pattern", () => {
  const shown = names(ENTRIES);
  let selected = changeSelection(new Set(), shown, { op: "select", pattern: "*.txt" });
  assert.deepEqual([...selected].sort(), ["a.txt", "file10.txt", "file9.txt"]);
  selected = changeSelection(selected, shown, { op: "deselect", pattern: "file*" });
  assert.deepEqual([...selected], ["a.txt"]);
  selected = changeSelection(selected, shown, { op: "invert" });
  assert.equal(selected.size, shown.length - 1);
  assert.ok(!selected.has("a.txt"));
  assert.equal(changeSelection(selected, shown, { op: "none" }).size, 0);
  assert.equal(changeSelection(new Set(), shown, { op: "all" }).size, shown.length);
});

Deno.test("clickSelection() selects one, toggles with Ctrl and extends a range with Shift", () => {
  const shown = ["a", "b", "c", "d"];
  assert.deepEqual([...clickSelection(new Set(["a"]), shown, {
    name: "c",
    anchor: "a",
    toggle: false,
    range: false,
  })], ["c"]);
  assert.deepEqual([...clickSelection(new Set(["a"]), shown, {
    name: "c",
    anchor: "a",
    toggle: true,
    range: false,
  })], ["a", "c"]);
  assert.deepEqual([...clickSelection(new Set(["a"]), shown, {
    name: "a",
    anchor: "a",
    toggle: true,
    range: false,
  })], []);
  assert.deepEqual([...clickSelection(new Set(), shown, {
    name: "b",
    anchor: "d",
    toggle: false,
    range: true,
  })], ["b", "c", "d"]);
});
