// Issue 15: the work every instance does on its own timer, done by two instances on one
// PostgreSQL database at the same moment — each due deadline fires once, each outbox message
// is claimed by one worker and sent once, and a rate limit's budget is one budget whichever
// instance the requests reach.
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { deliverMail, enqueueMail, mailOutbox } from "../../modules/mail/mod.ts";
import { startSmtpServer } from "../../modules/mail/smtp_test_server.ts";
import { deliverSms, enqueueSms, type SmsDeps } from "../../modules/sms/mod.ts";
import { smsStore } from "../../modules/sms/outbox.ts";
import { smsOutbox } from "../../modules/sms/schema.ts";
import { fireDueDeadlines, readLog } from "../../modules/support/mod.ts";
import { createPrivateSession } from "../../modules/support/test_support.ts";
import { queueEntries } from "../../modules/support/test_support.ts";
import { ADMIN, TestClient } from "../support/app.ts";
import { TECH_PASSWORD } from "../support/org.ts";
import { type ClusterTestApp, startClusterApps } from "../support/cluster.ts";
import { technician } from "../support/sessions.ts";

const ignore = !Deno.env.get("DATABASE_URL");

/** The JSON log lines of `app` with message `msg`. */
function logged(app: ClusterTestApp, msg: string): Record<string, unknown>[] {
  return app.logLines.map((line) => JSON.parse(line)).filter((line) => line.msg === msg);
}

Deno.test({
  name: "cluster: 50 due connecting deadlines fired by both instances at once — each exactly once",
  ignore,
  fn: async () => {
    const cluster = await startClusterApps(2);
    const [a, b] = cluster.apps;
    try {
      // Two technicians: one may create only 30 sessions a minute.
      const techs = [await technician(a), await technician(b)];
      const sessions = [];
      for (let i = 0; i < 50; i++) {
        sessions.push(
          (await createPrivateSession(a.deps, techs[i % 2], {
            method: "pin",
            customerName: `Customer ${i}`,
            fields: {},
          })).session,
        );
      }
      a.clock.advance(24 * 3_600_000); // one clock for both: every connecting deadline is due
      const fired = { a: 0, b: 0 };
      for (let round = 0; round < 10; round++) {
        const [byA, byB] = await Promise.all([fireDueDeadlines(a.deps), fireDueDeadlines(b.deps)]);
        fired.a += byA;
        fired.b += byB;
        if (byA + byB === 0) break;
      }
      console.log(`deadlines fired: A ${fired.a}, B ${fired.b}`);
      assert.equal(fired.a + fired.b, 50);
      for (const session of sessions) {
        const bodies = (await readLog(a.deps.db, session.id, 0)).map((line) => line.body);
        assert.equal(
          bodies.filter((body) => body === "log.deadline_connecting_timeout").length,
          1,
          `one deadline line for ${session.customerName}`,
        );
        assert.equal(
          bodies.filter((body) => body.startsWith("status.")).length,
          1,
          "one transition",
        );
        const rows = await a.deps.db.select().from(queueEntries)
          .where(eq(queueEntries.sessionId, session.id));
        assert.deepEqual(rows.map((row) => row.status), ["removed"]);
      }
    } finally {
      await cluster.close();
    }
  },
});

