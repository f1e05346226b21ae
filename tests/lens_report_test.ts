// The Lens sessions report (/admin/reports/lens, its CSV and the API): each Lens session of the
// period with its technician, customer, live time, end and recording, the period's totals, in
// the reader's time zone; an admin of one group sees that group's only and is refused another's
// filter; a technician gets none; bad filter input is answered in words. Records are written
// through the registry's own record functions (modules/lens test_support.ts). PGlite, and
// PostgreSQL with DATABASE_URL.
// engine-both: the Lens report is raw SQL, whose results the two drivers shape differently.
import assert from "node:assert/strict";
import { createChannel } from "../modules/channels/mod.ts";
import { eq } from "drizzle-orm";
import { deleteGroup, groupAdmins, groupMembers } from "../modules/org/mod.ts";
import { Refusal } from "../modules/refusal/mod.ts";
import { lensRecordFixture } from "../modules/lens/test_support.ts";
import { runReport } from "../modules/reports/mod.ts";
import { ADMIN, startTestApp, type TestApp } from "./support/app.ts";
import { makeGroup, makePerson, masterAdmin, TECH_PASSWORD } from "./support/org.ts";
import { technician } from "./support/sessions.ts";

const NOVEMBER = "period=month&date=2026-11-15";
const at = (text: string) => new Date(text);

/** Two groups, Ann in the first and Bob in the second, Lea admin of the first; five records. */
async function world(t: TestApp) {
  const g1 = await makeGroup(t, { name: "Field team" });
  const g2 = await makeGroup(t, { name: "Back office" });
  const ann = await technician(t, { groupId: g1.id, name: "Ann Archer", permissions: ["lens"] });
  const bob = await technician(t, { groupId: g2.id, name: "Bob Baker", permissions: ["lens"] });
  const lea = await makePerson(t, { groupId: g1.id, role: "admin", email: "lea@example.test" });
  await t.deps.db.insert(groupAdmins).values({ groupId: g1.id, userId: lea.id });
  const deps = t.deps;
  // Ann: e-mailed, live 4:30, recorded, ended by her.
  await lensRecordFixture(deps, {
    technician: ann,
    createdAt: at("2026-11-03T09:00:00Z"),
    liveAt: at("2026-11-03T09:01:00Z"),
    endedAt: at("2026-11-03T09:05:30Z"),
    reason: "technician",
    customer: "Carla de Vries",
    via: "email",
    recorded: true,
  });
  // Ann: a link nobody opened.
  await lensRecordFixture(deps, {
    technician: ann,
    createdAt: at("2026-11-10T14:00:00Z"),
    endedAt: at("2026-11-10T14:30:00Z"),
    reason: "expired",
  });
  // Ann: live and still running.
  await lensRecordFixture(deps, {
    technician: ann,
    createdAt: at("2026-11-20T16:00:00Z"),
    liveAt: at("2026-11-20T16:00:10Z"),
  });
  // Ann: 31 October 23:30 UTC, 1 November 00:30 in Amsterdam; live 1:00, the phone lost.
  await lensRecordFixture(deps, {
    technician: ann,
    createdAt: at("2026-10-31T23:30:00Z"),
    liveAt: at("2026-10-31T23:30:10Z"),
    endedAt: at("2026-10-31T23:31:10Z"),
    reason: "lost",
  });
  // Bob (the other group): texted, live 2:00, the customer disconnected.
  await lensRecordFixture(deps, {
    technician: bob,
    createdAt: at("2026-11-12T08:00:00Z"),
    liveAt: at("2026-11-12T08:00:20Z"),
    endedAt: at("2026-11-12T08:02:20Z"),
    reason: "customer",
    customer: "Dirk",
    via: "sms",
  });
  const client = async (email: string, password: string) => {
    const c = t.client();
    assert.equal((await c.signIn(email, password)).status, 303);
    return c;
  };
  return { g1, g2, ann, bob, lea, client };
}

