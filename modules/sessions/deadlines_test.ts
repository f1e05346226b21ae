import assert from "node:assert/strict";
import {
  type Deadline,
  DEADLINES,
  type DeadlineSettings,
  deadlinesFor,
  INACTIVITY_BLOCKERS,
  SESSION_STATUSES,
  type SessionEvent,
  transition,
} from "./mod.ts";

const SETTINGS: DeadlineSettings = {
  connectingTimeout: 20,
  waitingTimeout: 30,
  inactivityTimeout: 60,
  holdMaxDays: 3,
};
const ENTERED = new Date("2025-03-01T12:00:00Z");
const MIN = 60_000;
const DAY = 24 * 60 * MIN;

function after(ms: number): Date {
  return new Date(ENTERED.getTime() + ms);
}

function plain(deadlines: Deadline[]) {
  return deadlines.map((d) => ({ kind: d.kind, at: d.at.toISOString() }));
}

function expect(...pairs: [Deadline["kind"], Date][]) {
  return pairs.map(([kind, at]) => ({ kind, at: at.toISOString() }));
}

Deno.test("deadlinesFor() starts the connecting and waiting timeouts from group settings", () => {
  assert.deepEqual(
    plain(deadlinesFor("connecting", SETTINGS, ENTERED)),
    expect(["connecting_timeout", after(20 * MIN)]),
  );
  assert.deepEqual(
    plain(deadlinesFor("waiting", SETTINGS, ENTERED)),
    expect(["waiting_timeout", after(30 * MIN)]),
  );
});

Deno.test("deadlinesFor() starts inactivity and the two-week system timeout in Active", () => {
  assert.deepEqual(
    plain(deadlinesFor("active", SETTINGS, ENTERED)),
    expect(["inactivity_timeout", after(60 * MIN)], ["system_timeout", after(14 * DAY)]),
  );
  assert.deepEqual(
    plain(deadlinesFor("collaborating", SETTINGS, ENTERED)),
    expect(["inactivity_timeout", after(60 * MIN)]),
  );
});

Deno.test("deadlinesFor() limits a hold to the group's days, and never past 14", () => {
  assert.deepEqual(
    plain(deadlinesFor("on_hold", SETTINGS, ENTERED)),
    expect(["hold_limit_reached", after(3 * DAY)], ["system_timeout", after(14 * DAY)]),
  );
  const capped = deadlinesFor("on_hold", { ...SETTINGS, holdMaxDays: 30 }, ENTERED);
  assert.deepEqual(plain(capped)[0], {
    kind: "hold_limit_reached",
    at: after(14 * DAY).toISOString(),
  });
});

Deno.test("deadlinesFor() takes Reconnecting and Rebooting Offline after 5 minutes", () => {
  assert.deepEqual(
    plain(deadlinesFor("reconnecting", SETTINGS, ENTERED)),
    expect(
      ["offline_after_5_min", after(5 * MIN)],
      ["inactivity_timeout", after(60 * MIN)],
      ["system_timeout", after(14 * DAY)],
    ),
  );
  // A short inactivity timeout fires before Offline: Reconnecting → Timed out.
  assert.deepEqual(
    plain(deadlinesFor("reconnecting", { ...SETTINGS, inactivityTimeout: 1 }, ENTERED)).map((d) =>
      d.kind
    ),
    ["inactivity_timeout", "offline_after_5_min", "system_timeout"],
  );
  assert.deepEqual(
    plain(deadlinesFor("rebooting", SETTINGS, ENTERED)),
    expect(["offline_after_5_min", after(5 * MIN)]),
  );
});

Deno.test("deadlinesFor() counts Offline's inactivity from when the connection went", () => {
  // The manual's example: an 8-minute inactivity timeout, Offline after 5, Timed out at 8.
  assert.deepEqual(
    plain(deadlinesFor("offline", { ...SETTINGS, inactivityTimeout: 8 }, ENTERED)),
    expect(["inactivity_timeout", after(3 * MIN)], ["system_timeout", after(14 * DAY - 5 * MIN)]),
  );
  const overdue = deadlinesFor("offline", { ...SETTINGS, inactivityTimeout: 2 }, ENTERED);
  assert.deepEqual(plain(overdue)[0], { kind: "inactivity_timeout", at: ENTERED.toISOString() });
});

Deno.test("deadlinesFor() starts nothing in transfers, invitations and closed rows", () => {
  for (
    const status of [
      "incoming",
      "outgoing",
      "invitation",
      "timed_out",
      "closed",
      "closed_by_waiting_customer",
      "removed",
    ] as const
  ) {
    assert.deepEqual(deadlinesFor(status, SETTINGS, ENTERED), [], status);
  }
});

Deno.test("DEADLINES fire only events their status accepts", () => {
  const idle = Object.fromEntries(INACTIVITY_BLOCKERS.map((b) => [b, false]));
  for (const status of SESSION_STATUSES) {
    for (const rule of DEADLINES[status]) {
      const event = (rule.kind === "inactivity_timeout"
        ? { type: rule.kind, open: idle }
        : { type: rule.kind }) as SessionEvent;
      const result = transition({ status, previous: "active" }, event);
      assert.ok(result.ok, `${status} starts ${rule.kind} but refuses it`);
    }
  }
});

Deno.test("deadlinesFor() rejects a bad setting or date", () => {
  assert.throws(
    () => deadlinesFor("waiting", { ...SETTINGS, waitingTimeout: Number.NaN }, ENTERED),
    RangeError,
  );
  assert.throws(
    () => deadlinesFor("on_hold", { ...SETTINGS, holdMaxDays: 0 }, ENTERED),
    RangeError,
  );
  assert.throws(() => deadlinesFor("active", SETTINGS, new Date("nope")), RangeError);
});
