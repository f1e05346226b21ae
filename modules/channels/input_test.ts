import assert from "node:assert/strict";
import { channelInputFromForm, ChannelInputSchema, FieldInputSchema, problemsOf } from "./input.ts";

const group = crypto.randomUUID();
const field = crypto.randomUUID();

function valid(overrides: Record<string, unknown> = {}) {
  return {
    name: "Helpdesk",
    groupIds: [group],
    fields: [{ fieldId: field, required: true }],
    openingHours: {
      enabled: true,
      timeZone: "Europe/Amsterdam",
      days: { "1": [["09:00", "12:00"], ["13:00", "17:00"]], "6": [] },
    },
    unavailableAction: "callback",
    unavailableMessage: "  Back tomorrow.  ",
    active: true,
    ...overrides,
  };
}

function codes(raw: unknown): string[] {
  const result = ChannelInputSchema.safeParse(raw);
  assert.equal(result.success, false, "expected the input to be refused");
  return problemsOf(result.error!).map((p) => `${p.path}:${p.code}`);
}

const hours = (days: Record<string, unknown>, timeZone = "UTC") => ({
  enabled: true,
  timeZone,
  days,
});

Deno.test("ChannelInputSchema accepts a full channel, trims text and fills every weekday", () => {
  const input = ChannelInputSchema.parse(valid());
  assert.equal(input.name, "Helpdesk");
  assert.equal(input.unavailableMessage, "Back tomorrow.");
  assert.deepEqual(Object.keys(input.openingHours.days), ["1", "2", "3", "4", "5", "6", "7"]);
  assert.deepEqual(input.openingHours.days["2"], []);
  assert.deepEqual(input.fields, [{ fieldId: field, required: true }]);
});

Deno.test("ChannelInputSchema fills defaults: always open in UTC, message, active", () => {
  const input = ChannelInputSchema.parse({ name: "Minimal", groupIds: [group] });
  assert.equal(input.openingHours.enabled, false);
  assert.equal(input.openingHours.timeZone, "UTC");
  assert.equal(input.unavailableAction, "message");
  assert.equal(input.active, true);
  assert.deepEqual(input.fields, []);
});

Deno.test("ChannelInputSchema refuses an empty, blank or over-long name", () => {
  assert.deepEqual(codes(valid({ name: "" })), ["name:nameRequired"]);
  assert.deepEqual(codes(valid({ name: "   " })), ["name:nameRequired"]);
  assert.deepEqual(codes(valid({ name: "x".repeat(101) })), ["name:nameTooLong"]);
  assert.equal(ChannelInputSchema.parse(valid({ name: "x".repeat(100) })).name.length, 100);
});

Deno.test("ChannelInputSchema refuses times that are not HH:MM on a 24-hour clock", () => {
  for (const bad of ["25:00", "24:01", "9:00", "09:60", "0900", "", "noon"]) {
    assert.ok(
      codes(valid({ openingHours: hours({ "1": [[bad, "23:00"]] }) }))
        .includes("openingHours.days.1.0.0:timeInvalid"),
      bad,
    );
  }
  assert.ok(
    ChannelInputSchema.safeParse(valid({ openingHours: hours({ "1": [["00:00", "24:00"]] }) }))
      .success,
  );
});

Deno.test("ChannelInputSchema refuses a range that ends before or when it starts (no crossing midnight)", () => {
  assert.deepEqual(codes(valid({ openingHours: hours({ "3": [["17:00", "09:00"]] }) })), [
    "openingHours.days.3.0:rangeOrder",
  ]);
  assert.deepEqual(codes(valid({ openingHours: hours({ "3": [["09:00", "09:00"]] }) })), [
    "openingHours.days.3.0:rangeOrder",
  ]);
  assert.deepEqual(codes(valid({ openingHours: hours({ "5": [["22:00", "02:00"]] }) })), [
    "openingHours.days.5.0:rangeOrder",
  ]);
  assert.deepEqual(codes(valid({ openingHours: hours({ "1": [["24:00", "24:00"]] }) })), [
    "openingHours.days.1.0:rangeOrder",
  ]);
});

Deno.test("ChannelInputSchema refuses overlapping ranges and sorts the others", () => {
  assert.deepEqual(
    codes(valid({ openingHours: hours({ "2": [["13:00", "17:00"], ["09:00", "13:30"]] }) })),
    ["openingHours.days.2:rangesOverlap"],
  );
  const input = ChannelInputSchema.parse(
    valid({ openingHours: hours({ "2": [["13:00", "17:00"], ["09:00", "13:00"]] }) }),
  );
  assert.deepEqual(input.openingHours.days["2"], [["09:00", "13:00"], ["13:00", "17:00"]]);
});

