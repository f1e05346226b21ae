/**
 * The calling card's window with the real support app (issue 19, SPEC C6): an admin brands a
 * channel's card; the package's files (`calling-card.json` from `cardFiles`, and the
 * `rescue.json` the package gets) start `agent/main.ts` on loopback against the real server.
 * Its window offers the channel's own form — the server's custom fields, fetched for that
 * channel —; a bad answer is refused by the server's checks and shown beside its field, with
 * nothing created; good answers put a session in the channel's queue with the values, exactly
 * as the web form does, and the app joins it.
 */
import assert from "node:assert/strict";
import { serveLoopback } from "./support/browser.ts";
import { supportSessions } from "../modules/support/schema.ts";
import { callingCards } from "../modules/calling_cards/schema.ts";
import { cardFiles } from "../modules/calling_cards/package.ts";
import { getChannel } from "../modules/channels/mod.ts";
import {
  addField,
  channelForm,
  createChannelVia,
  insertGroup,
  onlineTechnician,
  startWithAdmin,
} from "../modules/channels/test_fixtures.ts";

const step = (what: string) => console.log(`  · ${what}`);

Deno.test({
  name:
    "calling card window: the channel's form from the server → a bad field is refused, nothing made → the session in the channel's queue, the app joins",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const f = await startWithAdmin();
    const server = serveLoopback(f.t.app.fetch);
    const dir = await Deno.makeTempDir({ prefix: "calling-card-" });
    let agent: Deno.ChildProcess | null = null;
    try {
      (f.t.deps.config as { publicUrl: string }).publicUrl = server.base;
      const phone = await addField(f, "Phone number", 20);
      const order = await addField(f, "Order number", 10);
      const groupId = await insertGroup(f.t, f.orgId, "First line");
      const tech = await onlineTechnician(f.t, f.orgId, groupId);
      const channel = await createChannelVia(
        f,
        channelForm({ groupId, fields: { [phone]: "required", [order]: "optional" } }),
      );
      await f.admin.get(`/admin/calling-cards/${channel.id}`);
      const saved = await f.admin.post(`/admin/calling-cards/${channel.id}`, {
        name: "Acme support",
        text: "Call us any time",
        helpUrl: "https://help.example.test/",
        accent: "#0a7d32",
        background: "#eef6f0",
        groups: groupId,
      });
      assert.equal(saved.status, 303);
      const [card] = await f.t.deps.db.select().from(callingCards);
      const files = await cardFiles(
        f.t.deps,
        { ...card, groupIds: [groupId] },
        (await getChannel(f.t.deps.db, f.orgId, channel.id))!,
      );
      for (const file of files) await Deno.writeFile(`${dir}/${file.name}`, file.bytes);
      await Deno.writeTextFile(
        `${dir}/rescue.json`,
        JSON.stringify({ server: server.base, callingCard: true }),
      );

      const child = new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "agent/main.ts", "--config", `${dir}/rescue.json`, "--no-open"].concat(
          ["--state-dir", `${dir}/state`],
        ),
        env: { LANG: "en_US.UTF-8", DISPLAY: ":" },
        stdin: "piped",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      agent = child;
      const output: string[] = [];
      const seen = (pattern: RegExp) => output.join("").match(pattern);
      for (const stream of [child.stdout, child.stderr]) {
        (async () => {
          for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
            output.push(chunk);
          }
        })();
      }
      const until = async (what: string, pattern: RegExp, ms = 30_000) => {
        const deadline = Date.now() + ms;
        while (!seen(pattern)) {
          if (Date.now() > deadline) throw new Error(`no ${what}:\n${output.join("")}`);
          await new Promise((r) => setTimeout(r, 50));
        }
        return seen(pattern)!;
      };
      const url = (await until("card window", /CARD (\S+)/))[1];
      const origin = new URL(url).origin;
      const home = await (await fetch(url)).text();
      assert.match(home, /<h1>Acme support<\/h1>/);
      assert.match(home, /<a class="button" href="channel">Ask for help through Helpdesk<\/a>/);
      assert.match(home, /href="https:\/\/help\.example\.test\/"/);

      // The channel's form, as the server defines it.
      const form = await (await fetch(`${url}channel`)).text();
      assert.match(form, new RegExp(`name="f_${phone}" value="" maxlength="20" required`));
      assert.match(form, new RegExp(`name="f_${order}" value="" maxlength="10">`), "optional");
      assert.match(form, />Phone number <span aria-hidden="true">\*<\/span><\/label>/);
      const submit = (answers: Record<string, string>) =>
        fetch(`${url}channel`, {
          method: "POST",
          headers: { origin, "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams(answers),
        });
      const sessions = () => f.t.deps.db.select().from(supportSessions);

      // A bad answer: the server's checks refuse it, the window says which field and why.
      const bad = await submit({ name: "Carol", [`f_${order}`]: "A".repeat(11) });
      assert.equal(bad.status, 422);
      const refused = await bad.text();
      assert.match(refused, /Please correct the fields marked below\./);
      assert.match(
        refused,
        new RegExp(`id="in-f_${phone}-error">Please fill in this field\\.</p>`),
      );
      assert.match(refused, /This is longer than allowed\./);
      assert.match(refused, /value="Carol"/, "what the customer typed is kept");
      assert.equal((await sessions()).length, 0, "nothing created");
      const foreign = await fetch(`${url}channel`, {
        method: "POST",
        headers: {
          origin: "http://evil.example",
          "content-type": "application/x-www-form-urlencoded",
        },
        body: new URLSearchParams({ name: "X", [`f_${phone}`]: "1" }),
      });
      assert.equal(foreign.status, 403);
      await foreign.body?.cancel();
      step("a bad field: refused beside the field, nothing created");

      const good = await submit({
        name: "Carol",
        [`f_${phone}`]: "0612345678",
        [`f_${order}`]: "A-17",
      });
      assert.equal(good.status, 200);
      assert.match(await good.text(), /Connecting/);
      await until("the app's own window", /PAGE \S+/);
      await until("the app connected", /STATUS connected/);
      const [session] = await sessions();
      assert.equal(session.channelId, channel.id);
      assert.equal(session.method, "channel");
      assert.equal(session.customerName, "Carol");
      assert.deepEqual(session.fields, { [phone]: "0612345678", [order]: "A-17" });
      assert.equal(session.groupId, groupId);
      const queue = await (await tech.client.get("/console")).text();
      assert.match(queue, new RegExp(`data-session="${session.id}"`));
      step("the session is in the channel's queue with the values; the app joined it");
    } finally {
      if (agent) {
        try {
          agent.kill("SIGKILL");
        } catch { /* gone */ }
        await agent.status;
      }
      await server.close();
      await f.t.close();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});
