// The outbox against a real database and a real SMTP server: held, sent, refused, down,
// back-off to failed, rolled back, and the retry worker.
import assert from "node:assert/strict";
import { MAX_ATTEMPTS, retryDelayMs } from "../outbox/mod.ts";
import {
  assertRollbackLeavesNoRow,
  type OutboxHarness,
  withOutboxDeps,
  workUntilSent,
} from "../outbox/test_harness.ts";
import { deliverMail, enqueueMail, mailOutbox, startMailWorker } from "./mod.ts";
import type { MailRow } from "./outbox.ts";
import { closedPort, startSmtpServer, type TestSmtpServer } from "./smtp_test_server.ts";

const MAIL = {
  kind: "invitation",
  to: "new.tech@example.test",
  subject: "You are invited to Rescue",
  text: "Follow this link to choose a password: https://rescue.example.test/invite/abc",
};

function withOutbox(
  smtpUrl: string | undefined,
  run: (h: OutboxHarness<MailRow>) => Promise<void>,
): Promise<void> {
  return withOutboxDeps({ table: mailOutbox, config: { smtpUrl } }, run);
}

async function withSmtp(run: (smtp: TestSmtpServer) => Promise<void>): Promise<void> {
  const smtp = await startSmtpServer();
  try {
    await run(smtp);
  } finally {
    await smtp.close();
  }
}

Deno.test("enqueueMail() holds mail without SMTP and deliverMail() leaves held mail alone", async () => {
  await withSmtp(async (smtp) => {
    await withOutbox(undefined, async ({ deps, clock, row }) => {
      const id = await enqueueMail(deps.db, MAIL, { now: clock.now(), smtpConfigured: false });
      assert.equal((await row(id)).status, "held");
      await deliverMail(deps, [id]);
      await deliverMail(deps);
      const held = await row(id);
      assert.deepEqual(
        [held.status, held.attempts, held.nextAttemptAt, held.sentAt],
        ["held", 0, null, null],
      );
      // Even once SMTP exists, the retry loop does not pick held mail up on its own.
      await deliverMail({ ...deps, config: { ...deps.config, smtpUrl: smtp.url } });
      assert.equal((await row(id)).status, "held");
      assert.equal(smtp.messages.length, 0);
    });
  });
});

Deno.test("deliverMail() sends a pending message over SMTP and marks it sent", async () => {
  await withSmtp(async (smtp) => {
    await withOutbox(smtp.url, async ({ deps, clock, row }) => {
      const html = "<p>Follow <a href='https://rescue.example.test/invite/abc'>this link</a></p>";
      const id = await enqueueMail(deps.db, { ...MAIL, orgId: null, html }, {
        now: clock.now(),
        smtpConfigured: true,
      });
      assert.equal((await row(id)).status, "pending");
      clock.advance(1_000);
      await deliverMail(deps, [id]);
      const sent = await row(id);
      assert.equal(sent.status, "sent");
      assert.equal(sent.sentAt?.toISOString(), "2026-11-24T10:00:01.000Z");
      assert.equal(sent.nextAttemptAt, null);
      assert.equal(smtp.messages.length, 1);
      assert.deepEqual(smtp.recipients, [[MAIL.to]]);
      const raw = smtp.messages[0];
      assert.match(raw, /^Subject: You are invited to Rescue$/m);
      assert.match(raw, /^From: Rescue <no-reply@rescue\.example\.test>$/m);
      assert.match(raw, /choose a password/);
      assert.match(raw, /Content-Type: text\/html/);
      assert.match(raw, new RegExp(`^X-Rescue-Mail-Id: ${id}\r?$`, "mi"));
      await deliverMail(deps, [id]);
      await deliverMail(deps);
      assert.equal(smtp.messages.length, 1, "a sent message is not sent again");
    });
  });
});

Deno.test("deliverMail() sends a message once when two deliverers race for it", async () => {
  await withSmtp(async (smtp) => {
    await withOutbox(smtp.url, async ({ deps, clock, row }) => {
      const id = await enqueueMail(deps.db, MAIL, { now: clock.now(), smtpConfigured: true });
      await Promise.all([deliverMail(deps, [id]), deliverMail(deps), deliverMail(deps)]);
      assert.equal((await row(id)).status, "sent");
      assert.equal(smtp.messages.length, 1);
    });
  });
});

Deno.test("deliverMail() backs off on a refused recipient and fails the message after 8 attempts", async () => {
  await withSmtp(async (smtp) => {
    smtp.rejectRecipients = true;
    await withOutbox(smtp.url, async ({ deps, clock, row }) => {
      const id = await enqueueMail(deps.db, MAIL, { now: clock.now(), smtpConfigured: true });
      await deliverMail(deps, [id]);
      const first = await row(id);
      assert.equal(first.status, "pending");
      assert.equal(first.attempts, 1);
      assert.match(first.lastError ?? "", /550/);
      assert.equal(first.nextAttemptAt?.getTime(), clock.now().getTime() + 60_000);

      await deliverMail(deps);
      assert.equal((await row(id)).attempts, 1, "not retried before its time");

      const delays = [60_000];
      for (let attempt = 2; attempt <= MAX_ATTEMPTS; attempt++) {
        clock.advance(retryDelayMs(attempt - 1));
        await deliverMail(deps);
        const current = await row(id);
        assert.equal(current.attempts, attempt);
        if (current.nextAttemptAt) {
          delays.push(current.nextAttemptAt.getTime() - clock.now().getTime());
        }
      }
      assert.deepEqual(delays, [1, 2, 4, 8, 16, 32, 60].map((m) => m * 60_000));
      const last = await row(id);
      assert.equal(last.status, "failed");
      assert.equal(last.nextAttemptAt, null);
      clock.advance(86_400_000);
      await deliverMail(deps);
      assert.equal((await row(id)).attempts, MAX_ATTEMPTS, "failed mail waits for an admin");
      assert.equal(smtp.messages.length, 0);
    });
  });
});

Deno.test("deliverMail() keeps the message pending when the SMTP server is down", async () => {
  await withOutbox(`smtp://127.0.0.1:${closedPort()}`, async ({ deps, clock, row }) => {
    const id = await enqueueMail(deps.db, MAIL, { now: clock.now(), smtpConfigured: true });
    await deliverMail(deps, [id]);
    const after = await row(id);
    assert.equal(after.status, "pending");
    assert.equal(after.attempts, 1);
    assert.match(after.lastError ?? "", /ECONNREFUSED|refused/i);
    assert.ok(after.nextAttemptAt! > clock.now());
  });
});

Deno.test("enqueueMail() inside a transaction that rolls back leaves no row", async () => {
  await withOutbox(undefined, async ({ deps, clock }) => {
    await assertRollbackLeavesNoRow(
      deps,
      mailOutbox,
      (tx) => enqueueMail(tx, MAIL, { now: clock.now(), smtpConfigured: true }),
    );
  });
});

Deno.test("startMailWorker() delivers due pending mail until stopped", async () => {
  await withSmtp(async (smtp) => {
    await withOutbox(smtp.url, async (h) => {
      const id = await enqueueMail(h.deps.db, MAIL, { now: h.clock.now(), smtpConfigured: true });
      await workUntilSent(h, id, () => startMailWorker(h.deps, { intervalMs: 20 }));
      assert.equal(smtp.messages.length, 1);
    });
  });
});
