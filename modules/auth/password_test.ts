import assert from "node:assert/strict";
import {
  hashPassword,
  PASSWORD_MAX,
  PASSWORD_MIN,
  passwordProblem,
  verifyPassword,
} from "./password.ts";

const PASSWORD = "correct horse battery staple";

Deno.test("hashPassword() produces an argon2id PHC string with m=19456,t=2,p=1", async () => {
  const hash = await hashPassword(PASSWORD);
  const match = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/
    .exec(hash);
  assert.ok(match, hash);
  const [, m, t, p, salt, digest] = match;
  assert.deepEqual([m, t, p], ["19456", "2", "1"]);
  assert.equal(atob(salt + "=".repeat((4 - salt.length % 4) % 4)).length, 16, "16-byte salt");
  assert.equal(atob(digest + "=".repeat((4 - digest.length % 4) % 4)).length, 32, "32-byte hash");
  assert.ok(!hash.includes(PASSWORD));
});

Deno.test("hashPassword() salts: two hashes of one password differ and both verify", async () => {
  const a = await hashPassword(PASSWORD);
  const b = await hashPassword(PASSWORD);
  assert.notEqual(a, b);
  assert.equal(await verifyPassword(PASSWORD, a), true);
  assert.equal(await verifyPassword(PASSWORD, b), true);
});

Deno.test("verifyPassword() accepts the right password and refuses others", async () => {
  const hash = await hashPassword(PASSWORD);
  assert.equal(await verifyPassword(PASSWORD, hash), true);
  assert.equal(await verifyPassword("correct horse battery stapler", hash), false);
  assert.equal(await verifyPassword(PASSWORD.toUpperCase(), hash), false);
  assert.equal(await verifyPassword("", hash), false);
});

Deno.test("verifyPassword() handles non-ASCII passwords", async () => {
  const password = "pässwörd-✓-密码-🔑";
  const hash = await hashPassword(password);
  assert.equal(await verifyPassword(password, hash), true);
  assert.equal(await verifyPassword("passwörd-✓-密码-🔑", hash), false);
});

Deno.test("verifyPassword() returns false for a malformed or tampered hash without throwing", async () => {
  const good = await hashPassword(PASSWORD);
  const parts = good.split("$");
  const flipped = parts[5][0] === "A" ? "B" : "A";
  const tampered = [...parts.slice(0, 5), flipped + parts[5].slice(1)].join("$");
  const malformed = [
    "",
    "not a hash",
    "$argon2id$",
    "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA",
    "$argon2id$v=19$m=abc,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaA",
    "$2b$12$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234", // bcrypt
    good.slice(0, -10),
    tampered,
  ];
  for (const hash of malformed) {
    assert.equal(await verifyPassword(PASSWORD, hash), false, JSON.stringify(hash));
  }
});

Deno.test("passwordProblem() requires at least PASSWORD_MIN characters", () => {
  assert.equal(PASSWORD_MIN, 10);
  assert.equal(passwordProblem("a".repeat(PASSWORD_MIN - 1)), "password.tooShort");
  assert.equal(passwordProblem(""), "password.tooShort");
  assert.equal(passwordProblem("a".repeat(PASSWORD_MIN)), undefined);
});

Deno.test("passwordProblem() allows at most PASSWORD_MAX characters", () => {
  assert.equal(PASSWORD_MAX, 256);
  assert.equal(passwordProblem("a".repeat(PASSWORD_MAX)), undefined);
  assert.equal(passwordProblem("a".repeat(PASSWORD_MAX + 1)), "password.tooLong");
});

Deno.test("passwordProblem() refuses the user's own e-mail address, ignoring case and spaces", () => {
  const email = "Admin.Person@Example.test";
  assert.equal(passwordProblem(email, email), "password.sameAsEmail");
  assert.equal(passwordProblem(" admin.person@example.TEST ", email), "password.sameAsEmail");
  assert.equal(passwordProblem("admin.person@example.test!", email), undefined);
  assert.equal(passwordProblem(email), undefined, "no e-mail given, no comparison");
});

Deno.test("passwordProblem() reports the first rule broken: too short before same as e-mail", () => {
  assert.equal(passwordProblem("a@b.test", "a@b.test"), "password.tooShort");
});
