// `deno task bench:pin-spray [addresses] [livePins] [minutes]`: can a spray of wrong PINs
// from many addresses find a live PIN, or keep customers out? Runs the real application
// in-process (tests/support/app.ts: the real routes, limiter and PGlite, a settable clock)
// with `livePins` live sessions, and sprays `/agent/join` from `addresses` IPv4 addresses as
// fast as the server allows, second by simulated second, for `minutes` (a PIN's lifetime by
// default): every address spends its first guess at once, then the attacker retries each
// second until the server says "wait" (and obeys an address's own Retry-After). Meanwhile
// legitimate customers arrive from fresh addresses and enter their right PIN on /pin —
// at once, after one typo, after two — retrying when told to. The same attacker and customers are then run
// against a model of the OLD policy (10 wrong per address per 15 min; 300 wrong a minute
// across the server locked PIN entry for everyone for 15 minutes), and both are printed.
import { LIMITS } from "../modules/limits/mod.ts";
import { createPrivateSession } from "../modules/support/mod.ts";
import { startTestApp, type TestApp, TestClient } from "../tests/support/app.ts";
import { technician } from "../tests/support/sessions.ts";

const [ADDRESSES = 1000, LIVE = 100, MINUTES = 20] = Deno.args.map(Number);
const SPACE = 1_000_000;
/** Wrong guesses an address gets checked whatever the server's load (the attacker knows). */
const FIRST_TRIES = LIMITS.pinFirstTries.max;
/** When legitimate customers arrive (seconds into the spray). */
const ARRIVALS = [5, 60, 180, 300, 600, 900, 1000, 1150].filter((s) => s < MINUTES * 60);

type Answer =
  | { kind: "in" }
  | { kind: "wrong" }
  | { kind: "wait"; scope: "address" | "global"; seconds: number };

/** One way of answering a guess: the real server, or the model of the old policy. */
interface Door {
  guess(ip: string, pin: string, nowMs: number): Promise<Answer>;
  customer(ip: string, pin: string, nowMs: number): Promise<Answer>;
}

interface Outcome {
  sent: number;
  checked: number;
  found: number;
  customers: { typos: number; waited: number | null }[];
}

const random = (() => {
  // A fixed seed, so both policies face the same guesses (xorshift32).
  let x = 2463534242;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
})();

function sprayGuesses(): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  while (out.length < 200_000) {
    const code = String(Math.floor(random() * SPACE)).padStart(6, "0");
    if (!seen.has(code)) seen.add(code), out.push(code);
  }
  return out;
}

/** The `k`-th typo of `pin`: one digit off. */
function typoOf(pin: string, k: number): string {
  return `${pin.slice(0, 5 - k)}${(Number(pin[5 - k]) + 1) % 10}${pin.slice(6 - k)}`;
}

