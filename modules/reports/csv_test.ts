import assert from "node:assert/strict";
import { csvCell, csvDisposition, toCsv } from "./csv.ts";

Deno.test("csvCell() quotes separators and quotes and defuses formulas", () => {
  assert.equal(csvCell('say "hi", then\nleave'), '"say ""hi"", then\nleave"');
  assert.equal(csvCell('=HYPERLINK("http://x")'), '"\'=HYPERLINK(""http://x"")"');
  assert.equal(csvCell("+31 6 1234"), "'+31 6 1234");
  assert.equal(csvCell("@SUM(A1)"), "'@SUM(A1)");
  assert.equal(csvCell(-3), "-3", "a number is not a formula");
  assert.equal(csvCell(null), "");
  assert.equal(csvCell("plain"), "plain");
});

Deno.test("toCsv() writes a BOM, a header and CRLF rows", () => {
  assert.equal(toCsv(["a", "b"], [[1, "x"], [null, "y,z"]]), '\uFEFFa,b\r\n1,x\r\n,"y,z"\r\n');
  assert.equal(csvDisposition("report 2026/01.csv"), 'attachment; filename="report_2026_01.csv"');
});