Deno.test({
  name:
    "cluster: two mail workers over a real SMTP listener claim disjoint rows; each message goes once",
  ignore,
  fn: async () => {
    const smtp = await startSmtpServer();
    const cluster = await startClusterApps(2);
    const [a, b] = cluster.apps;
    try {
      const ids = new Set<string>();
      for (let i = 0; i < 120; i++) {
        ids.add(
          await enqueueMail(a.deps.db, {
            kind: "invitation",
            to: `tech${i}@example.test`,
            subject: `Invitation ${i}`,
            text: "Welcome",
          }, { now: a.clock.now(), smtpConfigured: true }),
        );
      }
      const withSmtp = (app: ClusterTestApp) => ({
        ...app.deps,
        config: { ...app.deps.config, smtpUrl: smtp.url },
      });
      await Promise.all([deliverMail(withSmtp(a)), deliverMail(withSmtp(b))]);
      await Promise.all([deliverMail(withSmtp(a)), deliverMail(withSmtp(b))]);

      const sentIds = smtp.messages.map((raw) => /^X-Rescue-Mail-Id: (\S+)\r?$/mi.exec(raw)?.[1]);
      assert.equal(sentIds.length, 120);
      assert.deepEqual(new Set(sentIds), ids, "every message once");
      const byA = logged(a, "mail sent").map((line) => line.mailId);
      const byB = logged(b, "mail sent").map((line) => line.mailId);
      console.log(`mail sent: A ${byA.length}, B ${byB.length}`);
      assert.equal(byA.length + byB.length, 120);
      assert.equal(new Set([...byA, ...byB]).size, 120, "no message claimed by both");
      const rows = await a.deps.db.select().from(mailOutbox);
      assert.ok(rows.every((row) => row.status === "sent" && row.attempts === 0));
    } finally {
      await cluster.close();
      await smtp.close();
    }
  },
});

Deno.test({
  name: "cluster: two instances claiming the outbox at once take different batches of 50",
  ignore,
  fn: async () => {
    const cluster = await startClusterApps(2);
    const [a, b] = cluster.apps;
    try {
      for (let i = 0; i < 120; i++) {
        await enqueueSms(a.deps.db, {
          orgId: null,
          to: `+3161234${String(i).padStart(4, "0")}`,
          body: `Your code ${i}`,
          now: a.clock.now(),
          gatewayConfigured: true,
        });
      }
      const now = a.clock.now();
      const claim = (app: ClusterTestApp) =>
        smsStore.claim(app.deps.db, { now, until: new Date(now.getTime() + 60_000), batch: 50 });
      const first = await Promise.all([claim(a), claim(b)]);
      const second = await Promise.all([claim(a), claim(b)]);
      const sizes = [...first, ...second].map((rows) => rows.length);
      // Neither waits for the other's batch and stops with nothing, nor takes more than one.
      assert.deepEqual(sizes.slice(0, 2), [50, 50]);
      // The 20 left go to whichever asks: one takes them all, or two at once share them (each
      // skips the rows the other has locked) — CI saw 11 + 9.
      assert.equal(sizes[2] + sizes[3], 20, `second round ${sizes.slice(2)}`);
      const ids = [...first, ...second].flat().map((row) => row.id);
      assert.equal(new Set(ids).size, 120, "no row claimed twice");
    } finally {
      await cluster.close();
    }
  },
});

Deno.test({
  name: "cluster: two SMS workers claim disjoint rows; each message goes to the gateway once",
  ignore,
  fn: async () => {
    const cluster = await startClusterApps(2);
    const [a, b] = cluster.apps;
    try {
      for (let i = 0; i < 120; i++) {
        await enqueueSms(a.deps.db, {
          orgId: null,
          to: `+3161234${String(i).padStart(4, "0")}`,
          body: `Your code ${i}`,
          now: a.clock.now(),
          gatewayConfigured: true,
        });
      }
      const received: string[] = [];
      const counted = (app: ClusterTestApp): SmsDeps => ({
        ...app.deps,
        smsGateway: {
          send: async (message) => {
            await new Promise((r) => setTimeout(r, 2)); // a carrier takes a moment
            received.push(message.to);
          },
        },
      });
      const sent = { a: 0, b: 0 };
      const deliver = async (app: ClusterTestApp, key: "a" | "b") => {
        const deps = counted(app);
        const before = logged(app, "sms sent").length;
        await deliverSms(deps);
        sent[key] += logged(app, "sms sent").length - before;
      };
      await Promise.all([deliver(a, "a"), deliver(b, "b")]);
      await Promise.all([deliver(a, "a"), deliver(b, "b")]);
      console.log(`sms sent: A ${sent.a}, B ${sent.b}`);
      assert.equal(received.length, 120);
      assert.equal(new Set(received).size, 120, "every number once");
      const rows = await a.deps.db.select().from(smsOutbox);
      assert.ok(rows.every((row) => row.status === "sent"));
    } finally {
      await cluster.close();
    }
  },
});

