import assert from "node:assert/strict";
import { formatDuration, formatRate, formatSize, translator } from "./format.ts";

Deno.test("formatSize() and formatRate() read as every screen's sizes (protocol/size.ts)", () => {
  assert.equal(formatSize(999), "999 bytes");
  assert.equal(formatSize(4_200_000), "4 MB");
  assert.equal(formatSize(123_456_789), "118 MB");
  assert.equal(formatRate(1_500_000_000), "1.4 GB/s");
});

Deno.test("formatDuration() shows minutes:seconds, hours when needed", () => {
  assert.equal(formatDuration(42), "0:42");
  assert.equal(formatDuration(725), "12:05");
  assert.equal(formatDuration(3723), "1:02:03");
});

Deno.test("translator() fills placeholders and falls back to the key", () => {
  const t = translator({
    copyCount_one: "{{count}} item, of {{total}}",
    copyCount_other: "{{count}} items, of {{total}} ({{size}})",
    copiedCount_other: "{{count}} copied",
  });
  assert.equal(t("copyCount", { count: 1, total: 5 }), "1 item, of 5");
  assert.equal(t("copyCount", { count: 2, total: 5, size: "3 B" }), "2 items, of 5 (3 B)");
  assert.equal(t("copiedCount", { count: 1 }), "1 copied", "the other form when one is missing");
  assert.equal(t("help"), "help");
  assert.equal(
    translator({ selectedCount: "{{count}} of {{total}}" })("selectedCount", {
      count: 1,
      total: 2,
    }),
    "1 of 2",
    "a plain string with a count",
  );
});
