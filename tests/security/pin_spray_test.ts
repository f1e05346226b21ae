// Issue 11, item 7: wrong PINs from many addresses must not pause PIN entry for everyone.
// The per-address and per-code limits stay; across the server, only addresses that have
// used their first tries are slowed, so a customer's first try (and one typo) is always
// checked.
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { auditLog } from "../../modules/audit/mod.ts";
import { findByToken } from "../../modules/support/mod.ts";
import { createPrivateSession } from "../../modules/support/test_support.ts";
import { startTestApp, type TestApp } from "../support/app.ts";
import { technician } from "../support/sessions.ts";

/** `POST /agent/join` from `ip`, as the agent sends it. */
async function join(t: TestApp, ip: string, pin: string) {
  const res = await t.app.request("http://localhost/agent/join", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ pin }),
  }, { remoteAddr: { hostname: ip } });
  return { status: res.status, retryAfter: res.headers.get("retry-after"), body: await res.json() };
}

/** A six-digit code at least two digits away from `pin` (so it strikes no live code). */
function farFrom(pin: string, n: number): string {
  for (let k = n;; k += 7919) {
    const code = String((Number(pin) + 111_111 + k * 13) % 1_000_000).padStart(6, "0");
    let d = 0;
    for (let i = 0; i < 6; i++) if (code[i] !== pin[i]) d++;
    if (d >= 2) return code;
  }
}

async function livePin(t: TestApp) {
  const tech = await technician(t);
  const { session } = await createPrivateSession(t.deps, tech, {
    method: "pin",
    customerName: "Carol",
    fields: {},
  });
  return session;
}

Deno.test("300 wrong PINs from 30 addresses do not keep a customer from another address out", async () => {
  const t = await startTestApp();
  try {
    const session = await livePin(t);
    let checked = 0;
    for (let a = 0; a < 30; a++) {
      for (let g = 0; g < 10; g++) {
        const res = await join(t, `198.51.100.${a + 1}`, farFrom(session.pin!, a * 10 + g));
        assert.ok(res.status === 422 || res.status === 429, `status ${res.status}`);
        if (res.status === 422) checked++;
      }
    }
    const agent = await join(t, "203.0.113.50", session.pin!);
    assert.equal(agent.status, 200, "the agent from a fresh address gets in at once");
    assert.match(agent.body.link, new RegExp(`/s/${session.token}$`));

    const customer = t.client(); // 127.0.0.1, another fresh address
    await customer.get("/pin");
    const page = await customer.post("/pin", { pin: session.pin! });
    assert.equal(page.status, 303, "and so does the customer's page");
    assert.equal(page.headers.get("location"), `/s/${session.token}`);
    // Each address's two first tries, and 20 a minute beyond that across the server.
    assert.ok(checked <= 30 * 2 + 20, `${checked} guesses were checked`);
    const refusals = (await t.deps.db.select().from(auditLog)
      .where(eq(auditLog.action, "session.pin_refused"))).map((r) => r.details.reason);
    assert.equal(refusals.filter((r) => r === "wrong").length, checked, "every checked one");
    assert.ok(
      refusals.filter((r) => r !== "wrong").length <= 30,
      "unchecked refusals: one audit row per address, not one per request",
    );
  } finally {
    await t.close();
  }
});

Deno.test("one address still gets 10 wrong PINs per 15 minutes (an IPv6 /64 counts as one)", async () => {
  const t = await startTestApp();
  try {
    const session = await livePin(t);
    for (let g = 0; g < 10; g++) {
      assert.equal((await join(t, `2001:db8:7:7::${g + 1}`, farFrom(session.pin!, g))).status, 422);
    }
    const refused = await join(t, "2001:db8:7:7:ffff::1", session.pin!);
    assert.equal(refused.status, 429, "the right PIN is not even compared");
    assert.equal(refused.body.error, "throttled");
    assert.ok(Number(refused.retryAfter) > 14 * 60, `waits ${refused.retryAfter} s`);
    assert.equal((await join(t, "2001:db8:7:8::1", session.pin!)).status, 200, "next /64 is free");
  } finally {
    await t.close();
  }
});

Deno.test("a code guessed one digit away ten times is locked, whatever the addresses", async () => {
  const t = await startTestApp();
  try {
    const session = await livePin(t);
    const pin = session.pin!;
    for (let g = 0; g < 10; g++) {
      const near = `${pin.slice(0, 5)}${(Number(pin[5]) + 1 + (g % 9)) % 10}`;
      assert.equal((await join(t, `192.0.2.${g + 1}`, near)).status, 422);
    }
    assert.equal((await findByToken(t.deps, session.token))!.pin, null, "the code is gone");
    assert.equal((await join(t, "192.0.2.200", pin)).status, 422, "the old code opens nothing");
  } finally {
    await t.close();
  }
});

Deno.test("ten guesses at once from one address are not ten first tries", async () => {
  const t = await startTestApp();
  try {
    const session = await livePin(t);
    for (let i = 0; i < 20; i++) await join(t, `198.18.0.${i + 1}`, farFrom(session.pin!, i));
    // The server's minute is full: only first tries are checked now.
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => join(t, "198.18.1.1", farFrom(session.pin!, 100 + i))),
    );
    assert.equal(answers.filter((a) => a.status === 422).length, 2, "two first tries");
    assert.ok(answers.every((a) => a.status === 422 || a.status === 429));
  } finally {
    await t.close();
  }
});
