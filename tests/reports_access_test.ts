// Who may read which reports (pages, CSV, API), what the CSV exports hold, and the API's
// reports in the OpenAPI document.
// engine-both: the reports and CSV exports are raw SQL, shaped differently by the two drivers.
import assert from "node:assert/strict";
import { eq, sql } from "drizzle-orm";
import { users } from "../modules/auth/mod.ts";
import { groupAdmins } from "../modules/org/mod.ts";
import { runReport } from "../modules/reports/mod.ts";
import {
  customerConnected,
  endSession,
  findByToken,
  startSession,
  technicianChat,
} from "../modules/support/mod.ts";
import { customerChat } from "../modules/support/test_support.ts";
import { seedSessions } from "../tools/seed_sessions_lib.ts";
import { ADMIN, startTestApp, type TestApp } from "./support/app.ts";
import { makePerson, masterAdmin, TECH_PASSWORD } from "./support/org.ts";
import { carolSession, technician } from "./support/sessions.ts";

const END = new Date("2026-11-24T00:00:00Z");
const MONTH = "period=month&date=2026-10-15&tz=UTC";

async function tokenFor(t: TestApp, email: string, password: string) {
  const res = await t.app.request("http://localhost/api/v1/auth/token", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password }),
  });
  assert.equal(res.status, 201);
  return (await res.json()).token as string;
}

const api = (t: TestApp, token: string, path: string) =>
  t.app.request(`http://localhost/api/v1${path}`, {
    headers: { authorization: `Bearer ${token}` },
  });

