// Calling cards through the routes: an admin brands a channel's card (bad colour, a logo that
// is no image or too large, a help link that is no web address: each a clear 422, nothing
// saved), its package carries the branding; a technician of an assigned group deploys it in
// an Active session through the agent (which answers as the real one does after the
// customer's yes); a technician of another group finds no card. The agent's side: fetches,
// unpacks with tar, starts now or at sign-in.
import assert from "node:assert/strict";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import { ADMIN, startTestApp, type TestApp, type TestClient } from "../../tests/support/app.ts";
import { TECH_PASSWORD } from "../../tests/support/org.ts";
import { technician, workingSession } from "../../tests/support/sessions.ts";
import { agentHello, agentSocket, withServer } from "../../tests/support/sockets.ts";
import { channelGroups, channels } from "../channels/mod.ts";
import { defaultPermissions } from "../permissions/mod.ts";
import { readLog } from "../support/mod.ts";
import { callingCardGroups, callingCards } from "./schema.ts";
import { cardFiles } from "./package.ts";
import { getChannel } from "../channels/mod.ts";
import { callingCardHandlers } from "../../agent/calling_card/deploy.ts";

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);

async function channelFor(t: TestApp, orgId: string, groupId: string) {
  const now = t.clock.now();
  const [row] = await t.deps.db.insert(channels).values({
    orgId,
    name: "Helpdesk",
    slug: "helpdesk-abcdefgh",
    fields: [],
    openingHours: { timeZone: "Europe/Amsterdam", days: {}, enabled: false },
    unavailableAction: "message",
    createdAt: now,
    updatedAt: now,
  }).returning();
  await t.deps.db.insert(channelGroups).values({ channelId: row.id, groupId });
  return row;
}

async function postCard(
  admin: TestClient,
  channelId: string,
  fields: Record<string, string>,
  logo?: Uint8Array,
) {
  await admin.get(`/admin/calling-cards/${channelId}`);
  const body = new FormData();
  body.set("_csrf", admin.csrf);
  for (const [k, v] of Object.entries(fields)) body.append(k, v);
  if (logo) body.set("logo", new File([logo as Uint8Array<ArrayBuffer>], "logo.png"));
  return await admin.send(`/admin/calling-cards/${channelId}`, { method: "POST", body });
}

Deno.test({
  name:
    "calling cards: branded by an admin (bad input refused), deployed by a technician of its group",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const t = await startTestApp();
    try {
      await withServer(t, async (port) => {
        const ann = await technician(t, { permissions: [...defaultPermissions(), "callingCard"] });
        const channel = await channelFor(t, ann.orgId, ann.groupId!);
        const admin = t.client();
        assert.equal((await admin.signIn(ADMIN.email, ADMIN.password)).status, 303);
        const list = await admin.get("/admin/calling-cards");
        assert.match(await list.text(), /Helpdesk/);

        const good = {
          name: "Acme support",
          text: "Call us any time",
          helpUrl: "https://help.example.test/",
          accent: "#ff6600",
          background: "#ffffff",
          groups: ann.groupId!,
        };
        const bad: [Record<string, string>, Uint8Array | undefined, RegExp][] = [
          [{ ...good, accent: "orange" }, undefined, /#rrggbb/],
          [{ ...good, helpUrl: "javascript:alert(1)" }, undefined, /http or https/],
          [{ ...good, name: "" }, undefined, /name of at most 80/],
          [good, new TextEncoder().encode("<svg onload=alert(1)>"), /PNG, JPEG or WebP/],
          [good, new Uint8Array(300 * 1024).fill(1, 0).map((_, i) => i < 8 ? PNG[i] : 0), /256 KB/],
        ];
        for (const [fields, logo, reason] of bad) {
          const res = await postCard(admin, channel.id, fields, logo);
          assert.equal(res.status, 422, JSON.stringify(fields));
          const page = await res.text();
          assert.match(page, reason);
          // The form again with what was typed and ticked, to correct rather than redo.
          assert.match(
            page,
            /<textarea id="cc-text" name="text" maxlength="500">Call us any time</,
          );
          assert.match(page, /name="helpUrl"[^>]* value="[^"]*(help\.example|javascript)/);
          assert.match(page, new RegExp(`value="${ann.groupId}" checked=""`));
        }
        // No group ticked: a card no technician could deploy is refused, what was typed kept.
        const { groups: _, ...noGroup } = good;
        const ungrouped = await postCard(admin, channel.id, noGroup);
        assert.equal(ungrouped.status, 422);
        const ungroupedPage = await ungrouped.text();
        assert.match(ungroupedPage, /role="alert">Choose at least one group whose technicians/);
        assert.match(ungroupedPage, /name="name"[^>]* value="Acme support"/);
        assert.doesNotMatch(ungroupedPage, /checked=""/);
        // The form says so before anyone tries.
        const form = await (await admin.get(`/admin/calling-cards/${channel.id}`)).text();
        assert.match(form, /Tick at least one: only technicians of these groups can deploy/);
        assert.equal((await t.deps.db.select().from(callingCards)).length, 0);

        assert.equal((await postCard(admin, channel.id, good, PNG)).status, 303);
        const [card] = await t.deps.db.select().from(callingCards);
        assert.equal(card.accent, "#ff6600");
        assert.equal(card.logoType, "image/png");
        const groups = await t.deps.db.select().from(callingCardGroups);
        assert.deepEqual(groups.map((g) => g.groupId), [ann.groupId]);

        // What the package carries beside the agent.
        const files = await cardFiles(
          t.deps,
          { ...card, groupIds: [ann.groupId!] },
          (await getChannel(t.deps.db, card.orgId, channel.id))!,
        );
        assert.deepEqual(files.map((f) => f.name), ["calling-card.json", "calling-card-logo.png"]);
        const branding = JSON.parse(new TextDecoder().decode(files[0].bytes));
        assert.equal(branding.channel.path, "/c/helpdesk-abcdefgh");
        assert.equal(branding.helpUrl, "https://help.example.test/");

        // Deploy in a session: the agent is asked, answers, the log says so.
        const browser = t.client();
        await browser.signIn(ann.email, TECH_PASSWORD);
        const session = await workingSession(t, ann);
        const agent = await agentSocket(port);
        agent.send(agentHello(session.token));
        await agent.next((m) => m.type === "welcome");
        const dialog = await browser.get(`/console/sessions/${session.id}/calling-card`);
        assert.match(await dialog.text(), /Acme support/);
        const path = `/console/sessions/${session.id}/calling-card`;
        assert.equal((await browser.post(path, { cardId: card.id, start: "later" })).status, 422);
        const sent = browser.post(path, { cardId: card.id, start: "boot" });
        let op;
        for (;;) {
          const frame = await agent.next((m) => m.type === "op", 5_000);
          if (frame.type === "op" && JSON.parse(frame.json).kind === "callingCard.deploy") {
            op = frame;
            break;
          }
        }
        const request = JSON.parse(op.json);
        assert.equal(request.path, `/s/${session.token}/calling-card/${card.id}`);
        agent.send({
          type: "opDone",
          id: op.id,
          json: JSON.stringify({
            installedAt: "/home/carol/.rescue/calling-cards/x",
            started: false,
          }),
        });
        assert.equal((await sent).status, 200);
        const lines = (await readLog(t.deps.db, session.id)).map((l) => l.body);
        assert.ok(lines.includes("log.callingCardDeployed"));
        // The agent's fetch: only for this session's group, while it lives.
        const other = await t.deps.db.select().from(channels).where(eq(channels.id, channel.id));
        assert.equal(other.length, 1);
        const foreign = await t.client().get(
          `/s/${session.token}/calling-card/${crypto.randomUUID()}/linux-x64`,
        );
        assert.equal(foreign.status, 404);
        agent.ws.close();

        // Another group's technician: no card to deploy.
        const bob = await technician(t, { permissions: [...defaultPermissions(), "callingCard"] });
        const bobClient = t.client();
        await bobClient.signIn(bob.email, TECH_PASSWORD);
        const bobSession = await workingSession(t, bob);
        const refused = await bobClient.post(`/console/sessions/${bobSession.id}/calling-card`, {
          cardId: card.id,
          start: "now",
        });
        assert.equal(refused.status, 404);
      });
    } finally {
      await t.close();
    }
  },
});