/** The table's body rows as lists of cell texts. */
function cells(html: string): string[][] {
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(html)![1];
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) =>
    [...row[1].matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((cell) => cell[1])
  );
}

/** The totals above the table, by key. */
function totals(html: string): Record<string, string> {
  return Object.fromEntries(
    [...html.matchAll(/data-total="([^"]+)"><dt>[^<]*<\/dt><dd>([^<]*)<\/dd>/g)].map((m) => [
      m[1],
      m[2],
    ]),
  );
}

Deno.test("the Lens report lists each Lens session of the period with totals, in the reader's zone", async () => {
  const t = await startTestApp();
  try {
    const w = await world(t);
    const master = await w.client(ADMIN.email, ADMIN.password);
    const res = await master.get(`/admin/reports/lens?${NOVEMBER}&tz=UTC`);
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.match(html, /<h2 id="report-title">Lens sessions<\/h2>/);
    // The last cell leads to a recorded session's recordings (modules/recording's page).
    assert.deepEqual(
      cells(html).map((row) => row.at(-1)!.replace(/\/lens\/[0-9a-f-]{36}"/, '/lens/ID"')),
      [
        "",
        "",
        "",
        '<a href="/console/recordings/lens/ID" data-lens-recording-link="true">Play</a>',
      ],
    );
    assert.deepEqual(cells(html).map((row) => row.slice(0, -1)), [
      [
        "2026-11-20 16:00",
        "Ann Archer",
        "Field team",
        "–",
        "Not sent by e-mail or text message",
        "–",
      ]
        .concat(["Still running", "No"]),
      ["2026-11-12 08:00", "Bob Baker", "Back office", "Dirk", "By text message", "2:00"]
        .concat(["The customer disconnected", "No"]),
      [
        "2026-11-10 14:00",
        "Ann Archer",
        "Field team",
        "–",
        "Not sent by e-mail or text message",
        "–",
      ]
        .concat(["Nobody opened the link in time", "No"]),
      ["2026-11-03 09:00", "Ann Archer", "Field team", "Carla de Vries", "By e-mail", "4:30"]
        .concat(["Ended by the technician", "Yes"]),
    ]);
    assert.deepEqual(totals(html), {
      lens_sessions: "4",
      went_live: "3",
      live_total: "6:30",
      median_live: "3:15",
      recorded: "1",
      ended_technician: "1",
      ended_customer: "1",
      ended_lost: "0",
      ended_expired: "1",
      ended_abandoned: "0",
      ended_instanceGone: "0",
      ended_running: "1",
    });
    // No channel and no series step to choose for Lens sessions.
    assert.doesNotMatch(html, /id="r-channel"/);
    assert.doesNotMatch(html, /id="r-step"/);
    // The tab sits beside the other reports.
    assert.match(html, /href="\/admin\/reports\/lens\?[^"]*" class="active"/);

    // In Amsterdam, 31 October 23:30 UTC is 1 November: that session joins the month.
    const amsterdam =
      await (await master.get(`/admin/reports/lens?${NOVEMBER}&tz=Europe/Amsterdam`))
        .text();
    assert.equal(cells(amsterdam).length, 5);
    assert.equal(cells(amsterdam).at(-1)![0], "2026-11-01 00:30");
    assert.equal(cells(amsterdam).at(-1)![6], "The connection to the phone was lost");
    assert.equal(totals(amsterdam).live_total, "7:30");

    // Filters: one technician, one group.
    const anns = await (await master.get(`/admin/reports/lens?${NOVEMBER}&technician=${w.ann.id}`))
      .text();
    assert.equal(cells(anns).length, 3);
    assert.ok(cells(anns).every((row) => row[1] === "Ann Archer"));
    const back = await (await master.get(`/admin/reports/lens?${NOVEMBER}&group=${w.g2.id}`))
      .text();
    assert.deepEqual(cells(back).map((row) => row[3]), ["Dirk"]);
    assert.equal(totals(back).lens_sessions, "1");

    // A channel filter carried from another report does not apply, and the page says so.
    assert.doesNotMatch(html, /report-no-channel/);
    const ctx = { actor: await masterAdmin(t), ip: "127.0.0.1", now: t.clock.now() };
    const saved = await createChannel(t.deps.db, { name: "Web", groupIds: [w.g1.id] }, ctx);
    assert.ok(saved.ok);
    const channel = await (await master.get(
      `/admin/reports/lens?${NOVEMBER}&tz=UTC&channel=${saved.channel.id}`,
    )).text();
    assert.match(channel, /the channel filter does not apply to this report/);
    assert.equal(cells(channel).length, 4, "nothing filtered away");

    // An empty period says so in words, totals zero.
    const empty = await (await master.get(`/admin/reports/lens?period=month&date=2026-06-15`))
      .text();
    assert.match(empty, /No Lens sessions in this period\./);
    assert.equal(totals(empty).lens_sessions, "0");
    assert.equal(totals(empty).live_total, "0:00");
    assert.equal(totals(empty).median_live, "–");
  } finally {
    await t.close();
  }
});

Deno.test("the Lens report's scope: an admin sees its groups' Lens sessions only; a technician none", async () => {
  const t = await startTestApp();
  try {
    const w = await world(t);
    const lea = await w.client("lea@example.test", TECH_PASSWORD);
    const html = await (await lea.get(`/admin/reports/lens?${NOVEMBER}&tz=UTC`)).text();
    const rows = cells(html);
    assert.equal(rows.length, 3, "Ann's three, not Bob's");
    assert.ok(rows.every((row) => row[2] === "Field team"));
    assert.doesNotMatch(html, /Bob Baker|Dirk|Back office/);
    assert.equal(totals(html).lens_sessions, "3");
    assert.equal(totals(html).ended_customer, "0");
    // The other group's filter, or its technician, is refused in words, not widened.
    for (const filter of [`group=${w.g2.id}`, `technician=${w.bob.id}`]) {
      const res = await lea.get(`/admin/reports/lens?${NOVEMBER}&${filter}`);
      assert.equal(res.status, 422, filter);
      assert.match(await res.text(), /That group, technician or channel is not one you manage\./);
      const csv = await lea.get(`/admin/reports/lens/export.csv?${NOVEMBER}&${filter}`);
      assert.equal(csv.status, 422);
    }
    const leas = await (await lea.get(`/admin/reports/lens/export.csv?${NOVEMBER}`)).text();
    assert.doesNotMatch(leas, /Dirk/);
    assert.equal(leas.trim().split("\r\n").length, 4, "header and Ann's three");

    // A technician gets no report, page or CSV.
    const ann = await w.client(w.ann.email, TECH_PASSWORD);
    assert.equal((await ann.get(`/admin/reports/lens?${NOVEMBER}`)).status, 403);
    assert.equal((await ann.get(`/admin/reports/lens/export.csv?${NOVEMBER}`)).status, 403);

    // The service's scope, without the routes: the second group's admin scope sees Bob's only.
    const scope = { orgId: w.ann.orgId, groupIds: [w.g2.id] };
    const q = {
      fromDay: "2026-11-01",
      toDay: "2026-12-01",
      step: "day" as const,
      tz: "UTC",
      by: "technician" as const,
    };
    const theirs = await runReport(t.deps.db, "lens", scope, q);
    assert.deepEqual(theirs.rows.map((row) => row.customer), ["Dirk"]);
    const none = await runReport(t.deps.db, "lens", { ...scope, groupIds: [] }, q);
    assert.equal(none.rows.length, 0);
    assert.equal(none.totals?.row.lens_sessions, 0);
  } finally {
    await t.close();
  }
});

Deno.test("the Lens report as CSV (in the reader's words) and from the API; bad input in words", async () => {
  const t = await startTestApp();
  try {
    const w = await world(t);
    const master = await w.client(ADMIN.email, ADMIN.password);
    const res = await master.get(`/admin/reports/lens/export.csv?${NOVEMBER}&tz=UTC`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-disposition")!, /filename="lens-2026-11-01-2026-12-01/);
    const lines = (await res.text()).slice(1).trim().split("\r\n");
    assert.deepEqual(lines, [
      "Started,Technician,Group,Customer,Link sent,Live for (s),How it ended,Recorded",
      "2026-11-20 16:00,Ann Archer,Field team,,Not sent by e-mail or text message,,Still running,No",
      "2026-11-12 08:00,Bob Baker,Back office,Dirk,By text message,120,The customer disconnected,No",
      "2026-11-10 14:00,Ann Archer,Field team,,Not sent by e-mail or text message,,Nobody opened the link in time,No",
      "2026-11-03 09:00,Ann Archer,Field team,Carla de Vries,By e-mail,270,Ended by the technician,Yes",
    ]);
    // In Dutch for a Dutch reader.
    const nl = await (await master.get(`/admin/reports/lens/export.csv?${NOVEMBER}&tz=UTC`, {
      "accept-language": "nl",
    })).text();
    assert.match(nl, /^\uFEFFBegonnen,Technicus,/);
    assert.match(nl, /Beëindigd door de technicus,Ja/);

    // Bad filter input is a 400 that names the field in words; a period that cannot be, too.
    const bad = await master.get(`/admin/reports/lens?${NOVEMBER}&technician=someone`);
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), /The report request is not valid \(technician\)\./);
    const zone = await master.get(`/admin/reports/lens/export.csv?${NOVEMBER}&tz=Mars/Olympus`);
    assert.equal(zone.status, 400);
    assert.match(await zone.text(), /The report request is not valid \(tz\)\./);
    const backwards = await master.get(
      `/admin/reports/lens?period=custom&from=2026-11-10&to=2026-11-01`,
    );
    assert.equal(backwards.status, 400);
    assert.match(await backwards.text(), /The last day comes before the first day/);

    // The API answers the same rows and the totals.
    const token = await (await t.app.request("http://localhost/api/v1/auth/token", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: ADMIN.email, password: ADMIN.password }),
    })).json();
    const api = await t.app.request(
      `http://localhost/api/v1/reports/lens?${NOVEMBER}&tz=UTC`,
      { headers: { authorization: `Bearer ${token.token}` } },
    );
    assert.equal(api.status, 200);
    const body = await api.json();
    assert.equal(body.report, "lens");
    assert.deepEqual(body.rows.map((row: { live: number | null }) => row.live), [
      null,
      120,
      null,
      270,
    ]);
    assert.equal(body.totals.row.lens_sessions, 4);
    assert.equal(body.totals.row.live_total, 390);
  } finally {
    await t.close();
  }
});