Deno.test({
  name:
    "cluster: wrong PINs through A and B spend one budget of the address — 10, then 429 on both",
  ignore,
  fn: async () => {
    const cluster = await startClusterApps(2);
    const [a, b] = cluster.apps;
    try {
      const tech = await technician(a);
      const { session } = await createPrivateSession(a.deps, tech, {
        method: "pin",
        customerName: "Carol",
        fields: {},
      });
      // One browser whose requests the load balancer sends to A and B in turn, over real HTTP
      // (both see the address 127.0.0.1).
      const browser = roundRobin([a, b]);
      await browser.get("/pin");
      const wrong = (i: number) => {
        const pin = String(100_000 + i);
        return pin === session.pin ? "100099" : pin;
      };
      // Twenty wrong guesses at once, half through each instance: ten are checked.
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) => browser.post("/pin", { pin: wrong(i) })),
      );
      const statuses = answers.map((res) => res.status);
      await Promise.all(answers.map((res) => res.body?.cancel()));
      assert.equal(statuses.filter((s) => s === 422).length, 10, statuses.join(","));
      assert.equal(statuses.filter((s) => s === 429).length, 10);
      for (const app of [a, b]) {
        const res = await new TestClient({
          request: (url, init) => fetch(url.replace("http://localhost", app.url), init),
        }).post("/pin", { pin: session.pin!, _csrf: browser.csrf }, {
          cookie: browser.cookieHeader(),
        });
        await res.body?.cancel();
        assert.equal(res.status, 429, `even the right PIN waits on ${app === a ? "A" : "B"}`);
      }
    } finally {
      await cluster.close();
    }
  },
});

/** A client whose requests go to `apps` in turn over real HTTP, like a round-robin balancer. */
function roundRobin(apps: ClusterTestApp[]): TestClient {
  let turn = 0;
  return new TestClient({
    request: (url, init) =>
      fetch(url.replace("http://localhost", apps[turn++ % apps.length].url), init),
  });
}

Deno.test({
  name: "cluster: wrong passwords through A and B count on one sign-in throttle",
  ignore,
  fn: async () => {
    const cluster = await startClusterApps(2);
    try {
      const browser = roundRobin(cluster.apps);
      const statuses: number[] = [];
      await browser.get("/signin");
      for (let i = 0; i < 6; i++) {
        // A, B, A, B, …: the first sign-in page came from the other one.
        const res = await browser.post("/signin", { email: ADMIN.email, password: `wrong ${i}` });
        await res.body?.cancel();
        statuses.push(res.status);
      }
      // Four free failures and a fifth; the sixth (after three through each) must wait.
      assert.equal(statuses.slice(0, 5).filter((s) => s === 429).length, 0, statuses.join());
      assert.equal(statuses[5], 429, statuses.join());
    } finally {
      await cluster.close();
    }
  },
});

Deno.test({
  name: "cluster: 40 API session creations at once through A and B — the budget of 30 holds",
  ignore,
  fn: async () => {
    const cluster = await startClusterApps(2);
    const [a] = cluster.apps;
    try {
      const tech = await technician(a);
      const api = roundRobin(cluster.apps);
      const tokenRes = await api.send("/api/v1/auth/token", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: tech.email, password: TECH_PASSWORD }),
      });
      assert.equal(tokenRes.status, 201);
      const { token } = await tokenRes.json();
      const answers = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          api.send("/api/v1/sessions", {
            method: "POST",
            headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
            body: JSON.stringify({ method: "pin", customerName: `Batch ${i}` }),
          })),
      );
      const statuses = answers.map((res) => res.status);
      await Promise.all(answers.map((res) => res.body?.cancel()));
      assert.equal(statuses.filter((s) => s === 201).length, 30, statuses.join());
      assert.equal(statuses.filter((s) => s === 429).length, 10);
    } finally {
      await cluster.close();
    }
  },
});
