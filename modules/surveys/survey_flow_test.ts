// The customer survey through the real app (SPEC T4): an admin sets a group's survey, the
// technician's End offers it (and every other end: leave, timeout, abandon — below), the customer answers once on /s/:token/survey, bad input
// stores nothing, a second submission is refused, the record shows the answers; pushing
// during a session; an external survey gets the session id; admins' scope.
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { defaultPermissions } from "../permissions/mod.ts";
import { customerConnected, findByToken, fireDueDeadlines, readLog } from "../support/mod.ts";
import { ADMIN, startTestApp, type TestApp } from "../../tests/support/app.ts";
import { makeGroup, makePerson, TECH_PASSWORD } from "../../tests/support/org.ts";
import { carolSession, workingSession } from "../../tests/support/sessions.ts";
import { toCurrentUser } from "../auth/mod.ts";
import { surveyAnswers } from "./schema.ts";
import { endOffersSurvey } from "./session_survey.ts";

const HTMX = { "hx-request": "true" };

async function setUp(t: TestApp) {
  const group = await makeGroup(t, { name: "Helpdesk", permissions: defaultPermissions() });
  const row = await makePerson(t, { groupId: group.id });
  const tech = {
    ...toCurrentUser(row),
    permissions: new Set(defaultPermissions()),
    groupId: group.id,
  };
  const techBrowser = t.client();
  await techBrowser.signIn(row.email, TECH_PASSWORD);
  const admin = t.client();
  await admin.signIn(ADMIN.email, ADMIN.password);
  return { group, tech, techBrowser, admin };
}

const SURVEY_FORM = {
  rows: "5",
  enabled: "1",
  q0_label: "How quickly were you helped?",
  q0_kind: "rating",
  q0_position: "1",
  q0_required: "1",
  q1_label: "Would you call us again?",
  q1_kind: "choice",
  q1_choices: "Yes\nNo",
  q1_position: "2",
  q2_label: "Anything else?",
  q2_kind: "text",
  q2_position: "3",
};

const answersOf = async (t: TestApp, sessionId: string) =>
  await t.deps.db.select().from(surveyAnswers).where(eq(surveyAnswers.sessionId, sessionId));

Deno.test("survey: admin defines it, End offers it, the customer answers once, the record shows it", async () => {
  const t = await startTestApp();
  try {
    const { group, tech, techBrowser, admin } = await setUp(t);
    await admin.get(`/admin/surveys/group/${group.id}`);
    // Bad input changes nothing.
    const refused = await admin.post(`/admin/surveys/group/${group.id}`, {
      ...SURVEY_FORM,
      q1_choices: "Yes",
    });
    assert.equal(refused.status, 422);
    assert.match(await refused.text(), /A choice needs 2 to 10 different options/);
    assert.match(
      await (await admin.get("/admin/surveys")).text(),
      /Helpdesk<\/td>\s*<td>Group<\/td>\s*<td>Off</,
    );
    const saved = await admin.post(`/admin/surveys/group/${group.id}`, SURVEY_FORM);
    assert.equal(saved.status, 303);
    const list = await (await admin.get("/admin/surveys")).text();
    assert.match(list, /Helpdesk<\/td>\s*<td>Group<\/td>\s*<td>On<\/td>\s*<td>3 questions/);

    const session = await workingSession(t, tech);
    const customer = t.client();
    // Not offered yet: nothing to answer.
    assert.equal((await customer.get(`/s/${session.token}/survey`)).status, 404);
    await techBrowser.get("/console");
    const ended = await techBrowser.post(`/console/sessions/${session.id}/end`, {}, HTMX);
    assert.equal(ended.status, 204);
    const offered = (await readLog(t.deps.db, session.id)).filter((l) =>
      l.body === "log.surveyOffered"
    );
    assert.equal(offered.length, 1);
    assert.equal(offered[0].data.href, `/s/${session.token}/survey`);
    const goodbye = await (await customer.get(`/s/${session.token}`)).text();
    assert.match(goodbye, new RegExp(`href="/s/${session.token}/survey">Open the customer survey`));

    const page = await (await customer.get(`/s/${session.token}/survey`)).text();
    assert.match(page, /1\. <bdi>How quickly were you helped\?<\/bdi>/);
    assert.match(page, /name="a_[^"]+" value="5"/);
    // Bad input: a rating out of range, an unknown option; nothing stored.
    const ids = [...page.matchAll(/name="(a_[^"]+)"/g)].map((m) => m[1]);
    const [rating, choice, text] = [...new Set(ids)];
    const bad = await customer.post(`/s/${session.token}/survey`, {
      [rating]: "9",
      [choice]: "Maybe",
    });
    assert.equal(bad.status, 422);
    const badHtml = await bad.text();
    assert.match(badHtml, /Choose a number from 1 to 5\./);
    assert.match(badHtml, /Choose one of the options\./);
    assert.deepEqual(await answersOf(t, session.id), []);

    const ok = await customer.post(`/s/${session.token}/survey`, {
      [rating]: "4",
      [choice]: "Yes",
      [text]: "Quick & kind",
    });
    assert.equal(ok.status, 200);
    assert.match(await ok.text(), /Thank you for answering the survey\./);
    const [stored] = await answersOf(t, session.id);
    assert.equal(stored.score, 4);
    assert.equal(stored.technicianId, tech.id);
    assert.equal(stored.groupId, group.id);
    assert.deepEqual(stored.answers.map((a) => a.value), [4, "Yes", "Quick & kind"]);

    // Once per session: the second submission is refused and changes nothing.
    const again = await customer.post(`/s/${session.token}/survey`, { [rating]: "1" });
    assert.equal(again.status, 409);
    assert.match(await again.text(), /answered already/);
    assert.equal((await answersOf(t, session.id))[0].score, 4);
    const log = await readLog(t.deps.db, session.id);
    assert.equal(log.filter((l) => l.body === "log.surveyAnswered").length, 1);

    // The session's record shows the answers.
    const record = await techBrowser.get(`/console/history/session/${session.id}`);
    assert.equal(record.status, 200);
    const html = await record.text();
    assert.match(html, /class="survey-score">Score 4 of 5/);
    assert.match(html, /Would you call us again\?<\/dt>\s*<dd[^>]*>Yes</);
    assert.match(html, /Quick &amp; kind/);
  } finally {
    await t.close();
  }
});

