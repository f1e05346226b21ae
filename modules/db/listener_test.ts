// The LISTEN connection on PostgreSQL (DATABASE_URL): when it dies and the server refuses
// the next connections for a while (here: the role's connection limit, as "too many
// connections" or a restarting server would), the loss is reported at once, attempts go on,
// and it listens again once it may.
import assert from "node:assert/strict";
import postgres from "postgres";
import { PostgresListener } from "./listener.ts";

const databaseUrl = Deno.env.get("DATABASE_URL");

async function until(check: () => boolean, what: string, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

Deno.test({
  name: "PostgresListener: a lost connection is reported, retried while refused, and listens again",
  ignore: !databaseUrl,
  async fn() {
    const admin = postgres(databaseUrl!, { max: 1, onnotice: () => {} });
    const role = `rescue_listen_${crypto.randomUUID().slice(0, 8)}`;
    await admin.unsafe(`create role ${role} login`);
    const url = new URL(databaseUrl!);
    url.username = role;
    url.password = "";
    const listener = new PostgresListener(url.href, postgres);
    try {
      const heard: string[] = [];
      let listens = 0;
      let losses = 0;
      await listener.listen("rescue_test", {
        onMessage: (payload) => void heard.push(payload),
        onListen: () => void listens++,
        onLost: () => void losses++,
      });
      assert.equal(listens, 1);
      await admin`select pg_notify('rescue_test', 'one')`;
      await until(() => heard.length === 1, "the first notification");

      await admin.unsafe(`alter role ${role} connection limit 0`);
      await admin`select pg_terminate_backend(pid) from pg_stat_activity where usename = ${role}`;
      await until(() => losses === 1, "the loss reported");
      await new Promise((r) => setTimeout(r, 700));
      assert.equal(listens, 1, "refused while the limit holds");
      await admin`select pg_notify('rescue_test', 'missed')`;

      await admin.unsafe(`alter role ${role} connection limit -1`);
      await until(() => listens === 2, "listening again");
      await admin`select pg_notify('rescue_test', 'two')`;
      await until(() => heard.length === 2, "a notification after the return");
      assert.deepEqual(heard, ["one", "two"]);
      assert.equal(losses, 1);
    } finally {
      await listener.close();
      await admin`select pg_terminate_backend(pid) from pg_stat_activity where usename = ${role}`;
      await admin.unsafe(`drop role if exists ${role}`);
      await admin.end();
    }
  },
});
