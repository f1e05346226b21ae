/**
 * The customer's consent, as the agent keeps it. The agent makes a key when it starts and
 * gives it only to the customer's page (in the address's #fragment, which browsers never
 * send to a server). The page signs each answer with it; the agent accepts an answer only
 * with a valid signature over its own fresh nonce — so the server can relay questions and
 * answers but cannot grant anything itself. Control includes view; revoking view revokes
 * control. Nothing here touches the screen: `allows` is what the input path asks.
 */
import { type Capability, consentMessage } from "../protocol/mod.ts";

const encoder = new TextEncoder();

export function base64url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function fromBase64url(text: string): Uint8Array {
  const padded = text.replaceAll("-", "+").replaceAll("_", "/") +
    "===".slice((text.length + 3) % 4);
  return Uint8Array.from(atob(padded), (ch) => ch.charCodeAt(0));
}

export function randomId(bytes = 24): string {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

export type Verdict = { ok: true; changed: Capability[] } | { ok: false; reason: string };

export class ConsentKeeper {
  /** The key the customer's page signs with (base64url, 32 bytes). */
  readonly key: string;
  readonly #cryptoKey: Promise<CryptoKey>;
  readonly #granted = new Set<Capability>();
  readonly #pending = new Map<Capability, string>();

  constructor(key = randomId(32)) {
    this.key = key;
    this.#cryptoKey = crypto.subtle.importKey(
      "raw",
      fromBase64url(key) as Uint8Array<ArrayBuffer>,
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign", "verify"],
    );
  }

  allows(capability: Capability): boolean {
    return this.#granted.has(capability);
  }

  get granted(): Capability[] {
    return [...this.#granted];
  }

  /** A technician's request: a fresh nonce for the question to the customer. */
  ask(capability: Capability): string {
    const nonce = randomId(18);
    this.#pending.set(capability, nonce);
    return nonce;
  }

  /** The customer's signed answer; accepted only for the open question and a valid MAC. */
  async answer(
    capability: Capability,
    nonce: string,
    granted: boolean,
    signature: string,
  ): Promise<Verdict> {
    if (this.#pending.get(capability) !== nonce) {
      return { ok: false, reason: "no open question with that nonce" };
    }
    let valid = false;
    try {
      valid = await crypto.subtle.verify(
        "HMAC",
        await this.#cryptoKey,
        fromBase64url(signature) as Uint8Array<ArrayBuffer>,
        encoder.encode(consentMessage(capability, nonce, granted)),
      );
    } catch {
      valid = false;
    }
    if (!valid) return { ok: false, reason: "the signature is not the customer's" };
    this.#pending.delete(capability);
    if (!granted) return { ok: true, changed: [] };
    const changed: Capability[] = [];
    for (const c of capability === "control" ? ["view", "control"] as const : [capability]) {
      if (!this.#granted.has(c)) changed.push(c);
      this.#granted.add(c);
    }
    return { ok: true, changed };
  }

  /** Takes a capability back (from the customer, the technician, or the agent's window). */
  revoke(capability: Capability): Capability[] {
    this.#pending.delete(capability);
    const targets: Capability[] = capability === "view" ? ["control", "view"] : [capability];
    const changed = targets.filter((c) => this.#granted.has(c));
    for (const c of changed) this.#granted.delete(c);
    return changed;
  }

  /** Signs as the customer's page does (for tests and the agent's own window). */
  async sign(capability: Capability, nonce: string, granted: boolean): Promise<string> {
    const mac = await crypto.subtle.sign(
      "HMAC",
      await this.#cryptoKey,
      encoder.encode(consentMessage(capability, nonce, granted)),
    );
    return base64url(new Uint8Array(mac));
  }
}