Deno.test("ChannelInputSchema refuses unknown days and more than four ranges a day", () => {
  assert.deepEqual(codes(valid({ openingHours: hours({ "8": [] }) })), [
    "openingHours.days:dayUnknown",
  ]);
  const five = [["01:00", "02:00"], ["03:00", "04:00"], ["05:00", "06:00"], ["07:00", "08:00"], [
    "09:00",
    "10:00",
  ]];
  assert.deepEqual(codes(valid({ openingHours: hours({ "1": five }) })), [
    "openingHours.days.1:tooManyRanges",
  ]);
});

Deno.test("ChannelInputSchema checks the time zone with Intl and stores its canonical name", () => {
  for (const zone of ["Mars/Olympus_Mons", "+01:00", "CET+1", "", "Europe/Amsterdam/"]) {
    assert.deepEqual(codes(valid({ openingHours: hours({}, zone) })), [
      "openingHours.timeZone:timeZoneUnknown",
    ], zone);
  }
  const input = ChannelInputSchema.parse(valid({ openingHours: hours({}, "america/new_york") }));
  assert.equal(input.openingHours.timeZone, "America/New_York");
});

Deno.test("ChannelInputSchema refuses ids that are not UUIDs, duplicates and a group-less active channel", () => {
  assert.deepEqual(codes(valid({ groupIds: ["1"] })), ["groupIds.0:groupUnknown"]);
  assert.deepEqual(codes(valid({ groupIds: [group, group] })), ["groupIds:groupDuplicate"]);
  assert.deepEqual(codes(valid({ fields: [{ fieldId: "x", required: true }] })), [
    "fields.0.fieldId:fieldUnknown",
  ]);
  const twice = [{ fieldId: field, required: true }, { fieldId: field, required: false }];
  assert.deepEqual(codes(valid({ fields: twice })), ["fields:fieldDuplicate"]);
  assert.deepEqual(codes(valid({ groupIds: [] })), ["groupIds:groupsRequired"]);
  assert.ok(ChannelInputSchema.safeParse(valid({ groupIds: [], active: false })).success);
});

Deno.test("ChannelInputSchema lists every problem at once, including the missing group", () => {
  const found = codes(valid({ name: "", groupIds: [], unavailableAction: "sms" }));
  assert.deepEqual(found.sort(), [
    "groupIds:groupsRequired",
    "name:nameRequired",
    "unavailableAction:actionUnknown",
  ]);
});

Deno.test("ChannelInputSchema refuses a message over 2000 characters and non-boolean flags", () => {
  assert.deepEqual(codes(valid({ unavailableMessage: "x".repeat(2001) })), [
    "unavailableMessage:messageTooLong",
  ]);
  assert.deepEqual(codes(valid({ active: "yes" })), ["active:invalid"]);
  assert.deepEqual(codes(null), [":invalid"]);
});

Deno.test("FieldInputSchema takes a label of 1–60 characters and a max length of 1–2000", () => {
  assert.deepEqual(FieldInputSchema.parse({ label: " Phone ", maxLength: "30" }), {
    label: "Phone",
    maxLength: 30,
  });
  assert.equal(FieldInputSchema.parse({ label: "Phone" }).maxLength, 200);
  const refused = (raw: unknown) =>
    problemsOf(FieldInputSchema.safeParse(raw).error!).map((p) => `${p.path}:${p.code}`);
  assert.deepEqual(refused({ label: "", maxLength: 10 }), ["label:labelRequired"]);
  assert.deepEqual(refused({ label: "x".repeat(61), maxLength: 10 }), ["label:labelTooLong"]);
  for (const bad of ["0", "2001", "1.5", "abc", ""]) {
    assert.deepEqual(refused({ label: "ok", maxLength: bad }), ["maxLength:maxLengthInvalid"], bad);
  }
});

Deno.test("channelInputFromForm() reads checkboxes, field selects in order and time pairs", () => {
  const other = crypto.randomUUID();
  const draft = channelInputFromForm({
    name: "Sales",
    [`group_${group}`]: "on",
    [`field_${other}`]: "optional",
    [`field_${field}`]: "required",
    [`field_${crypto.randomUUID()}`]: "off",
    hoursEnabled: "on",
    timeZone: "Europe/Amsterdam",
    hours_1_0_start: " 09:00 ",
    hours_1_0_end: "12:00",
    hours_1_1_start: "",
    hours_1_1_end: "",
    hours_2_1_start: "14:00",
    unavailableAction: "callback",
    unavailableMessage: "Later",
  }, [field, other]);
  assert.deepEqual(draft.groupIds, [group]);
  assert.deepEqual(draft.fields, [
    { fieldId: field, required: true },
    { fieldId: other, required: false },
  ]);
  assert.deepEqual(draft.openingHours.days["1"], [["09:00", "12:00"]]);
  assert.deepEqual(
    draft.openingHours.days["2"],
    [["14:00", ""]],
    "half a pair is kept, to be refused",
  );
  assert.equal(draft.openingHours.enabled, true);
  assert.equal(draft.active, false, "an unticked checkbox is not sent");
  assert.deepEqual(codes(draft), ["openingHours.days.2.0.1:timeInvalid"]);
});