Deno.test("survey: a technician pushes it during the session; without a survey the push is refused", async () => {
  const t = await startTestApp();
  try {
    const { group, tech, techBrowser, admin } = await setUp(t);
    const session = await workingSession(t, tech);
    await techBrowser.get("/console");
    const panel = await (await techBrowser.get(`/console/sessions/${session.id}`, HTMX)).text();
    assert.doesNotMatch(panel, /Send survey/);
    const none = await techBrowser.post(`/console/sessions/${session.id}/survey`, {}, HTMX);
    assert.equal(none.status, 409);

    await admin.get(`/admin/surveys/group/${group.id}`);
    await admin.post(`/admin/surveys/group/${group.id}`, SURVEY_FORM);
    const withButton = await (await techBrowser.get(`/console/sessions/${session.id}`, HTMX))
      .text();
    assert.match(withButton, new RegExp(`action="/console/sessions/${session.id}/survey"`));
    const pushed = await techBrowser.post(`/console/sessions/${session.id}/survey`, {}, HTMX);
    assert.equal(pushed.status, 204);
    const chat = await (await t.client().get(`/s/${session.token}`)).text();
    assert.match(chat, /Please tell us how it went\./);
    assert.match(chat, new RegExp(`class="button survey-link" href="/s/${session.token}/survey"`));
    // Still live: the customer can answer now.
    const customer = t.client();
    const page = await (await customer.get(`/s/${session.token}/survey`)).text();
    const field = /name="(a_[^"]+)" value="3"/.exec(page)![1];
    assert.equal((await customer.post(`/s/${session.token}/survey`, { [field]: "3" })).status, 200);
    const fresh = (await findByToken(t.deps, session.token))!;
    assert.equal(fresh.endedAt, null);
    assert.equal((await answersOf(t, session.id))[0].score, 3);
  } finally {
    await t.close();
  }
});

