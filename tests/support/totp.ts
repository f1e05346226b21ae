/** TOTP enrolment through My account, as a signed-in person does it in the browser. */
import assert from "node:assert/strict";
import type { TestClient } from "./app.ts";

/**
 * Enrols the signed-in `browser`: asks for a secret, then confirms with the code `codeFor`
 * gives for it (the app's own TOTP, or an independent one). Returns the secret, the code
 * and the confirmation's answer (200 with the recovery codes when it worked).
 */
export async function enrolTotp(
  browser: TestClient,
  codeFor: (secret: string) => string | Promise<string>,
): Promise<{ secret: string; code: string; page: string; confirmed: Response }> {
  await browser.get("/account");
  const page = await (await browser.post("/account/2fa/enrol", {}, { "hx-request": "true" }))
    .text();
  const secret = /id="totp-secret">([A-Z2-7]+)</.exec(page)?.[1];
  assert.ok(secret, "the enrolment fragment shows the secret");
  const code = await codeFor(secret);
  const confirmed = await browser.post("/account/2fa/confirm", { code });
  return { secret, code, page, confirmed };
}

/** The code Debian's oathtool (an independent RFC 6238 implementation) gives for `at`. */
export async function oathtool(secret: string, at: Date): Promise<string> {
  // Whole seconds: oathtool's --now takes no fractions.
  const now = at.toISOString().slice(0, 19).replace("T", " ") + " UTC";
  const out = await new Deno.Command("oathtool", {
    args: ["--totp", "-b", "--now", now, secret],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  assert.ok(out.success, `oathtool failed: ${decoder.decode(out.stderr)}`);
  const code = decoder.decode(out.stdout).trim();
  assert.match(code, /^\d{6}$/);
  return code;
}
