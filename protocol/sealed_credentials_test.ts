import assert from "node:assert/strict";
import {
  ConnectCredentialsSchema,
  DeviceServerMessageSchema,
  SealedCredentialsSchema,
  SealingPublicKeySchema,
} from "./device.ts";
import {
  openSealedCredentials,
  type PlainCredentials,
  sealCredentials,
  SealError,
} from "./sealed_credentials.ts";

const SESSION = "5b0e3c1e-7a51-4f0e-9f5b-0c7f1d2f3a4b";
const OTHER_SESSION = "5b0e3c1e-7a51-4f0e-9f5b-0c7f1d2f3a4c";
const SECRET: PlainCredentials = { user: "anne", password: "Pw at-Connect-é!7" };

/** A device's sealing pair as the agent makes it (agent/unattended/sealing_key.ts). */
async function devicePair() {
  const pair = await crypto.subtle.generateKey({ name: "X25519" }, true, [
    "deriveBits",
  ]) as CryptoKeyPair;
  const raw = new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey));
  const publicKey = btoa(String.fromCharCode(...raw)).replaceAll("+", "-").replaceAll("/", "_")
    .replace(/=+$/, "");
  return { privateKey: pair.privateKey, publicKey };
}

async function refusal(work: Promise<unknown>): Promise<SealError> {
  try {
    await work;
  } catch (error) {
    if (error instanceof SealError) return error;
    throw error;
  }
  throw new Error("expected a SealError");
}

Deno.test("sealCredentials() → openSealedCredentials() gives back the user and password, for that session", async () => {
  const device = await devicePair();
  assert.ok(SealingPublicKeySchema.safeParse(device.publicKey).success);
  const sealed = await sealCredentials(device.publicKey, SESSION, SECRET);
  assert.ok(SealedCredentialsSchema.safeParse(sealed).success, "a blob the protocol accepts");
  assert.ok(!sealed.includes(SECRET.password) && !sealed.includes(btoa("Pw at")));
  assert.deepEqual(
    await openSealedCredentials(device.privateKey, device.publicKey, SESSION, sealed),
    SECRET,
  );
  const again = await sealCredentials(device.publicKey, SESSION, SECRET);
  assert.notEqual(again, sealed, "a fresh ephemeral key and IV each time");
});

Deno.test("openSealedCredentials() refuses another session's blob: no replay into another session", async () => {
  const device = await devicePair();
  const sealed = await sealCredentials(device.publicKey, SESSION, SECRET);
  const error = await refusal(
    openSealedCredentials(device.privateKey, device.publicKey, OTHER_SESSION, sealed),
  );
  assert.equal(error.code, "unopenable");
  assert.match(error.message, /do not open with this device's key for this session/);
  assert.ok(!error.message.includes(SECRET.password));
});

Deno.test("openSealedCredentials() refuses a blob sealed to another device's key", async () => {
  const device = await devicePair();
  const other = await devicePair();
  const sealed = await sealCredentials(other.publicKey, SESSION, SECRET);
  assert.equal(
    (await refusal(openSealedCredentials(device.privateKey, device.publicKey, SESSION, sealed)))
      .code,
    "unopenable",
  );
  // The right private key, but told the wrong public half: the key derivation differs too.
  assert.equal(
    (await refusal(openSealedCredentials(other.privateKey, device.publicKey, SESSION, sealed)))
      .code,
    "unopenable",
  );
});

Deno.test("openSealedCredentials() refuses an altered blob and malformed ones, with a clear error", async () => {
  const device = await devicePair();
  const sealed = await sealCredentials(device.publicKey, SESSION, SECRET);
  const open = (blob: unknown) =>
    refusal(openSealedCredentials(device.privateKey, device.publicKey, SESSION, blob));
  const flipped = sealed.slice(0, 80) + (sealed[80] === "A" ? "B" : "A") + sealed.slice(81);
  assert.equal((await open(flipped)).code, "unopenable", "one changed character");
  const cases: [unknown, RegExp][] = [
    [undefined, /not in the expected form/],
    [42, /not in the expected form/],
    ["", /not in the expected form/],
    ["short", /not in the expected form/],
    [sealed + "!", /not in the expected form/],
    ["A".repeat(5000), /not in the expected form/],
    [sealed.slice(0, sealed.length - sealed.length % 4) + "A", /not base64url/], // 4n + 1
    ["Ag" + sealed.slice(2), /version 2 are not known/],
  ];
  for (const [blob, reason] of cases) {
    const error = await open(blob);
    assert.equal(error.code, "malformed", String(blob).slice(0, 20));
    assert.match(error.message, reason);
  }
});

Deno.test("sealCredentials() refuses what the protocol would: a bad key, empty or oversized fields", async () => {
  const device = await devicePair();
  await assert.rejects(sealCredentials("not-a-key", SESSION, SECRET), TypeError);
  await assert.rejects(sealCredentials(device.publicKey, SESSION, { user: "", password: "x" }));
  await assert.rejects(
    sealCredentials(device.publicKey, SESSION, { user: "u", password: "x".repeat(513) }),
  );
});

Deno.test("sealed blobs of the largest credentials fit the protocol's bound and open again", async () => {
  const device = await devicePair();
  // Three-byte UTF-8 characters (one UTF-16 unit each) fill the byte budget the most.
  const widest = { user: "€".repeat(64), password: "€".repeat(512) };
  assert.ok(ConnectCredentialsSchema.safeParse(widest).success);
  const sealed = await sealCredentials(device.publicKey, SESSION, widest);
  assert.ok(SealedCredentialsSchema.safeParse(sealed).success, `${sealed.length} characters`);
  assert.deepEqual(
    await openSealedCredentials(device.privateKey, device.publicKey, SESSION, sealed),
    widest,
  );
  const join = DeviceServerMessageSchema.safeParse({
    type: "join",
    sessionId: SESSION,
    token: "tok_abcdefghijklmnop",
    technician: "Ann",
    sealedCredentials: sealed,
  });
  assert.ok(join.success, "the join carries it");
  const bad = DeviceServerMessageSchema.safeParse({
    type: "join",
    sessionId: SESSION,
    token: "tok_abcdefghijklmnop",
    technician: "Ann",
    sealedCredentials: "not a blob",
  });
  assert.ok(!bad.success, "the join refuses a malformed blob");
});
