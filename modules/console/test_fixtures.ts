// Test-only helpers shared by the console tests (not exported from mod.ts): a signed-in
// technician's browser, a PIN session made through the console, and an SSE reader.
import { eq } from "drizzle-orm";
import { users } from "../auth/mod.ts";
import type { TestApp, TestClient } from "../../tests/support/app.ts";
import { TECH_PASSWORD } from "../../tests/support/org.ts";
import { technician } from "../../tests/support/sessions.ts";
import type { CurrentUser } from "../http/mod.ts";
import type { Permission } from "../permissions/mod.ts";
import { type Entry, findByToken, type SupportSession } from "../support/mod.ts";
import { queueEntries } from "../support/test_support.ts";

export const HTMX = { "hx-request": "true" };

export async function signedInTechnician(
  t: TestApp,
  options: { groupId?: string; permissions?: Permission[]; name?: string } = {},
): Promise<{ user: CurrentUser; browser: TestClient }> {
  const user = await technician(t, options);
  if (options.name) {
    await t.deps.db.update(users).set({ name: options.name }).where(eq(users.id, user.id));
  }
  const browser = t.client();
  await browser.signIn(user.email, TECH_PASSWORD);
  await browser.get("/console");
  return { user, browser };
}

/** Creates a PIN session through the console and returns it. */
export async function createPinSession(
  t: TestApp,
  browser: TestClient,
  name = "Carol",
): Promise<SupportSession> {
  const res = await browser.post("/console/sessions", { method: "pin", name }, HTMX);
  if (res.status !== 201) throw new Error(`create answered ${res.status}: ${await res.text()}`);
  const html = await res.text();
  const token = /\/s\/([A-Za-z0-9_-]+)</.exec(html)?.[1];
  const session = token ? await findByToken(t.deps, token) : undefined;
  if (!session) throw new Error("no session link in the answer");
  return session;
}

export async function entriesOf(t: TestApp, sessionId: string): Promise<Entry[]> {
  return await t.deps.db.select().from(queueEntries)
    .where(eq(queueEntries.sessionId, sessionId)).orderBy(queueEntries.createdAt);
}

export interface SseEvent {
  event: string;
  data: string;
}

/** Reads named events from a text/event-stream body; comments and `retry:` are skipped. */
export class SseReader {
  #reader: ReadableStreamDefaultReader<Uint8Array>;
  #decoder = new TextDecoder();
  #buffer = "";

  constructor(res: Response) {
    this.#reader = res.body!.getReader();
  }

  async next(timeoutMs = 5_000): Promise<SseEvent> {
    for (;;) {
      const end = this.#buffer.indexOf("\n\n");
      if (end >= 0) {
        const frame = this.#buffer.slice(0, end);
        this.#buffer = this.#buffer.slice(end + 2);
        let event = "";
        const data: string[] = [];
        for (const line of frame.split("\n")) {
          if (line.startsWith("event: ")) event = line.slice(7);
          else if (line.startsWith("data: ")) data.push(line.slice(6));
        }
        if (event) return { event, data: data.join("\n") };
        continue;
      }
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error("no event in time")), timeoutMs);
      });
      try {
        const { value, done } = await Promise.race([this.#reader.read(), timeout]);
        if (done) throw new Error("stream ended");
        this.#buffer += this.#decoder.decode(value, { stream: true });
      } finally {
        clearTimeout(timer);
      }
    }
  }

  /** The next event matching `test`, skipping others. */
  async until(test: (e: SseEvent) => boolean, timeoutMs = 5_000): Promise<SseEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const event = await this.next(Math.max(deadline - Date.now(), 1));
      if (test(event)) return event;
    }
  }

  async cancel(): Promise<void> {
    await this.#reader.cancel();
  }
}
