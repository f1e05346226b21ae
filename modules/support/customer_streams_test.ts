// The customer page's live stream through the real app: connecting, live lines, catching up
// after a drop with Last-Event-ID, the grace period before "lost", and the ended state.
import assert from "node:assert/strict";
import { defaultPermissions } from "../permissions/mod.ts";
import { eq } from "drizzle-orm";
import { startTestApp, type TestApp } from "../../tests/support/app.ts";
import { technician } from "../../tests/support/sessions.ts";
import {
  createPrivateSession,
  customerStreams,
  endSession,
  findByToken,
  setChatEnabled,
  startSession,
  technicianChat,
} from "./mod.ts";
import { queueEntries } from "./test_support.ts";
import { sessionLog } from "./schema.ts";
import { readLog } from "./session_log.ts";

/** A line's place in its session's log (`seq`: what the stream's event ids count). */
async function placeOf(t: TestApp, logId: number): Promise<number> {
  const [row] = await t.deps.db.select({ seq: sessionLog.seq }).from(sessionLog)
    .where(eq(sessionLog.id, logId));
  return row.seq!;
}

/** A reader over one stream that collects text until a predicate holds (or 3 s pass). */
class Stream {
  text = "";
  #reader: ReadableStreamDefaultReader<Uint8Array>;
  #decoder = new TextDecoder();
  constructor(readonly response: Response) {
    this.#reader = response.body!.getReader();
  }

  async until(done: (text: string) => boolean): Promise<string> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`stream stalled at: ${this.text}`)), 3_000);
    });
    try {
      while (!done(this.text)) {
        const { value, done: closed } = await Promise.race([this.#reader.read(), timeout]);
        if (closed) break;
        this.text += this.#decoder.decode(value, { stream: true });
      }
      return this.text;
    } finally {
      clearTimeout(timer);
    }
  }

  async close() {
    await this.#reader.cancel();
  }
}

async function open(t: TestApp, token: string, headers: Record<string, string> = {}) {
  const res = await t.app.request(`http://localhost/s/${token}/events`, { headers });
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /^text\/event-stream/);
  return new Stream(res);
}

async function setup() {
  const t = await startTestApp();
  customerStreams(t.deps).options.graceMs = 5;
  const tech = await technician(t, {
    name: "Ann",
    permissions: [...defaultPermissions(), "chatToggle", "pushUrls"],
  });
  const { session } = await createPrivateSession(t.deps, tech, {
    method: "pin",
    customerName: "Carol",
    fields: {},
  });
  const status = async () =>
    (await t.deps.db.select().from(queueEntries).where(eq(queueEntries.sessionId, session.id)))
      .map((e) => e.status);
  return { t, tech, session, status };
}

async function finish(t: TestApp) {
  await customerStreams(t.deps).idle();
  await t.close();
}

Deno.test("the stream connects the customer, delivers a technician's line, and resends after Last-Event-ID", async () => {
  const { t, tech, session, status } = await setup();
  try {
    const first = await open(t, session.token);
    await first.until((s) => s.includes("event: state"));
    assert.match(first.text, /data: \{"chatEnabled":true,"ended":false\}/);
    assert.deepEqual(await status(), ["waiting"], "opening the page connected the customer");

    await startSession(t.deps, tech, session.id);
    const chatId = await placeOf(t, await technicianChat(t.deps, tech, session.id, "Hello Carol"));
    await first.until((s) => s.includes("Hello Carol"));
    assert.match(
      first.text,
      new RegExp(
        `event: log\ndata: <div[^\n]*data-kind="chat" data-author="technician"[^\n]*\nid: ${chatId}\n\n`,
      ),
    );
    assert.match(first.text, /Ann joined the session\./, "the pick-up is shown as a friendly line");
    assert.doesNotMatch(first.text, /status\.|log\./, "no internal keys reach the customer");
    await first.close();
    await customerStreams(t.deps).idle();
    assert.equal((await findByToken(t.deps, session.token))!.customerState, "lost");
    assert.deepEqual(await status(), ["reconnecting"]);

    // The page reconnects having seen the line before the chat: it gets the chat line again.
    const again = await open(t, session.token, { "last-event-id": String(chatId - 1) });
    await again.until((s) => s.includes("event: state"));
    assert.equal(again.text.split("Hello Carol").length - 1, 1);
    assert.deepEqual(await status(), ["active"], "the reconnect restored the previous status");
    await again.close();

    // Having seen the chat line already, nothing is sent twice.
    const caughtUp = await open(t, session.token, { "last-event-id": String(chatId) });
    await caughtUp.until((s) => s.includes("event: state"));
    assert.doesNotMatch(caughtUp.text, /Hello Carol/);
    await caughtUp.close();
  } finally {
    await finish(t);
  }
});

