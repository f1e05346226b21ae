/**
 * The status changes the cluster bench makes and how it tells that a console saw one.
 * Each change names its session, the consoles that must see it, and what their `rows`
 * event for that session looks like once they have (`seen`); the time it counts from is
 * taken just before the request that makes the change is sent. Changes go out at a steady
 * rate with a bounded number in flight, on the instances in turn, so a change is made on
 * one instance and must reach consoles on all of them.
 */
import type { RowsEvent } from "./consoles.ts";

export type ChangeKind = "start" | "hold" | "resume" | "waiting";

export interface Change {
  kind: ChangeKind;
  sessionId: string;
  /** Console indexes that must see it. */
  expected: number[];
  /** Whether a console's `rows` statuses ("a,b"; "" = its rows were removed) show it. */
  seen: (statuses: string, console: number) => boolean;
  /** Epoch ms just before the request went out. */
  at: number;
  /** The request failed (HTTP status or error text); such a change is not measured. */
  failed?: string;
}

export interface ChangeOutcome {
  kind: ChangeKind;
  /** ms from the change to each console that saw it within the window. */
  latencies: number[];
  expected: number;
  lost: number;
}

export const wallNow = () => performance.timeOrigin + performance.now();

/** Every console's `rows` events by session, in arrival order, to judge the changes by. */
export class EventLog {
  #bySession = new Map<string, Map<number, [string, number][]>>();
  add = ([console, sessionId, statuses, at]: RowsEvent) => {
    if (statuses === "queue") return;
    let byConsole = this.#bySession.get(sessionId);
    if (!byConsole) this.#bySession.set(sessionId, byConsole = new Map());
    let list = byConsole.get(console);
    if (!list) byConsole.set(console, list = []);
    list.push([statuses, at]);
  };

  /** When each expected console first saw `change` within `windowMs`; undefined = not. */
  outcome(change: Change, windowMs: number): (number | undefined)[] {
    const byConsole = this.#bySession.get(change.sessionId);
    return change.expected.map((console) => {
      const hit = byConsole?.get(console)?.find(([statuses, at]) =>
        at >= change.at && at <= change.at + windowMs && change.seen(statuses, console)
      );
      return hit ? hit[1] - change.at : undefined;
    });
  }
}

/**
 * Makes `count` changes at `perSecond`, at most `inFlight` at once; `make(k)` sends the
 * k-th and returns its Change (with `at` set before sending). Then waits until every
 * expected console saw every change, or `windowMs` after the last one went out.
 */
export async function paced(
  count: number,
  perSecond: number,
  inFlight: number,
  log: EventLog,
  windowMs: number,
  make: (k: number) => Promise<Change>,
): Promise<Change[]> {
  const changes: Change[] = [];
  const started = performance.now();
  let running = 0;
  const pending = new Set<Promise<void>>();
  for (let k = 0; k < count; k++) {
    const due = started + (k * 1000) / perSecond;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    while (running >= inFlight) await Promise.race(pending);
    running++;
    const p: Promise<void> = make(k).then((c) => void changes.push(c)).finally(() => {
      running--;
      pending.delete(p);
    });
    pending.add(p);
  }
  await Promise.all(pending);
  const lastAt = Math.max(...changes.map((c) => c.at));
  while (wallNow() < lastAt + windowMs) {
    const open = changes.some((c) =>
      !c.failed && log.outcome(c, windowMs).some((t) => t === undefined)
    );
    if (!open) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return changes;
}

export function outcomes(changes: Change[], log: EventLog, windowMs: number): ChangeOutcome[] {
  return changes.filter((c) => !c.failed).map((change) => {
    const times = log.outcome(change, windowMs);
    const latencies = times.filter((t): t is number => t !== undefined);
    return {
      kind: change.kind,
      latencies,
      expected: times.length,
      lost: times.length - latencies.length,
    };
  });
}

/**
 * A browser for actions: a technician's (its session cookie) or a customer's (from its own
 * address, sent as X-Forwarded-For: the instances run with RESCUE_TRUST_PROXY=1), with the
 * CSRF cookie and token of the last page it loaded.
 */
export class Browser {
  #cookies = new Map<string, string>();
  #csrf = "";
  constructor(options: { sessionToken?: string; address?: string } = {}) {
    if (options.sessionToken) this.#cookies.set("rs_session", options.sessionToken);
    this.address = options.address;
  }
  readonly address?: string;

  async #request(base: string, path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set("cookie", [...this.#cookies].map(([k, v]) => `${k}=${v}`).join("; "));
    headers.set("origin", base);
    if (this.address) headers.set("x-forwarded-for", this.address);
    const res = await fetch(base + path, { ...init, headers, redirect: "manual" });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const i = pair.indexOf("=");
      this.#cookies.set(pair.slice(0, i).trim(), pair.slice(i + 1).trim());
    }
    return res;
  }

  /** Loads a page for its CSRF cookie and token (valid on every instance: one secret). */
  async page(base: string, path: string): Promise<void> {
    const res = await this.#request(base, path);
    const text = await res.text();
    const match = /name="_csrf" value="([^"]+)"/.exec(text) ??
      /X-CSRF-Token&quot;:&quot;([^&]+)&quot;/.exec(text);
    if (!match) throw new Error(`no CSRF token on ${path} (${res.status})`);
    this.#csrf = match[1];
  }

  /** Posts a form with the CSRF token; returns the status and the redirect, if any. */
  async post(
    base: string,
    path: string,
    fields: Record<string, string> = {},
  ): Promise<{ status: number; location: string }> {
    const res = await this.#request(base, path, {
      method: "POST",
      body: new URLSearchParams({ _csrf: this.#csrf, ...fields }),
      headers: { "content-type": "application/x-www-form-urlencoded", "x-csrf-token": this.#csrf },
    });
    await res.body?.cancel();
    return { status: res.status, location: res.headers.get("location") ?? "" };
  }
}
