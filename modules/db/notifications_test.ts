// LISTEN/NOTIFY over PostgreSQL (DATABASE_URL): a burst arrives whole and in order although
// it leaves in batches; a payload PostgreSQL refuses fails its caller, not the later ones.
import assert from "node:assert/strict";
import { openDatabase } from "./mod.ts";

const databaseUrl = Deno.env.get("DATABASE_URL");

Deno.test({
  name:
    "notifications.notify(): a burst of 2,000 reaches another client's listener complete and in order",
  ignore: !databaseUrl,
  async fn() {
    const dataDir = await Deno.makeTempDir();
    const sender = await openDatabase({ databaseUrl, dataDir });
    const receiver = await openDatabase({ databaseUrl, dataDir });
    try {
      const heard: string[] = [];
      let done = () => {};
      const all = new Promise<void>((resolve) => done = resolve);
      const channel = `test_${crypto.randomUUID().slice(0, 8)}`;
      const listening = await receiver.notifications!.listen(channel, (payload) => {
        heard.push(payload);
        if (heard.length === 2_001) done();
      });
      const sent = Array.from({ length: 2_000 }, (_, i) => `n${i}`);
      const calls = sent.map((p) => sender.notifications!.notify(channel, p));
      // Refused by PostgreSQL (8000 bytes or more): this caller hears it, the others go on.
      const tooBig = sender.notifications!.notify(channel, "x".repeat(8_000))
        .then(() => "sent", (error) => String(error));
      const after = sender.notifications!.notify(channel, "after");
      await Promise.all(calls);
      assert.match(await tooBig, /payload string too long/);
      await after;
      await all;
      assert.deepEqual(heard, [...sent, "after"]);
      await listening.unlisten();
    } finally {
      await sender.close();
      await receiver.close();
      await Deno.remove(dataDir, { recursive: true });
    }
  },
});
