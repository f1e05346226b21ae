import assert from "node:assert/strict";
import { formatSize } from "./size.ts";

Deno.test("formatSize: 1024-based, bytes spelt out, one decimal below 100", () => {
  const en = (n: number) => formatSize(n, "en");
  assert.equal(en(0), "0 bytes");
  assert.equal(en(1), "1 byte");
  assert.equal(en(512), "512 bytes");
  assert.equal(en(1023), "1,023 bytes");
  assert.equal(en(1024), "1 kB");
  assert.equal(en(1536), "1.5 kB");
  assert.equal(en(1_500_000), "1.4 MB"); // 1,500,000 / 1024² = 1.43
  assert.equal(en(25 * 1024 * 1024), "25 MB"); // the default file limit reads as set
  assert.equal(en(123_456_789), "118 MB");
  assert.equal(en(9.96e6), "9.5 MB");
  assert.equal(en(25.2e9), "23.5 GB");
  assert.equal(en(3 * 1024 ** 4), "3 TB");
  assert.equal(en(5 * 1024 ** 5), "5,120 TB"); // nothing larger than terabytes
});

Deno.test("formatSize: the reader's language, its digits and unit names", () => {
  assert.equal(formatSize(1536, "nl"), "1,5 kB");
  assert.equal(formatSize(512, "de"), "512 Byte");
  assert.equal(formatSize(5, "ru"), "5 байт");
  assert.equal(formatSize(1536 * 1024, "ru"), "1,5 МБ");
  assert.equal(formatSize(1434, "ru"), "1,4 кБ");
  assert.equal(formatSize(3 * 1024 ** 3, "ar"), "3 غ.ب");
  assert.equal(formatSize(5, "he"), "5 בייט");
  assert.equal(formatSize(2, "ar"), "2 بايت");
  assert.equal(formatSize(2, "ja"), "2 バイト");
  // The same figures twice: the cached formatter of one language is not another's.
  assert.equal(formatSize(1536, "en"), "1.5 kB");
  assert.equal(formatSize(1536, "nl"), "1,5 kB");
});
