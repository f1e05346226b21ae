// The SMS outbox against a real database and a real loopback HTTP gateway: held without a
// gateway, sent, back-off to failed, bad numbers refused, rolled back, and the worker.
import assert from "node:assert/strict";
import type { Config } from "../config/mod.ts";
import { MAX_ATTEMPTS, retryDelayMs } from "../outbox/mod.ts";
import {
  assertRollbackLeavesNoRow,
  type OutboxHarness,
  withOutboxDeps,
  workUntilSent,
} from "../outbox/test_harness.ts";
import {
  deliverSms,
  enqueueSms,
  InvalidPhoneNumberError,
  type SmsGateway,
  smsOutbox,
  startSmsWorker,
} from "./mod.ts";
import type { SmsRow } from "./outbox.ts";
import { withGateway } from "./gateway_test_server.ts";

const SMS = { orgId: null, to: "+31 6 1234-5678", body: "Your Rescue PIN: 482 913" };

interface Harness extends OutboxHarness<SmsRow> {
  enqueue(extra?: Partial<typeof SMS>): Promise<string>;
}

function withOutbox(
  gateway: Pick<Config, "smsGatewayUrl" | "smsGatewayAuth">,
  run: (h: Harness) => Promise<void>,
): Promise<void> {
  return withOutboxDeps({ table: smsOutbox, config: gateway }, (h) => {
    const enqueue = (extra: Partial<typeof SMS> = {}) =>
      enqueueSms(h.deps.db, {
        ...SMS,
        ...extra,
        now: h.clock.now(),
        gatewayConfigured: Boolean(gateway.smsGatewayUrl),
      });
    return run({ ...h, enqueue });
  });
}

Deno.test("enqueueSms() holds a message without a gateway and deliverSms() sends nothing", async () => {
  await withGateway(async (gateway) => {
    await withOutbox({}, async ({ deps, row, enqueue }) => {
      const id = await enqueue();
      const held = await row(id);
      assert.deepEqual(
        [held.status, held.toNumber, held.body, held.attempts, held.nextAttemptAt],
        ["held", "+31612345678", SMS.body, 0, null],
      );
      await deliverSms(deps, [id]);
      await deliverSms(deps);
      assert.equal((await row(id)).status, "held");
      // Once a gateway exists, the retry loop still leaves held messages to an admin.
      await deliverSms({ ...deps, config: { ...deps.config, smsGatewayUrl: gateway.url } });
      assert.equal((await row(id)).status, "held");
      assert.equal(gateway.requests.length, 0);
    });
  });
});

Deno.test("deliverSms() posts a pending message to the gateway and marks it sent", async () => {
  await withGateway(async (gateway) => {
    const config = { smsGatewayUrl: gateway.url, smsGatewayAuth: "Bearer gw-token" };
    await withOutbox(config, async ({ deps, clock, row, enqueue }) => {
      const id = await enqueue();
      assert.equal((await row(id)).status, "pending");
      clock.advance(1_000);
      await deliverSms(deps, [id]);
      const sent = await row(id);
      assert.equal(sent.status, "sent");
      assert.equal(sent.sentAt?.toISOString(), "2026-11-24T10:00:01.000Z");
      assert.equal(gateway.requests.length, 1);
      const [req] = gateway.requests;
      assert.equal(req.authorization, "Bearer gw-token");
      assert.deepEqual(JSON.parse(req.body), { to: "+31612345678", body: SMS.body });
      await deliverSms(deps, [id]);
      await deliverSms(deps);
      assert.equal(gateway.requests.length, 1, "a sent message is not sent again");
    });
  });
});

Deno.test("deliverSms() sends a message once when two deliverers race for it", async () => {
  await withGateway(async (gateway) => {
    await withOutbox({ smsGatewayUrl: gateway.url }, async ({ deps, row, enqueue }) => {
      const id = await enqueue();
      await Promise.all([deliverSms(deps, [id]), deliverSms(deps), deliverSms(deps)]);
      assert.equal((await row(id)).status, "sent");
      assert.equal(gateway.requests.length, 1);
    });
  });
});

