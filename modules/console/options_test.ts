// Console options (SPEC Q7): the schema's defaults, the form refusing bad values with
// nothing saved, and stored garbage falling back to defaults field by field.
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { users } from "../auth/mod.ts";
import { ADMIN, startTestApp, type TestApp } from "../../tests/support/app.ts";
import {
  CONSOLE_FLAGS,
  consoleOptionsFrom,
  ConsoleOptionsSchema,
  defaultConsoleOptions,
  readConsoleOptions,
  saveConsoleOptions,
  SOUND_ALERTS,
} from "./options.ts";
import { consoleOptions } from "./schema.ts";

const ALL_ON: Record<string, string> = Object.fromEntries([
  ...SOUND_ALERTS.map((id) => [`sounds.${id}`, "1"]),
  ...CONSOLE_FLAGS.map((flag) => [flag, "1"]),
]);

async function adminId(t: TestApp): Promise<string> {
  const [admin] = await t.deps.db.select().from(users).where(eq(users.email, ADMIN.email));
  return admin.id;
}

Deno.test("defaultConsoleOptions() has every sound on and SPEC Q7's defaults", () => {
  assert.deepEqual(defaultConsoleOptions(), {
    colourScheme: "system",
    sounds: {
      newSessionMinimised: true,
      newSessionOpen: true,
      customerDisconnected: true,
      networkLost: true,
      customerDenied: true,
      sessionUrgent: true,
      chatMinimised: true,
      chatUnfocused: true,
      customerSentFile: true,
    },
    titleFlash: true,
    notifyWhenHidden: true,
    confirmEnd: true,
    confirmClose: true,
    autoStartPrivate: false,
    spellCheck: true,
    clipboardSync: true,
    detachRemoteViews: false,
  });
  assert.equal(SOUND_ALERTS.length, 9);
  assert.equal(new Set(SOUND_ALERTS).size, 9);
});

Deno.test("ConsoleOptionsSchema refuses an unknown scheme and a sound that is not a boolean", () => {
  assert.equal(ConsoleOptionsSchema.safeParse({ colourScheme: "purple" }).success, false);
  assert.equal(ConsoleOptionsSchema.safeParse({ sounds: { networkLost: "yes" } }).success, false);
  assert.equal(ConsoleOptionsSchema.safeParse({ confirmEnd: 1 }).success, false);
  assert.equal(ConsoleOptionsSchema.safeParse({ colourScheme: "contrast" }).success, true);
});

Deno.test("consoleOptionsFrom() keeps the valid stored fields and defaults the rest, never throwing", () => {
  const defaults = defaultConsoleOptions();
  for (const garbage of [null, undefined, 42, "dark", [], [1, 2], { sounds: "loud" }]) {
    assert.deepEqual(consoleOptionsFrom(garbage), defaults, JSON.stringify(garbage));
  }
  const mixed = consoleOptionsFrom({
    colourScheme: "purple",
    confirmEnd: false,
    spellCheck: "no",
    detachRemoteViews: true,
    removedLongAgo: true,
    sounds: { networkLost: false, sessionUrgent: 0, unknownSound: false },
  });
  assert.deepEqual(mixed, {
    ...defaults,
    confirmEnd: false,
    detachRemoteViews: true,
    sounds: { ...defaults.sounds, networkLost: false },
  });
});

Deno.test("saveConsoleOptions() stores a form: unchecked boxes are off; readConsoleOptions() reads it", async () => {
  const t = await startTestApp();
  try {
    const userId = await adminId(t);
    assert.deepEqual(await readConsoleOptions(t.deps.db, userId), defaultConsoleOptions());
    const form: Record<string, string> = { ...ALL_ON, colourScheme: "dark" };
    delete form["sounds.chatUnfocused"];
    delete form.confirmClose;
    const result = await saveConsoleOptions(t.deps.db, userId, form, t.clock.now());
    assert.ok(result.ok);
    const expected = {
      ...defaultConsoleOptions(),
      colourScheme: "dark" as const,
      sounds: { ...defaultConsoleOptions().sounds, chatUnfocused: false },
      confirmClose: false,
      autoStartPrivate: true,
      detachRemoteViews: true,
    };
    assert.deepEqual(result.options, expected);
    assert.deepEqual(await readConsoleOptions(t.deps.db, userId), expected);

    t.clock.advance(60_000);
    const again = await saveConsoleOptions(t.deps.db, userId, {}, t.clock.now());
    assert.ok(again.ok, "an empty form is valid: everything off, the scheme follows the system");
    assert.equal(again.options.colourScheme, "system");
    assert.ok(Object.values(again.options.sounds).every((on) => on === false));
    const [row] = await t.deps.db.select().from(consoleOptions).where(
      eq(consoleOptions.userId, userId),
    );
    assert.equal(row.updatedAt.toISOString(), t.clock.now().toISOString());
  } finally {
    await t.close();
  }
});

Deno.test("saveConsoleOptions() refuses bad fields with their message keys and saves nothing", async () => {
  const t = await startTestApp();
  try {
    const userId = await adminId(t);
    const result = await saveConsoleOptions(
      t.deps.db,
      userId,
      { ...ALL_ON, colourScheme: "purple", "sounds.networkLost": "loud", spellCheck: "maybe" },
      t.clock.now(),
    );
    assert.ok(!result.ok);
    assert.deepEqual(result.problems, {
      colourScheme: "consoleOptions.invalidScheme",
      "sounds.networkLost": "consoleOptions.invalidValue",
      spellCheck: "consoleOptions.invalidValue",
    });
    assert.equal((await t.deps.db.select().from(consoleOptions)).length, 0);
  } finally {
    await t.close();
  }
});

Deno.test("readConsoleOptions() falls back per field on a stored row that no longer validates", async () => {
  const t = await startTestApp();
  try {
    const userId = await adminId(t);
    await t.deps.db.insert(consoleOptions).values({
      userId,
      options: { colourScheme: "sepia", titleFlash: false, sounds: { chatMinimised: false } },
      updatedAt: t.clock.now(),
    });
    const defaults = defaultConsoleOptions();
    assert.deepEqual(await readConsoleOptions(t.deps.db, userId), {
      ...defaults,
      titleFlash: false,
      sounds: { ...defaults.sounds, chatMinimised: false },
    });
  } finally {
    await t.close();
  }
});
