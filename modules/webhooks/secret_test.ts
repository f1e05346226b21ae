import assert from "node:assert/strict";
import { Webhook } from "standardwebhooks";
import type { AppDeps } from "../http/mod.ts";
import { newWebhookSecret, openWebhookSecret, sealWebhookSecret } from "./secret.ts";

const key = (byte: number) =>
  btoa(String.fromCharCode(...new Uint8Array(32).fill(byte)))
    .replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const config = { totpKey: key(7) } as AppDeps["config"];

Deno.test("newWebhookSecret() makes a whsec_ secret of 32 random bytes the library signs with", () => {
  const a = newWebhookSecret();
  const b = newWebhookSecret();
  assert.match(a, /^whsec_[A-Za-z0-9+/]{43}=$/);
  assert.notEqual(a, b);
  const body = '{"type":"session.ended"}';
  // One time for the signature and its header: read twice, a second could pass in between.
  const at = new Date();
  const signature = new Webhook(a).sign("msg_1", at, body);
  const headers = {
    "webhook-id": "msg_1",
    "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
    "webhook-signature": signature,
  };
  assert.deepEqual(new Webhook(a).verify(body, headers), { type: "session.ended" });
  assert.throws(() => new Webhook(b).verify(body, headers), /No matching signature/);
});

Deno.test("sealWebhookSecret() opens only for its endpoint and with the server's key", async () => {
  const secret = newWebhookSecret();
  const endpoint = crypto.randomUUID();
  const sealed = await sealWebhookSecret(config, endpoint, secret);
  assert.match(sealed, /^v1:/);
  assert.ok(!sealed.includes(secret.slice(6)));
  assert.notEqual(
    await sealWebhookSecret(config, endpoint, secret),
    sealed,
    "a fresh IV each time",
  );
  assert.equal(await openWebhookSecret(config, endpoint, sealed), secret);
  await assert.rejects(openWebhookSecret(config, crypto.randomUUID(), sealed));
  await assert.rejects(
    openWebhookSecret({ totpKey: key(8) } as AppDeps["config"], endpoint, sealed),
  );
  await assert.rejects(openWebhookSecret(config, endpoint, secret), /Not a sealed webhook secret/);
  await assert.rejects(
    sealWebhookSecret({ totpKey: undefined } as AppDeps["config"], endpoint, secret),
    /totpKey is missing/,
  );
});