async function spray(door: Door, pins: string[], guesses: string[]): Promise<Outcome> {
  const attackers = Array.from(
    { length: ADDRESSES },
    (_, i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
  );
  const failures = new Map<string, number>();
  const blockedUntil = new Map<string, number>();
  const outcome: Outcome = { sent: 0, checked: 0, found: 0, customers: [] };
  let next = 0;
  let turn = 0;
  type Visit = { ip: string; pins: string[]; arrived: number; at: number; index: number };
  const visits: Visit[] = ARRIVALS.flatMap((s, i) =>
    [0, 1, 2].map((typos) => {
      const index = 3 * i + typos;
      const pin = pins[index];
      const typed = [...Array(typos)].map((_, k) => typoOf(pin, k)).concat(pin);
      return { ip: `172.16.${i}.${typos + 1}`, pins: typed, arrived: s, at: s, index };
    })
  );
  for (const v of visits) {
    outcome.customers[v.index] = { typos: v.pins.length - 1, waited: null };
  }

  const attack = async (ip: string, nowMs: number) => {
    outcome.sent++;
    const answer = await door.guess(ip, guesses[next++], nowMs);
    if (answer.kind === "in") outcome.found++, outcome.checked++;
    if (answer.kind === "wrong") outcome.checked++, failures.set(ip, (failures.get(ip) ?? 0) + 1);
    if (answer.kind === "wait" && answer.scope === "address") {
      blockedUntil.set(ip, nowMs + answer.seconds * 1000);
    }
    return answer;
  };

  for (let s = 0; s < MINUTES * 60; s++) {
    const nowMs = s * 1000;
    // The attacker goes first every second (it never sleeps; a customer's retry loses the
    // race for a freed slot). Each address's first tries go at once: always checked.
    let busy = false;
    for (const ip of attackers) {
      while (!busy && (failures.get(ip) ?? 0) < FIRST_TRIES) {
        const answer = await attack(ip, nowMs);
        busy = answer.kind === "wait" && answer.scope === "global";
        if (answer.kind !== "wrong") break;
      }
    }
    // Then round robin until the server says wait to everyone.
    for (let tries = 0; !busy && tries < attackers.length; tries++) {
      const ip = attackers[turn++ % attackers.length];
      if ((blockedUntil.get(ip) ?? 0) > nowMs) continue;
      const answer = await attack(ip, nowMs);
      if (answer.kind === "wait" && answer.scope === "global") break;
    }
    for (const v of visits) {
      if (v.at !== s || v.pins.length === 0) continue;
      const answer = await door.customer(v.ip, v.pins[0], nowMs);
      if (answer.kind === "in") {
        outcome.customers[v.index].waited = s - v.arrived;
        v.pins = [];
      } else if (answer.kind === "wrong") {
        v.pins.shift();
        v.at = s + 5; // reads the PIN again, types it again
      } else v.at = s + answer.seconds;
    }
  }
  return outcome;
}

/** The real application: `/agent/join` for the spray, the /pin page for customers. */
function serverDoor(t: TestApp, startMs: number): Door {
  const from = (ip: string) => ({
    request: (url: string, init?: RequestInit) =>
      t.app.request(url, init, { remoteAddr: { hostname: ip } }),
  });
  return {
    async guess(ip, pin, nowMs) {
      t.clock.set(new Date(startMs + nowMs));
      const res = await from(ip).request("http://localhost/agent/join", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ pin }),
      });
      await res.body?.cancel();
      if (res.status === 200) return { kind: "in" };
      if (res.status === 422) return { kind: "wrong" };
      if (res.status !== 429) throw new Error(`agent/join answered ${res.status}`);
      // The agent's answer does not say the scope; the attacker learns it from the wait.
      const seconds = Number(res.headers.get("retry-after"));
      return { kind: "wait", scope: seconds > 300 ? "address" : "global", seconds };
    },
    async customer(ip, pin, nowMs) {
      t.clock.set(new Date(startMs + nowMs));
      const browser = new TestClient(from(ip));
      await browser.get("/pin");
      const res = await browser.post("/pin", { pin });
      await res.body?.cancel();
      if (res.status === 303) return { kind: "in" };
      if (res.status === 422) return { kind: "wrong" };
      return { kind: "wait", scope: "global", seconds: Number(res.headers.get("retry-after")) };
    },
  };
}