Deno.test("deliverSms() backs off on a 500 and fails the message after 8 attempts", async () => {
  await withGateway(async (gateway) => {
    gateway.status = 500;
    await withOutbox({ smsGatewayUrl: gateway.url }, async ({ deps, clock, row, enqueue }) => {
      const id = await enqueue();
      await deliverSms(deps);
      const first = await row(id);
      assert.deepEqual([first.status, first.attempts], ["pending", 1]);
      assert.match(first.lastError ?? "", /answered 500/);
      assert.equal(first.nextAttemptAt?.getTime(), clock.now().getTime() + 60_000);

      clock.advance(59_999);
      await deliverSms(deps);
      assert.equal((await row(id)).attempts, 1, "not retried before its time");

      const delays = [60_000];
      clock.advance(1);
      for (let attempt = 2; attempt <= MAX_ATTEMPTS; attempt++) {
        if (attempt > 2) clock.advance(retryDelayMs(attempt - 1));
        await deliverSms(deps);
        const current = await row(id);
        assert.equal(current.attempts, attempt);
        if (current.nextAttemptAt) {
          delays.push(current.nextAttemptAt.getTime() - clock.now().getTime());
        }
      }
      assert.deepEqual(delays, [1, 2, 4, 8, 16, 32, 60].map((m) => m * 60_000));
      const last = await row(id);
      assert.deepEqual([last.status, last.nextAttemptAt], ["failed", null]);
      assert.equal(gateway.requests.length, MAX_ATTEMPTS);
      clock.advance(86_400_000);
      await deliverSms(deps);
      assert.equal(gateway.requests.length, MAX_ATTEMPTS, "a failed message waits for an admin");
    });
  });
});

Deno.test("deliverSms() uses deps.smsGateway over the configured one", async () => {
  await withOutbox({}, async ({ deps, row }) => {
    const sent: Parameters<SmsGateway["send"]>[0][] = [];
    const smsGateway: SmsGateway = {
      send: (message) => {
        sent.push(message);
        return Promise.resolve();
      },
    };
    const id = await enqueueSms(deps.db, {
      ...SMS,
      now: deps.clock.now(),
      gatewayConfigured: true,
    });
    await deliverSms({ ...deps, smsGateway }, [id]);
    assert.equal((await row(id)).status, "sent");
    assert.deepEqual(sent, [{ to: "+31612345678", body: SMS.body }]);
  });
});

Deno.test("enqueueSms() refuses a bad number or an empty text and writes nothing", async () => {
  await withOutbox({}, async ({ deps, enqueue }) => {
    for (const to of ["12345", "call me", "+31 6 1234 5678 9012 34", ""]) {
      await assert.rejects(enqueue({ to }), InvalidPhoneNumberError, to);
    }
    await assert.rejects(enqueue({ body: "  " }), RangeError);
    assert.equal((await deps.db.select().from(smsOutbox)).length, 0);
  });
});

Deno.test("enqueueSms() inside a transaction that rolls back leaves no row", async () => {
  await withOutbox({}, async ({ deps, clock }) => {
    await assertRollbackLeavesNoRow(
      deps,
      smsOutbox,
      (tx) => enqueueSms(tx, { ...SMS, now: clock.now(), gatewayConfigured: true }),
    );
  });
});

Deno.test("startSmsWorker() delivers due pending messages until stopped", async () => {
  await withGateway(async (gateway) => {
    await withOutbox({ smsGatewayUrl: gateway.url }, async (h) => {
      const id = await h.enqueue();
      await workUntilSent(h, id, () => startSmsWorker(h.deps, { intervalMs: 20 }));
      assert.equal(gateway.requests.length, 1);
    });
  });
});