Deno.test("a new stream within the grace period keeps the customer connected", async () => {
  const { t, session } = await setup();
  try {
    customerStreams(t.deps).options.graceMs = 60_000;
    const tab = await open(t, session.token);
    await tab.until((s) => s.includes("event: state"));
    await tab.close();
    const reload = await open(t, session.token);
    await reload.until((s) => s.includes("event: state"));
    await customerStreams(t.deps).idle(); // the reload cancelled the pending loss
    assert.equal((await findByToken(t.deps, session.token))!.customerState, "connected");
    assert.equal(customerStreams(t.deps).openCount(session.id), 1);
    customerStreams(t.deps).options.graceMs = 5;
    await reload.close();
    await customerStreams(t.deps).idle();
    assert.equal((await findByToken(t.deps, session.token))!.customerState, "lost");
  } finally {
    await finish(t);
  }
});

Deno.test("the stream reports chat switched off and the end of the session, then closes", async () => {
  const { t, tech, session } = await setup();
  try {
    const stream = await open(t, session.token);
    await stream.until((s) => s.includes("event: state"));
    await startSession(t.deps, tech, session.id);
    await setChatEnabled(t.deps, tech, session.id, false);
    await stream.until((s) => s.includes('"chatEnabled":false'));
    assert.match(stream.text, /data-kind="event"[^\n]*Ann turned chat off\./);
    await endSession(t.deps, tech, session.id);
    const text = await stream.until((s) => s.includes('"ended":true'));
    assert.match(text, /Ann ended the session\./);
    await stream.until(() => false); // ends because the server closed the stream
    const late = await open(t, session.token);
    assert.match(await late.until(() => false), /"ended":true/);
  } finally {
    await finish(t);
  }
});

Deno.test({
  name: "a line whose transaction commits after a later line's still reaches the stream, once",
  // Two connections are needed to hold one writer's transaction open: PostgreSQL only.
  ignore: !Deno.env.get("DATABASE_URL"),
  async fn() {
    const { t, tech, session } = await setup();
    const { default: postgres } = await import("postgres");
    const other = postgres(Deno.env.get("DATABASE_URL")!, { max: 1, onnotice: () => {} });
    try {
      const stream = await open(t, session.token);
      await stream.until((s) => s.includes("event: state"));
      await startSession(t.deps, tech, session.id);
      // A writer draws its line's id and waits before committing…
      let release = () => {};
      const held = new Promise<void>((resolve) => release = resolve);
      let inserted = () => {};
      const drawn = new Promise<void>((resolve) => inserted = resolve);
      const late = other.begin(async (tx) => {
        await tx`insert into session_log (session_id, at, kind, author, author_name, body, data)
          values (${session.id}, now(), 'chat', 'technician', 'Ann', 'Late line', '{}')`;
        inserted();
        await held;
      });
      await drawn;
      // …while another writes a later-numbered line that commits first.
      const early = await technicianChat(t.deps, tech, session.id, "Early line");
      await stream.until((s) => s.includes("Early line"));
      release();
      await late;
      t.deps.live.publish({
        kind: "log",
        orgId: session.orgId,
        sessionId: session.id,
        logId: early,
      });
      await stream.until((s) => s.includes("Late line"));
      await technicianChat(t.deps, tech, session.id, "Next line");
      await stream.until((s) => s.includes("Next line"));
      for (const text of ["Early line", "Late line", "Next line"]) {
        assert.equal(stream.text.split(text).length - 1, 1, `${text} once`);
      }
      // A reader paging by place (the API's `after`) finds it after the early line too.
      const paged = await readLog(t.deps.db, session.id, await placeOf(t, early));
      assert.ok(paged.some((line) => line.body === "Late line"), "paging on finds the late line");
      // The late line's place comes after the early one's: it committed later.
      const [lateRow] = await t.deps.db.select().from(sessionLog)
        .where(eq(sessionLog.body, "Late line"));
      assert.ok(lateRow.id < early, "the late line drew the lower id");
      assert.ok(lateRow.seq! > await placeOf(t, early), "and the higher place");
      assert.match(stream.text, new RegExp(`Late line[^\\n]*\\nid: ${lateRow.seq}\\n`));
      await stream.close();
    } finally {
      await other.end();
      await finish(t);
    }
  },
});