Deno.test("survey: an external survey gets the session id; an admin of another group cannot edit", async () => {
  const t = await startTestApp();
  try {
    const { group, tech, techBrowser, admin } = await setUp(t);
    await admin.get(`/admin/surveys/group/${group.id}`);
    const saved = await admin.post(`/admin/surveys/group/${group.id}`, {
      rows: "0",
      enabled: "1",
      externalUrl: "https://poll.example/s?ref={sessionId}",
    });
    assert.equal(saved.status, 303);
    const session = await workingSession(t, tech);
    await techBrowser.get("/console");
    await techBrowser.post(`/console/sessions/${session.id}/end`, {}, HTMX);
    const customer = t.client();
    await customer.get(`/s/${session.token}`);
    const res = await customer.get(`/s/${session.token}/survey`);
    assert.equal(res.status, 303);
    assert.equal(res.headers.get("location"), `https://poll.example/s?ref=${session.id}`);
    assert.equal(
      (await customer.post(`/s/${session.token}/survey`, { x: "1" })).status,
      404,
      "answers to an external survey are not taken here",
    );

    // An admin who manages another group gets "not found" for this one.
    const other = await makeGroup(t, { name: "Other" });
    const otherAdminRow = await makePerson(t, { groupId: other.id, role: "admin" });
    const { groupAdmins } = await import("../org/mod.ts");
    await t.deps.db.insert(groupAdmins).values({ groupId: other.id, userId: otherAdminRow.id });
    const otherAdmin = t.client();
    await otherAdmin.signIn(otherAdminRow.email, TECH_PASSWORD);
    assert.equal((await otherAdmin.get(`/admin/surveys/group/${group.id}`)).status, 404);
    await otherAdmin.get(`/admin/surveys/group/${other.id}`);
    const forbidden = await otherAdmin.post(`/admin/surveys/group/${group.id}`, SURVEY_FORM);
    assert.equal(forbidden.status, 404);
    const list = await (await otherAdmin.get("/admin/surveys")).text();
    assert.match(list, /Other/);
    assert.doesNotMatch(list, /Helpdesk/);
  } finally {
    await t.close();
  }
});

Deno.test("survey: offered at every end — the customer leaving, a timeout, an abandoned wait — once, never when the customer never came", async () => {
  const t = await startTestApp();
  try {
    const { group, tech, techBrowser, admin } = await setUp(t);
    await admin.get(`/admin/surveys/group/${group.id}`);
    await admin.post(`/admin/surveys/group/${group.id}`, SURVEY_FORM);
    const offers = async (sessionId: string) =>
      (await readLog(t.deps.db, sessionId)).filter((l) => l.body === "log.surveyOffered");

    // The customer leaves: "End chat" leads straight to the survey, offered by nobody in person.
    const left = await workingSession(t, tech);
    const customer = t.client();
    await customer.get(`/s/${left.token}`);
    const bye = await customer.post(`/s/${left.token}/end`, {});
    assert.equal(bye.status, 303);
    assert.equal(bye.headers.get("location"), `/s/${left.token}/survey`);
    assert.match(await (await customer.get(`/s/${left.token}/survey`)).text(), /How quickly/);
    const [offer] = await offers(left.id);
    assert.deepEqual([offer.author, offer.data.href], ["system", `/s/${left.token}/survey`]);
    const ended = await (await customer.get(`/s/${left.token}`)).text();
    assert.match(ended, /id="survey-invite"[\s\S]*Open the customer survey/);

    // Never twice: the technician's End offered it; the customer leaving after offers nothing.
    const twice = await workingSession(t, tech);
    await techBrowser.get("/console");
    await techBrowser.post(`/console/sessions/${twice.id}/end`, {}, HTMX);
    const late = t.client();
    await late.get(`/s/${twice.token}`);
    const again = await late.post(`/s/${twice.token}/end`, {});
    assert.equal(again.headers.get("location"), `/s/${twice.token}/survey`);
    assert.equal((await offers(twice.id)).length, 1);
    assert.equal((await offers(twice.id))[0].author, "technician");

    // Inactivity ends a working session; a connected customer's wait runs out (abandoned).
    const idle = await workingSession(t, tech);
    const waiting = await carolSession(t, tech);
    await customerConnected(t.deps, (await findByToken(t.deps, waiting.token))!);
    // The PIN never entered: the customer never came, so no survey.
    const never = await carolSession(t, tech, "pin");
    t.clock.advance(61 * 60_000);
    await fireDueDeadlines(t.deps);
    for (const [session, outcome] of [[idle, "timed_out"], [waiting, "waiting_timeout"]] as const) {
      const fresh = (await findByToken(t.deps, session.token))!;
      assert.equal(fresh.outcome, outcome);
      assert.equal((await offers(session.id)).length, 1, outcome);
      const page = await (await t.client().get(`/s/${session.token}`)).text();
      assert.match(page, /id="survey-invite"/, outcome);
    }
    assert.equal((await findByToken(t.deps, never.token))!.outcome, "connecting_timeout");
    assert.deepEqual(await offers(never.id), []);
    assert.equal((await t.client().get(`/s/${never.token}/survey`)).status, 404);

    // Whatever ends a session its customer never reached, it offers nothing.
    for (const outcome of ["closed_by_technician", "timed_out", "connecting_timeout"] as const) {
      assert.equal(endOffersSurvey({ connectedAt: null }, { outcome }), false, outcome);
    }
    assert.equal(endOffersSurvey({ connectedAt: new Date() }, { outcome: "timed_out" }), true);
    assert.equal(
      endOffersSurvey({ connectedAt: new Date() }, { outcome: "terms_declined" }),
      false,
    );
  } finally {
    await t.close();
  }
});
