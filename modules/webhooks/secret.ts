/**
 * Endpoint secrets: made by the server (`whsec_` + 32 random bytes, base64 — the form the
 * Standard Webhooks libraries take), shown to the admin once, and stored sealed with
 * AES-256-GCM, the endpoint's id as additional data. The key is derived (HKDF-SHA-256, its
 * own label) from the server's sealing key in DATA_DIR/secrets.json (`Config.totpKey`,
 * which seals TOTP seeds): a copy of the database alone lets nobody sign as this server.
 */
import { type AppDeps, secretSealer } from "../http/mod.ts";

const sealer = secretSealer({
  label: "rescue webhook secrets v1",
  what: "webhook secret",
  encoding: "base64",
});

/** A new signing secret. */
export function newWebhookSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return `whsec_${btoa(String.fromCharCode(...bytes))}`;
}

/** `secret` sealed for the endpoint `endpointId`: `v1:<iv>:<ciphertext>` (base64). */
export function sealWebhookSecret(
  config: AppDeps["config"],
  endpointId: string,
  secret: string,
): Promise<string> {
  return sealer.seal(config, endpointId, secret);
}

/** The secret in a sealed value; throws when it does not open (another key or row). */
export function openWebhookSecret(
  config: AppDeps["config"],
  endpointId: string,
  sealed: string,
): Promise<string> {
  return sealer.open(config, endpointId, sealed);
}