Deno.test("a group whose technician ran a Lens session keeps it: deleting the group is refused, in words", async () => {
  const t = await startTestApp();
  try {
    const group = await makeGroup(t, { name: "Only Lens" });
    const ann = await technician(t, { groupId: group.id, name: "Ann Archer" });
    await lensRecordFixture(t.deps, {
      technician: ann,
      createdAt: at("2026-11-03T09:00:00Z"),
      endedAt: at("2026-11-03T09:30:00Z"),
      reason: "expired",
    });
    // Ann moves on: no member is left, only the Lens session's record names the group.
    await t.deps.db.delete(groupMembers).where(eq(groupMembers.userId, ann.id));
    const ctx = { actor: await masterAdmin(t), ip: "127.0.0.1", now: t.clock.now() };
    const refused = await deleteGroup(t.deps, group.id, ctx).catch((error) => error);
    assert.ok(refused instanceof Refusal && refused.status === 409, String(refused));
    assert.equal(refused.key, "org.groupHasHistory");
    const admin = t.client();
    await admin.signIn(ADMIN.email, ADMIN.password);
    const page = await (await admin.get(`/admin/groups/${group.id}/delete`)).text();
    assert.match(page, /Support or Lens sessions were held in this group/);
  } finally {
    await t.close();
  }
});
