import assert from "node:assert/strict";
import { sealCredentials, SealError } from "../../protocol/mod.ts";
import { removeSealingKey, SEALING_KEY_FILE, sealingKey } from "./sealing_key.ts";

const SESSION = "0f1e2d3c-4b5a-4697-8877-665544332211";

Deno.test("sealingKey() makes an X25519 pair once, 0600, and opens what is sealed to it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "rescue-sealing-" });
  try {
    const key = await sealingKey(dir);
    assert.match(key.publicKey, /^[A-Za-z0-9_-]{43}$/);
    if (Deno.build.os !== "windows") {
      assert.equal((await Deno.stat(`${dir}/${SEALING_KEY_FILE}`)).mode! & 0o777, 0o600);
    }
    const again = await sealingKey(dir);
    assert.equal(again.publicKey, key.publicKey, "kept, not made anew");
    const sealed = await sealCredentials(key.publicKey, SESSION, { user: "anne", password: "pw" });
    assert.deepEqual(await again.open(SESSION, sealed), { user: "anne", password: "pw" });
    await assert.rejects(again.open(crypto.randomUUID(), sealed), SealError);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("sealingKey() replaces a damaged file with a new pair; removeSealingKey() forgets it", async () => {
  const dir = await Deno.makeTempDir({ prefix: "rescue-sealing-" });
  try {
    const first = await sealingKey(dir);
    await Deno.writeTextFile(`${dir}/${SEALING_KEY_FILE}`, "{not json");
    const second = await sealingKey(dir);
    assert.notEqual(second.publicKey, first.publicKey);
    await removeSealingKey(dir);
    await removeSealingKey(dir); // twice is fine
    await assert.rejects(Deno.stat(`${dir}/${SEALING_KEY_FILE}`), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
