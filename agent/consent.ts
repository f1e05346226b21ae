/**
 * The customer's consent, as the agent keeps it. Only the customer grants, by answering an
 * open question in the agent's own window (consent_page.ts, served by the agent on loopback,
 * code the server never supplies). The server can relay a technician's request — which opens
 * a question here — and can take things back, but no server message grants anything: there
 * is no key, signature or token it could obtain and replay. Control includes view; revoking
 * view revokes control. Nothing here touches the screen: `allows` is what the input path asks.
 */
import { base64url } from "../protocol/mod.ts";
import type { Capability } from "../protocol/mod.ts";

export { base64url };

export function randomId(bytes = 24): string {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

export type Verdict = { ok: true; changed: Capability[] } | { ok: false; reason: string };

/** What the server said the view will be (`request`'s `recording`): recorded, or may be. */
export type RecordingAnnounced = "always" | "optional";

/**
 * A question in front of the customer; `id` ties an answer to this very question. `recording`:
 * the window says beforehand that the view will be (or may be) recorded.
 */
export interface OpenQuestion {
  capability: Capability;
  id: string;
  recording?: RecordingAnnounced;
}

export class ConsentKeeper {
  readonly #granted = new Set<Capability>();
  readonly #pending = new Map<Capability, string>();
  readonly #recording = new Map<Capability, RecordingAnnounced>();

  allows(capability: Capability): boolean {
    return this.#granted.has(capability);
  }

  get granted(): Capability[] {
    return [...this.#granted];
  }

  /** The open questions, control first (its answer covers view). */
  get questions(): OpenQuestion[] {
    return [...this.#pending].map(([capability, id]) => {
      const recording = this.#recording.get(capability);
      return recording ? { capability, id, recording } : { capability, id };
    })
      .sort((a, b) => Number(b.capability === "control") - Number(a.capability === "control"));
  }

  /** A technician's request opens a question (a fresh id; an older one for it is dropped). */
  ask(capability: Capability, recording?: RecordingAnnounced): string {
    const id = randomId(18);
    this.#pending.set(capability, id);
    if (recording) this.#recording.set(capability, recording);
    else this.#recording.delete(capability);
    // One control question covers view: asking both would make the customer answer twice.
    if (capability === "control") this.#pending.delete("view");
    return id;
  }

  /** The customer's answer in the agent's window: only for the open question with that id. */
  answer(capability: Capability, id: string, granted: boolean): Verdict {
    if (this.#pending.get(capability) !== id) {
      return { ok: false, reason: "no open question with that id" };
    }
    this.#pending.delete(capability);
    if (!granted) return { ok: true, changed: [] };
    const changed: Capability[] = [];
    for (const c of capability === "control" ? ["view", "control"] as const : [capability]) {
      if (!this.#granted.has(c)) changed.push(c);
      this.#granted.add(c);
    }
    if (capability === "control") this.#pending.delete("view");
    return { ok: true, changed };
  }

  /** Takes a capability back (from the customer, or the technician through the server). */
  revoke(capability: Capability): Capability[] {
    const targets: Capability[] = capability === "view" ? ["control", "view"] : [capability];
    for (const c of targets) this.#pending.delete(c);
    const changed = targets.filter((c) => this.#granted.has(c));
    for (const c of changed) this.#granted.delete(c);
    return changed;
  }

  /** The session is over: nothing stays granted, no question stays open. */
  clear(): Capability[] {
    this.#pending.clear();
    const changed = [...this.#granted];
    this.#granted.clear();
    return changed;
  }
}