async function one<T>(t: TestApp, query: ReturnType<typeof sql>): Promise<T> {
  const result = await t.deps.db.execute(query);
  return ((Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as T[])[0];
}

/** Seeded sessions, an admin of "Seed group 1" only, a technician of group 2. */
async function world(t: TestApp) {
  const master = await masterAdmin(t);
  const seeded = await seedSessions(t.deps.db, { orgId: master.orgId, count: 3000, end: END });
  const [g1, g2] = seeded.groupIds;
  const admin = await makePerson(t, { groupId: g1, role: "admin", email: "lead@example.test" });
  await t.deps.db.insert(groupAdmins).values({ groupId: g1, userId: admin.id });
  const tech = await makePerson(t, { groupId: g2, email: "tech@example.test" });
  const client = async (email: string, password: string) => {
    const c = t.client();
    assert.equal((await c.signIn(email, password)).status, 303);
    return c;
  };
  return { master, seeded, g1, g2, admin, tech, client };
}

Deno.test("a technician gets no report: pages, CSV, session logs and the API refuse it", async () => {
  const t = await startTestApp();
  try {
    const w = await world(t);
    const tech = await w.client("tech@example.test", TECH_PASSWORD);
    const { id } = await one<{ id: string }>(t, sql`select id from support_sessions limit 1`);
    for (
      const path of [
        `/admin/reports/outcomes?${MONTH}`,
        `/admin/reports/outcomes/export.csv?${MONTH}`,
        `/admin/reports/sessions/${id}/log.csv`,
      ]
    ) {
      assert.equal((await tech.get(path)).status, 403, path);
    }
    const token = await tokenFor(t, "tech@example.test", TECH_PASSWORD);
    assert.equal((await api(t, token, `/reports/outcomes?${MONTH}`)).status, 403);
    assert.equal((await api(t, token, `/reports/sessions/${id}/log`)).status, 403);
  } finally {
    await t.close();
  }
});

Deno.test("an admin's reports hold only the groups it manages; other groups' filters and logs are refused", async () => {
  const t = await startTestApp();
  try {
    const w = await world(t);
    const lead = await w.client("lead@example.test", TECH_PASSWORD);
    const csv = await (await lead.get(`/admin/reports/outcomes/export.csv?${MONTH}`)).text();
    const total = csv.trim().split("\r\n").slice(1)
      .reduce((sum, line) => sum + Number(line.split(",")[1]), 0);
    const inPeriod = sql`created_at >= '2026-10-01' and created_at < '2026-11-01'`;
    const mine = await one<{ n: number; all: number }>(
      t,
      sql`select (count(*) filter (where group_id = ${w.g1}))::int as n, count(*)::int as "all"
        from support_sessions where ${inPeriod}`,
    );
    assert.ok(mine.n > 0 && mine.n < mine.all);
    assert.equal(total, mine.n, "group 1's sessions, nobody else's");

    const page = await (await lead.get(`/admin/reports/performance?${MONTH}`)).text();
    assert.match(page, /Seed Technician 1\.1/);
    assert.doesNotMatch(page, /Seed Technician 2\.1/);
    assert.doesNotMatch(page, /Seed group 2/, "no other group offered as a filter");

    for (const filter of [`group=${w.g2}`, `technician=${w.seeded.technicianIds[5]}`]) {
      assert.equal((await lead.get(`/admin/reports/outcomes?${MONTH}&${filter}`)).status, 422);
    }
    const theirs = await one<{ id: string }>(
      t,
      sql`select id from support_sessions where group_id = ${w.g2} limit 1`,
    );
    const ours = await one<{ id: string }>(
      t,
      sql`select id from support_sessions where group_id = ${w.g1} limit 1`,
    );
    assert.equal((await lead.get(`/admin/reports/sessions/${theirs.id}/log.csv`)).status, 404);
    assert.equal((await lead.get(`/admin/reports/sessions/${ours.id}/log.csv`)).status, 200);

    // The API keeps the same scope.
    const token = await tokenFor(t, "lead@example.test", TECH_PASSWORD);
    const body = await (await api(t, token, `/reports/outcomes?${MONTH}`)).json();
    assert.equal(
      body.rows.reduce((s: number, r: { sessions: number }) => s + r.sessions, 0),
      mine.n,
    );
    assert.equal((await api(t, token, `/reports/outcomes?${MONTH}&group=${w.g2}`)).status, 422);
    assert.equal((await api(t, token, `/reports/sessions/${theirs.id}/log`)).status, 404);

    // The master admin reads everything.
    const master = await w.client(ADMIN.email, ADMIN.password);
    const all = await (await master.get(`/admin/reports/outcomes/export.csv?${MONTH}`)).text();
    assert.equal(
      all.trim().split("\r\n").slice(1).reduce((s, l) => s + Number(l.split(",")[1]), 0),
      mine.all,
    );
  } finally {
    await t.close();
  }
});

Deno.test("CSV exports: every report as its table, in the reader's language; a session's log", async () => {
  const t = await startTestApp();
  try {
    const w = await world(t);
    const master = await w.client(ADMIN.email, ADMIN.password);
    const scope = { orgId: w.master.orgId, groupIds: "all" as const };
    const query = {
      fromDay: "2026-10-01",
      toDay: "2026-11-01",
      step: "day" as const,
      tz: "UTC",
      by: "technician" as const,
    };
    for (const kind of ["outcomes", "waiting", "hours", "performance", "sessions"] as const) {
      const res = await master.get(`/admin/reports/${kind}/export.csv?${MONTH}`);
      assert.equal(
        res.status,
        200,
        `${kind}: ${t.logLines.filter((l) => l.includes("error")).at(-1)}`,
      );
      assert.match(res.headers.get("content-type")!, /^text\/csv/);
      assert.match(res.headers.get("content-disposition")!, /attachment; filename="[a-z]+-2026/);
      const text = await res.text();
      assert.ok(text.startsWith("\uFEFF"), "a byte order mark for spreadsheets");
      const lines = text.slice(1).trim().split("\r\n");
      const report = await runReport(t.deps.db, kind, scope, query, { limit: 100_000 });
      assert.equal(lines.length, report.rows.length + 1, kind);
      if (kind === "waiting") {
        assert.equal(
          lines[0],
          "Period,Queued,Picked up,Median wait (s),90th percentile wait (s),Mean wait (s)",
        );
        assert.equal(lines[5], report.columns.map((c) => report.rows[4][c.key] ?? "").join(","));
      }
      if (kind === "sessions") {
        // Every heading in words, the outcome's too (not its translation key).
        assert.equal(
          lines[0],
          "Session,Started,Customer,Technician,Group,Channel,Outcome,Wait (s),Duration (s)," +
            "Transfers,Score",
        );
        const page = await (await master.get(`/admin/reports/sessions?${MONTH}`)).text();
        const headings = /<thead>([\s\S]*?)<\/thead>/.exec(page)![1];
        assert.match(headings, /<th scope="col">Outcome<\/th>/);
        assert.doesNotMatch(headings, /reports\./);
      }
    }
    // Dutch for a Dutch reader.
    await t.deps.db.update(users).set({ language: "nl" }).where(eq(users.email, ADMIN.email));
    const nl = await (await master.get(`/admin/reports/hours/export.csv?${MONTH}`)).text();
    assert.ok(nl.startsWith("\uFEFFUur,Sessies,Opgepakt,Mediane wachttijd (s)"), nl.slice(0, 60));
    await t.deps.db.update(users).set({ language: "en" }).where(eq(users.email, ADMIN.email));

    // A real session's log: chat both ways, statuses, a formula defused, times in the zone.
    const tech = await technician(t, { groupId: w.g1 });
    const created = await carolSession(t, tech);
    const session = (await findByToken(t.deps, created.token))!;
    await customerConnected(t.deps, session);
    await startSession(t.deps, tech, session.id);
    await customerChat(t.deps, session, '=HYPERLINK("http://evil"), my printer');
    await technicianChat(t.deps, tech, session.id, 'Let me look, "Carol"');
    await endSession(t.deps, tech, session.id);
    const res = await master.get(`/admin/reports/sessions/${session.id}/log.csv?tz=Asia/Tokyo`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-disposition")!, /session-\d+-log\.csv/);
    const log = (await res.text()).slice(1).trim().split("\r\n");
    assert.equal(log[0], "Time,Author,Name,Kind,Text");
    assert.ok(log.some((l) => l.includes(`"'=HYPERLINK(""http://evil""), my printer"`)), "defused");
    assert.ok(log.some((l) => l.includes(`"Let me look, ""Carol"""`)));
    assert.ok(log.some((l) => l.includes(",Status,Active")), "status lines in words");
    // 2026-11-24 10:00 UTC is 19:00 in Tokyo.
    assert.ok(log.slice(1).every((l) => l.startsWith("2026-11-24 19:00:")), log[1]);
    assert.equal((await master.get(`/admin/reports/sessions/not-a-uuid/log.csv`)).status, 404);
  } finally {
    await t.close();
  }
});

Deno.test("the API answers reports as the pages compute them and documents them", async () => {
  const t = await startTestApp();
  try {
    const w = await world(t);
    const token = await tokenFor(t, ADMIN.email, ADMIN.password);
    const res = await api(t, token, `/reports/waiting?${MONTH}&step=week`);
    assert.equal(res.status, 200);
    const body = await res.json();
    const expected = await runReport(t.deps.db, "waiting", {
      orgId: w.master.orgId,
      groupIds: "all",
    }, { fromDay: "2026-10-01", toDay: "2026-11-01", step: "week", tz: "UTC", by: "technician" });
    assert.deepEqual(body.rows, JSON.parse(JSON.stringify(expected.rows)));
    assert.equal(body.from, "2026-10-01");
    assert.equal(body.to, "2026-10-31");
    assert.equal((await api(t, token, `/reports/waiting?tz=Mars/Olympus`)).status, 422);
    assert.equal(
      (await api(t, token, `/reports/waiting?period=custom&from=2026-10-01`)).status,
      422,
    );
    assert.equal((await api(t, token, `/reports/nonsense`)).status, 422);
    const doc = await (await t.app.request("http://localhost/api/v1/openapi.json")).json();
    assert.equal(doc.paths["/reports/{kind}"].get.operationId, "getReport");
    assert.equal(doc.paths["/reports/sessions/{id}/log"].get.operationId, "getSessionLogCsv");
  } finally {
    await t.close();
  }
});

Deno.test("a custom period the page cannot show: the filters again, as chosen, and why", async () => {
  const t = await startTestApp();
  try {
    const admin = t.client();
    await admin.signIn(ADMIN.email, ADMIN.password);
    const ask = async (search: string, lang = "en") => {
      const res = await admin.get(`/admin/reports/waiting?${search}`, { "accept-language": lang });
      return { status: res.status, html: await res.text() };
    };
    const value = (html: string, id: string) =>
      / value="([^"]*)"/.exec(new RegExp(`<input[^>]*id="${id}"[^>]*>`).exec(html)![0])?.[1];
    const cases: [string, RegExp][] = [
      ["from=2026-10-10&to=2026-10-01", /The last day comes before the first day/],
      ["from=2026-10-10&to=", /Choose the last day of the period/],
      ["from=&to=2026-10-01", /Choose the first day of the period/],
      ["from=2020-01-01&to=2026-10-01", /A period can be at most 1100 days long/],
    ];
    for (const [range, message] of cases) {
      const { status, html } = await ask(`period=custom&${range}&step=week&tz=Europe%2FAmsterdam`);
      assert.equal(status, 400, range);
      assert.match(html, message, range);
      // The filters as chosen, to correct; no report (nor a CSV link) for a period there is not.
      const [from, to] = range.split("&").map((part) => part.split("=")[1]);
      assert.equal(value(html, "r-from") ?? "", from, range);
      assert.equal(value(html, "r-to") ?? "", to, range);
      assert.match(html, /<option value="custom" selected="">/, range);
      assert.match(html, /<option value="week" selected="">/, range);
      assert.match(html, /<option value="Europe\/Amsterdam" selected="">/, range);
      assert.doesNotMatch(html, /report-table|export\.csv/, range);
    }
    const dutch = await ask("period=custom&from=2026-10-10&to=2026-10-01", "nl");
    assert.match(dutch.html, /De laatste dag ligt vóór de eerste dag/);
    assert.doesNotMatch(dutch.html, /\(to\)/);
  } finally {
    await t.close();
  }
});
