import assert from "node:assert/strict";
import { attachmentDisposition, safeFileName } from "./names.ts";

Deno.test("safeFileName() keeps ordinary and unicode names", () => {
  assert.equal(safeFileName("report 2026.pdf"), "report 2026.pdf");
  assert.equal(safeFileName("überweisung – €.txt"), "überweisung – €.txt");
  assert.equal(safeFileName("日本語.png"), "日本語.png");
});

Deno.test("safeFileName() turns separators, dot-dot, control and bidi characters into _", () => {
  assert.equal(safeFileName("../../etc/passwd"), "___.._etc_passwd");
  assert.equal(safeFileName("..\\..\\boot.ini"), "___.._boot.ini");
  assert.equal(safeFileName("a\r\nSet-Cookie: x=y"), "a__Set-Cookie: x=y");
  assert.equal(safeFileName("invoice\u202Efdp.exe"), "invoice_fdp.exe");
  assert.equal(safeFileName(".htaccess"), "_htaccess");
  assert.equal(safeFileName(""), "file");
  assert.equal(safeFileName("   "), "file");
  assert.equal([...safeFileName("x".repeat(500))].length, 200);
});

Deno.test("attachmentDisposition() stays one well-formed header line whatever the name", () => {
  const hostile = [
    'quote".txt',
    'a"; filename="evil.exe',
    "line\r\nX-Injected: 1",
    "../../secret",
    "naïve résumé 日本.pdf",
    "50% off; (final)*.txt",
    "back\\slash",
    "\ud800broken",
  ];
  for (const name of hostile) {
    const value = attachmentDisposition(name);
    // A Headers object refuses CR/LF and NUL: building one proves the value is legal.
    new Headers({ "content-disposition": value });
    assert.match(
      value,
      /^attachment; filename="[\x20\x21\x23-\x5b\x5d-\x7e]*"; filename\*=UTF-8''[A-Za-z0-9!#$&+\-.^_`|~%]*$/,
      name,
    );
    assert.ok(!value.includes("/"), "no path separator");
  }
  const unicode = attachmentDisposition("naïve résumé 日本.pdf");
  const encoded = unicode.split("UTF-8''")[1];
  assert.equal(decodeURIComponent(encoded), "naïve résumé 日本.pdf");
  assert.equal(attachmentDisposition('a"; filename="evil.exe').split('"').length, 3);
});