Deno.test("callingCardHandlers(): fetches, unpacks, starts now or at sign-in; a decline fetches nothing", async () => {
  const dataDir = await Deno.makeTempDir();
  const configHome = await Deno.makeTempDir();
  const src = await Deno.makeTempDir();
  try {
    await Deno.mkdir(join(src, "rescue-agent"));
    await Deno.writeTextFile(join(src, "rescue-agent", "rescue-agent.sh"), "#!/bin/sh\n");
    await Deno.writeTextFile(join(src, "rescue-agent", "calling-card.json"), "{}");
    const tgz = join(src, "p.tar.gz");
    const made = await new Deno.Command("tar", { args: ["-czf", tgz, "-C", src, "rescue-agent"] })
      .output();
    assert.equal(made.code, 0);
    const bytes = await Deno.readFile(tgz);
    const fetched: string[] = [];
    const spawned: string[] = [];
    const handlers = callingCardHandlers({
      os: "linux",
      serverUrl: "http://127.0.0.1:9",
      token: "tok",
      dataDir,
      log: () => {},
    }, {
      configHome,
      platform: "linux-x64",
      fetch: (url) => {
        fetched.push(String(url));
        return Promise.resolve(new Response(bytes));
      },
      spawn: (program) => void spawned.push(program),
    });
    const context = (answer: boolean) => ({
      signal: new AbortController().signal,
      emit: () => {},
      confirm: () => Promise.resolve(answer),
      log: () => {},
    });
    const run = handlers["callingCard.deploy"]!;
    const request = {
      kind: "callingCard.deploy" as const,
      cardId: "card-0001-abcdef",
      start: "now" as const,
      name: "Acme",
      path: "/s/tok/calling-card/card-0001-abcdef",
    };
    await assert.rejects(run(request, context(false)));
    assert.deepEqual(fetched, []);
    const now = await run(request, context(true));
    assert.equal(now.started, true);
    assert.deepEqual(fetched, ["http://127.0.0.1:9/s/tok/calling-card/card-0001-abcdef/linux-x64"]);
    assert.ok(spawned[0].endsWith("calling-cards/card-0001-abcdef/rescue-agent/rescue-agent.sh"));
    await Deno.stat(join(now.installedAt, "rescue-agent", "calling-card.json"));
    const boot = await run({ ...request, start: "boot" }, context(true));
    assert.equal(boot.started, false);
    const entry = await Deno.readTextFile(
      join(configHome, "autostart", "rescue-calling-card-card-0001-abcdef.desktop"),
    );
    assert.match(entry, /Exec=.*rescue-agent\.sh/);
  } finally {
    for (const dir of [dataDir, configHome, src]) await Deno.remove(dir, { recursive: true });
  }
});
