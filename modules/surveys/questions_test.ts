import assert from "node:assert/strict";
import { checkAnswers, draftFromForm, externalSurveyUrl } from "./questions.ts";
import type { SurveyQuestion } from "./schema.ts";

let n = 0;
const ids = () => `id${++n}`;

Deno.test("draftFromForm() orders rows by position, skips empty and removed rows", () => {
  const { draft, problems } = draftFromForm({
    rows: "4",
    enabled: "1",
    q0_label: "Free words",
    q0_kind: "text",
    q0_position: "3",
    q1_label: "How was it?",
    q1_kind: "rating",
    q1_position: "1",
    q1_required: "1",
    q1_id: "keep-me",
    q2_label: "Gone",
    q2_kind: "rating",
    q2_remove: "1",
    q3_label: "",
    q3_kind: "choice",
  }, ids);
  assert.deepEqual(problems, []);
  assert.equal(draft.enabled, true);
  assert.deepEqual(draft.questions.map((q) => [q.id, q.kind, q.label, q.required]), [
    ["keep-me", "rating", "How was it?", true],
    [draft.questions[1].id, "text", "Free words", false],
  ]);
  assert.notEqual(draft.questions[1].id, "keep-me");
});

Deno.test("draftFromForm() refuses a choice without two options, a bad kind, a bad URL, an empty survey", () => {
  const bad = draftFromForm({
    rows: "2",
    enabled: "1",
    externalUrl: "javascript:alert(1)",
    q0_label: "Pick",
    q0_kind: "choice",
    q0_choices: "Only one\n\nOnly one",
    q1_label: "Odd",
    q1_kind: "slider",
  }, ids);
  assert.deepEqual(bad.problems.map((p) => [p.field, p.key]), [
    ["q0_choices", "surveys.problems.choices"],
    ["q1_kind", "surveys.problems.kind"],
    ["externalUrl", "surveys.problems.url"],
  ]);
  const empty = draftFromForm({ rows: "0", enabled: "1" }, ids);
  assert.deepEqual(empty.problems.map((p) => p.key), ["surveys.problems.empty"]);
  const eleven = Object.fromEntries(
    Array.from({ length: 11 }, (_, i) => [[`q${i}_label`, `Q${i}`], [`q${i}_kind`, "text"]]).flat(),
  );
  const many = draftFromForm({ rows: "13", ...eleven }, ids);
  assert.deepEqual(many.problems.map((p) => p.key), ["surveys.problems.tooMany"]);
});

Deno.test("externalSurveyUrl() fills {sessionId} or adds ?session=", () => {
  assert.equal(
    externalSurveyUrl("https://poll.example/s/{sessionId}/start", "abc"),
    "https://poll.example/s/abc/start",
  );
  assert.equal(
    externalSurveyUrl("https://poll.example/form?lang=nl", "abc"),
    "https://poll.example/form?lang=nl&session=abc",
  );
});

const QUESTIONS: SurveyQuestion[] = [
  { id: "r1", kind: "rating", label: "Speed", choices: [], required: true },
  { id: "r2", kind: "rating", label: "Friendliness", choices: [], required: false },
  { id: "c", kind: "choice", label: "Again?", choices: ["Yes", "No"], required: false },
  { id: "t", kind: "text", label: "Anything else", choices: [], required: false },
];

Deno.test("checkAnswers() keeps valid answers and averages the ratings", () => {
  const result = checkAnswers(QUESTIONS, {
    a_r1: "5",
    a_r2: "2",
    a_c: "Yes",
    a_t: " Fine\r\nthanks ",
    a_unknown: "ignored",
  });
  assert.ok(result.ok);
  assert.equal(result.score, 3.5);
  assert.deepEqual(result.answers.map((a) => a.value), [5, 2, "Yes", "Fine\nthanks"]);
  const skipped = checkAnswers(QUESTIONS, { a_r1: "4" });
  assert.ok(skipped.ok);
  assert.equal(skipped.score, 4);
  assert.deepEqual(skipped.answers.map((a) => a.value), [4, null, null, null]);
});

Deno.test("checkAnswers() refuses a missing required answer, ratings outside 1–5, unknown options, long text", () => {
  const result = checkAnswers(QUESTIONS, {
    a_r2: "6",
    a_c: "Maybe",
    a_t: "x".repeat(2001),
  });
  assert.equal(result.ok, false);
  assert.deepEqual(!result.ok && result.problems, {
    a_r1: "surveys.answer.required",
    a_r2: "surveys.answer.rating",
    a_c: "surveys.answer.choice",
    a_t: "surveys.answer.tooLong",
  });
  for (const bad of ["0", "2.5", "1e0", "five", "-1"]) {
    assert.equal(checkAnswers(QUESTIONS, { a_r1: bad }).ok, false, bad);
  }
});
