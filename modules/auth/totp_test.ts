import assert from "node:assert/strict";
import { oathtool } from "../../tests/support/totp.ts";
import { currentTotp, matchTotp, newTotpSecret, totpQrSvg, totpUri } from "./totp.ts";

/** RFC 6238 appendix B: the ASCII secret "12345678901234567890", base32-encoded. */
const RFC_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
const STEP_MS = 30_000;

const stepOf = (at: Date) => Math.floor(at.getTime() / STEP_MS);

// Whole seconds only: oathtool's --now takes no fractions.
const INSTANTS = [
  new Date(59_000), // RFC 6238 test vector
  new Date(1_111_111_109_000), // RFC 6238 test vector
  new Date(1_234_567_890_000), // RFC 6238 test vector
  new Date(2_000_000_000_000), // RFC 6238 test vector
  new Date(20_000_000_000_000), // RFC 6238 test vector (year 2603)
  new Date("2026-11-24T10:00:00Z"), // first second of a step
  new Date("2026-11-24T10:00:29Z"), // last second of the same step
  new Date("2031-02-28T23:59:59Z"),
];

Deno.test("currentTotp() gives the RFC 6238 SHA-1 test-vector codes", () => {
  assert.equal(currentTotp(RFC_SECRET, new Date(59_000)), "287082");
  assert.equal(currentTotp(RFC_SECRET, new Date(1_111_111_109_000)), "081804");
  assert.equal(currentTotp(RFC_SECRET, new Date(1_111_111_111_000)), "050471");
  assert.equal(currentTotp(RFC_SECRET, new Date(1_234_567_890_000)), "005924");
  assert.equal(currentTotp(RFC_SECRET, new Date(2_000_000_000_000)), "279037");
  assert.equal(currentTotp(RFC_SECRET, new Date(20_000_000_000_000)), "353130");
});

Deno.test("oathtool agrees with the RFC 6238 test vectors (the cross-check's oracle is sound)", async () => {
  assert.equal(await oathtool(RFC_SECRET, new Date(59_000)), "287082");
  assert.equal(await oathtool(RFC_SECRET, new Date(1_111_111_109_000)), "081804");
});

Deno.test("currentTotp() matches oathtool for fresh secrets at several instants", async () => {
  const secrets = [RFC_SECRET, newTotpSecret(), newTotpSecret(), newTotpSecret()];
  for (const secret of secrets) {
    for (const at of INSTANTS) {
      assert.equal(
        currentTotp(secret, at),
        await oathtool(secret, at),
        `secret ${secret} at ${at.toISOString()}`,
      );
    }
  }
});

Deno.test("matchTotp() accepts oathtool's code for fresh secrets and returns its time step", async () => {
  for (const secret of [newTotpSecret(), newTotpSecret(), newTotpSecret()]) {
    for (const at of INSTANTS) {
      const code = await oathtool(secret, at);
      assert.equal(
        matchTotp(secret, code, at),
        stepOf(at),
        `secret ${secret} at ${at.toISOString()}`,
      );
    }
  }
});

Deno.test("newTotpSecret() returns a fresh 160-bit base32 secret each time", () => {
  const a = newTotpSecret();
  const b = newTotpSecret();
  assert.match(a, /^[A-Z2-7]{32}$/);
  assert.match(b, /^[A-Z2-7]{32}$/);
  assert.notEqual(a, b);
});

Deno.test("matchTotp() accepts one step of drift either way and returns the code's own step", () => {
  const now = new Date(1_111_111_109_000);
  const step = stepOf(now);
  const previous = currentTotp(RFC_SECRET, new Date(now.getTime() - STEP_MS));
  const next = currentTotp(RFC_SECRET, new Date(now.getTime() + STEP_MS));
  const current = currentTotp(RFC_SECRET, now);
  assert.equal(new Set([previous, current, next]).size, 3, "fixture codes are distinct");
  assert.equal(matchTotp(RFC_SECRET, current, now), step);
  assert.equal(matchTotp(RFC_SECRET, previous, now), step - 1);
  assert.equal(matchTotp(RFC_SECRET, next, now), step + 1);
});

Deno.test("matchTotp() refuses a code two steps old or two steps ahead", () => {
  const now = new Date(1_111_111_109_000);
  const window = [-1, 0, 1].map((k) =>
    currentTotp(RFC_SECRET, new Date(now.getTime() + k * STEP_MS))
  );
  const old = currentTotp(RFC_SECRET, new Date(now.getTime() - 2 * STEP_MS));
  const ahead = currentTotp(RFC_SECRET, new Date(now.getTime() + 2 * STEP_MS));
  assert.ok(!window.includes(old) && !window.includes(ahead), "fixture codes are distinct");
  assert.equal(matchTotp(RFC_SECRET, old, now), undefined);
  assert.equal(matchTotp(RFC_SECRET, ahead, now), undefined);
});

Deno.test("matchTotp() refuses a code made with another secret", () => {
  const now = new Date("2026-11-24T10:00:00Z");
  const code = currentTotp("JBSWY3DPEHPK3PXP", now);
  const window = [-1, 0, 1].map((k) =>
    currentTotp(RFC_SECRET, new Date(now.getTime() + k * STEP_MS))
  );
  assert.ok(!window.includes(code), "fixture codes are distinct");
  assert.equal(matchTotp(RFC_SECRET, code, now), undefined);
});

Deno.test("matchTotp() ignores spaces inside a code", () => {
  const now = new Date(59_000);
  assert.equal(matchTotp(RFC_SECRET, " 287 082 ", now), stepOf(now));
});

Deno.test("matchTotp() refuses non-digit, short and long input without throwing", () => {
  const now = new Date(59_000);
  for (
    const bad of ["", "28708", "2870822", "28708a", "abcdef", "287-082", "２８７０８２", "0x1234"]
  ) {
    assert.equal(matchTotp(RFC_SECRET, bad, now), undefined, JSON.stringify(bad));
  }
});

Deno.test("totpUri() builds an otpauth://totp/ URI with the issuer, account and secret", () => {
  const secret = newTotpSecret();
  const uri = totpUri(secret, { issuer: "Rescue Test", account: "admin@example.test" });
  assert.ok(uri.startsWith("otpauth://totp/"), uri);
  const url = new URL(uri);
  assert.equal(url.searchParams.get("issuer"), "Rescue Test");
  assert.equal(url.searchParams.get("secret"), secret);
  assert.match(decodeURIComponent(url.pathname), /admin@example\.test/);
});

Deno.test("totpQrSvg() returns an inline SVG without script", async () => {
  const svg = await totpQrSvg(totpUri(RFC_SECRET, { issuer: "Rescue", account: "a@example.test" }));
  assert.ok(svg.trimStart().startsWith("<svg"), svg.slice(0, 80));
  assert.match(svg, /<\/svg>\s*$/);
  assert.doesNotMatch(svg, /<script/i);
});
