import assert from "node:assert/strict";
import { localRedirectPath } from "./redirect.ts";

Deno.test("localRedirectPath() keeps paths on this site", () => {
  for (
    const path of ["/", "/console", "/console/sessions/1?tab=chat#notes", "/a/../b", "/%C3%A9"]
  ) {
    assert.equal(localRedirectPath(path), path);
  }
});

Deno.test("localRedirectPath() refuses other hosts, schemes, control and white-space characters", () => {
  const refused = [
    undefined,
    null,
    "",
    "console",
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/a\\b",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\nSet-Cookie: x=1",
    "/%09/evil.example",
    "/%0d%0aSet-Cookie:%20x=1",
    "/%2F/evil.example",
    "/%5Cevil.example",
    "/%E0%A4%A", // broken escape
    "/\u0000",
    "/\u007f",
    "/\u0085/evil.example",
    "/\u00a0",
    "/\u2028/evil.example",
    "/\u2029",
    "/\u202e",
    "/\ufeff",
    " /console",
    "https://evil.example",
    "http:/evil.example",
    "javascript:alert(1)",
    "data:text/html,x",
    "/" + "a".repeat(3000),
  ];
  for (const target of refused) {
    assert.equal(localRedirectPath(target), undefined, JSON.stringify(target));
  }
});