/** pin.ts before issue 11, rule for rule (its constants as they were). */
function oldPolicyDoor(pins: Set<string>): Door {
  const OLD = {
    addressFailures: 10,
    globalFailures: 300,
    windowMs: 15 * 60_000,
    globalWindowMs: 60_000,
    lockMs: 15 * 60_000,
  };
  const rows = new Map<string, { failures: number; windowStart: number; lockedUntil: number }>();
  const count = (key: string, limit: number, windowMs: number, now: number) => {
    const row = rows.get(key);
    const fresh = !row || now - row.windowStart > windowMs;
    const failures = fresh ? 1 : row.failures + 1;
    rows.set(key, {
      failures,
      windowStart: fresh ? now : row.windowStart,
      lockedUntil: failures >= limit ? now + OLD.lockMs : 0,
    });
  };
  const check = (ip: string, pin: string, now: number): Promise<Answer> => {
    for (const [key, scope] of [[`a:${ip}`, "address"], ["*", "global"]] as const) {
      const row = rows.get(key);
      if (row && row.lockedUntil > now) {
        const seconds = Math.ceil((row.lockedUntil - now) / 1000);
        return Promise.resolve({ kind: "wait", scope, seconds });
      }
    }
    if (pins.has(pin)) return Promise.resolve({ kind: "in" });
    count(`a:${ip}`, OLD.addressFailures, OLD.windowMs, now);
    count("*", OLD.globalFailures, OLD.globalWindowMs, now);
    return Promise.resolve({ kind: "wrong" });
  };
  return { guess: check, customer: check };
}

async function livePins(t: TestApp): Promise<string[]> {
  const pins: string[] = [];
  while (pins.length < LIVE) {
    const tech = await technician(t);
    for (let i = 0; i < 25 && pins.length < LIVE; i++) {
      const { session } = await createPrivateSession(t.deps, tech, {
        method: "pin",
        customerName: `Customer ${pins.length + 1}`,
        fields: {},
      });
      pins.push(session.pin!);
    }
  }
  return pins;
}

function report(name: string, o: Outcome, seconds: number) {
  const wait = (typos: number) =>
    o.customers.filter((c) => c.typos === typos).map((c) =>
      c.waited === null ? "never" : `${c.waited}`
    ).join(", ");
  const perMinute = (o.checked / (seconds / 60)).toFixed(1);
  console.log(`\n${name}`);
  console.log(`  guesses sent                     ${o.sent}`);
  console.log(`  guesses checked against PINs     ${o.checked} (${perMinute} a minute)`);
  console.log(`  live PINs found                  ${o.found}`);
  console.log(`  expected finds (checked × N/10⁶) ${(o.checked * LIVE / SPACE).toFixed(3)}`);
  console.log(`  customers' wait in s (arrivals at ${ARRIVALS.join(", ")} s):`);
  console.log(`    right PIN at once              ${wait(0)}`);
  console.log(`    after one typo                 ${wait(1)}`);
  console.log(`    after two typos                ${wait(2)}`);
}

if (import.meta.main) {
  if (ARRIVALS.length * 3 > LIVE) throw new Error(`need at least ${ARRIVALS.length * 3} live PINs`);
  const t = await startTestApp();
  try {
    const startMs = t.clock.now().getTime();
    const pins = await livePins(t);
    const guesses = sprayGuesses();
    const seconds = MINUTES * 60;
    console.log(
      `${ADDRESSES} addresses spray /agent/join for ${MINUTES} min against ${LIVE} live PINs ` +
        `(of ${SPACE.toLocaleString("en")}); ${ARRIVALS.length * 3} customers arrive meanwhile.`,
    );
    const expected = (SPACE + 1) / (LIVE + 1);
    console.log(`expected guesses to find one live PIN: ${Math.round(expected)}`);
    const started = performance.now();
    const fresh = await spray(serverDoor(t, startMs), pins, guesses);
    const tookS = ((performance.now() - started) / 1000).toFixed(1);
    report(`NEW policy (the real server, ${tookS} s of wall time)`, fresh, seconds);
    const rate = fresh.checked / MINUTES;
    console.log(
      `  at that rate one live PIN takes  ${Math.round(expected / rate)} min in expectation ` +
        `(a PIN lives ${MINUTES} min)`,
    );
    const old = await spray(oldPolicyDoor(new Set(pins)), pins, guesses);
    report("OLD policy (model of pin.ts before issue 11)", old, seconds);
  } finally {
    await t.close();
  }
}
