/**
 * The identity provider's client secret at rest: sealed with AES-256-GCM under a key derived
 * (HKDF-SHA-256, its own label) from the server's sealing key in DATA_DIR/secrets.json
 * (`Config.totpKey`, as webhook secrets and TOTP seeds), the organisation id as additional
 * data. A copy of the database alone does not let anyone act as this server at the IdP.
 */
import { type AppDeps, secretSealer } from "../http/mod.ts";

const sealer = secretSealer({
  label: "rescue sso client secret v1",
  what: "SSO client secret",
  encoding: "base64url",
});

/** `secret` sealed for the organisation `orgId`: `v1:<iv>:<ciphertext>` (base64url). */
export function sealClientSecret(
  config: AppDeps["config"],
  orgId: string,
  secret: string,
): Promise<string> {
  return sealer.seal(config, orgId, secret);
}

/** The secret in a sealed value; throws when it does not open (another key or row). */
export function openClientSecret(
  config: AppDeps["config"],
  orgId: string,
  sealed: string,
): Promise<string> {
  return sealer.open(config, orgId, sealed);
}
