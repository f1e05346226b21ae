/**
 * The file manager's one stream (`…/file-manager/events`) through the real server and the
 * real agent: it opens before the customer allows files and says the consent (`state`), and
 * while files are allowed it carries every transfer (`transfer`) — so a file-manager page
 * holds one of the browser's six connections, not two. The customer's page counts the file
 * manager open only while files are allowed. Runs on PGlite, and on PostgreSQL with
 * DATABASE_URL.
 */
import assert from "node:assert/strict";
import { fileActivity } from "../modules/filemgr/mod.ts";
import { filesWorld, until } from "./support/files_agent.ts";

/** Reads server-sent events from `body` as they come. */
function sse(body: ReadableStream<Uint8Array<ArrayBuffer>>) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  const events: { event: string; data: Record<string, unknown> }[] = [];
  let buffer = "";
  const pump = (async () => {
    for (;;) {
      const { done, value } = await reader.read().catch(() => ({ done: true, value: "" }));
      if (done) return;
      buffer += value;
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event && data) events.push({ event, data: JSON.parse(data) });
      }
    }
  })();
  return {
    events,
    of: (name: string) => events.filter((e) => e.event === name).map((e) => e.data),
    async close() {
      await reader.cancel().catch(() => {});
      await pump;
    },
  };
}

Deno.test("file manager events: consent and transfers on one stream, open before files are allowed", async () => {
  const w = await filesWorld();
  try {
    await Deno.writeTextFile(`${w.home}/notes.txt`, "one\n");
    const response = await w.client.get(`${w.prefix}/events`);
    assert.equal(response.status, 200, "the stream opens before the customer allows files");
    const stream = sse(response.body as ReadableStream<Uint8Array<ArrayBuffer>>);
    try {
      await until("the consent state", () => stream.of("state").length > 0);
      const first = stream.of("state")[0] as { present: boolean; consent: { files: string } };
      assert.equal(first.present, true);
      assert.notEqual(first.consent.files, "granted");
      assert.equal(fileActivity(w.t.deps, w.sessionId).open, false, "not open for the customer");

      await w.grantFiles();
      await until(
        "the grant on the stream",
        () =>
          stream.of("state").some((s) =>
            (s as { consent: { files: string } }).consent.files === "granted"
          ),
      );
      assert.equal(fileActivity(w.t.deps, w.sessionId).open, true, "open while allowed");

      const opened = await w.postJson(`${w.prefix}/downloads`, { path: `${w.home}/notes.txt` });
      assert.equal(opened.status, 200);
      await until(
        "the transfer on the same stream",
        () => stream.of("transfer").some((t) => t.id === opened.body.id),
      );

      // The customer takes files back: the stream says so and stops carrying transfers.
      w.agent.revoke("files");
      const files = () =>
        stream.of("state").map((s) => (s as { consent: { files: string } }).consent.files);
      await until(
        "the revoke on the stream",
        () => files().slice(files().indexOf("granted")).some((f) => f !== "granted"),
      );
      assert.equal(fileActivity(w.t.deps, w.sessionId).open, false, "closed once taken back");
    } finally {
      await stream.close();
    }
  } finally {
    await w.close();
  }
});
