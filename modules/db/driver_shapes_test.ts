// What the two drivers give back, for the column kinds and query shapes the modules use outside
// the raw SQL of reports: CI runs the routes' and services' tests on PostgreSQL alone
// (tools/run_tests_plan.ts `engineOf`), so the difference between PGlite's driver and `postgres`
// that such a test would have met on PGlite must show here, where every file runs on both. Each
// value is checked against a literal, so the two engines agree when both runs pass.
import assert from "node:assert/strict";
import { count, countDistinct, eq, max, min, sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  boolean,
  customType,
  doublePrecision,
  integer,
  jsonb,
  pgTable,
  real,
  smallint,
  text,
  timestamp,
  uuid,
} from "drizzle-orm/pg-core";
import { openTestDatabase } from "./mod.ts";

const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({
  dataType: () => "bytea",
});

// Not in the schema: made and dropped here, with the kinds of modules/*/schema.ts.
const shapes = pgTable("driver_shapes_probe", {
  id: bigserial("id", { mode: "number" }).primaryKey(),
  key: uuid("key").notNull(),
  name: text("name"),
  position: integer("position").notNull(),
  small: smallint("small"),
  seq: bigint("seq", { mode: "number" }),
  flag: boolean("flag").notNull(),
  at: timestamp("at", { withTimezone: true }).notNull(),
  details: jsonb("details").$type<Record<string, unknown>>(),
  ratio: real("ratio"),
  exact: doublePrecision("exact"),
  blob: bytea("blob"),
});

const KEY_A = "00000000-0000-4000-8000-0000000000aa";
const KEY_B = "00000000-0000-4000-8000-0000000000bb";
const DETAILS = {
  text: "Grüße, 日本, 🙂",
  n: 42,
  big: 9007199254740991,
  list: [1, "two", null],
  nested: { ok: true },
};

Deno.test("both drivers read back the same values for the columns and aggregates the modules use", async () => {
  const { db, kind, close } = await openTestDatabase();
  try {
    await db.execute(sql`create table driver_shapes_probe (
      id bigserial primary key, key uuid not null, name text, position integer not null,
      small smallint, seq bigint, flag boolean not null, at timestamptz not null, details jsonb,
      ratio real, exact double precision, blob bytea)`);
    const inserted = await db.insert(shapes).values([
      {
        key: KEY_A,
        name: "first",
        position: 1,
        small: -3,
        seq: 2 ** 40,
        flag: true,
        // Microseconds in the database; a Date keeps milliseconds.
        at: new Date("2026-12-07T10:00:00.123Z"),
        details: DETAILS,
        ratio: 0.1,
        exact: 1 / 3,
        blob: new Uint8Array([0, 1, 254, 255]),
      },
      {
        key: KEY_A,
        name: null,
        position: 7,
        small: null,
        seq: null,
        flag: false,
        at: new Date("2026-12-06T23:59:59.999Z"),
        details: null,
        ratio: null,
        exact: null,
        blob: null,
      },
      { key: KEY_B, position: 4, flag: false, at: new Date("2026-12-08T00:00:00.000Z") },
    ]).returning({ id: shapes.id });
    assert.deepEqual(inserted.map((r) => typeof r.id), ["number", "number", "number"]);

    const [first] = await db.select().from(shapes).where(eq(shapes.name, "first"));
    const { blob, ...rest } = first;
    assert.deepEqual(rest, {
      id: inserted[0].id,
      key: KEY_A,
      name: "first",
      position: 1,
      small: -3,
      seq: 2 ** 40,
      flag: true,
      at: new Date("2026-12-07T10:00:00.123Z"),
      details: DETAILS,
      ratio: 0.1,
      exact: 1 / 3,
    });
    // `postgres` gives a Buffer, PGlite a Uint8Array: both are Uint8Arrays with these bytes.
    assert.ok(blob instanceof Uint8Array, String(blob));
    assert.deepEqual([...blob], [0, 1, 254, 255]);

    const [empty] = await db.select().from(shapes).where(eq(shapes.position, 7));
    assert.deepEqual(
      [empty.name, empty.small, empty.seq, empty.details, empty.ratio, empty.exact, empty.blob],
      [null, null, null, null, null, null, null],
    );

    // Aggregates as the modules write them (gauges, replies, scripts, channels, webhooks).
    const [agg] = await db.select({
      n: count(),
      keys: countDistinct(shapes.key),
      last: max(shapes.position),
      lastSeq: max(shapes.seq),
      oldest: min(shapes.at),
      int: sql<number>`count(*)::int`,
    }).from(shapes);
    assert.deepEqual(agg, {
      n: 3,
      keys: 2,
      last: 7,
      lastSeq: 2 ** 40,
      oldest: new Date("2026-12-06T23:59:59.999Z"),
      int: 3,
    });
    const [none] = await db.select({ last: max(shapes.position), oldest: min(shapes.at) })
      .from(shapes).where(eq(shapes.position, -1));
    assert.deepEqual(none, { last: null, oldest: null });

    // An int8 the query makes itself has no column to map it: `postgres` gives a string, PGlite
    // a number — the modules read it through Number() (modules/support/files.ts).
    const [raw] = await db.select({
      bytes: sql<number>`coalesce(sum(${shapes.position}), 0)::bigint`,
    }).from(shapes);
    assert.equal(typeof raw.bytes, kind === "postgres" ? "string" : "number");
    assert.equal(Number(raw.bytes), 12);

    // A subquery's text, and its null when it finds no row.
    const named = await db.select({
      key: shapes.key,
      found: sql<string | null>`(select s.name from driver_shapes_probe s where s.position = 1)`,
      missing: sql<string | null>`(select s.name from driver_shapes_probe s where s.position = 99)`,
    }).from(shapes).where(eq(shapes.position, 4));
    assert.deepEqual(named, [{ key: KEY_B, found: "first", missing: null }]);
  } finally {
    await db.execute(sql`drop table if exists driver_shapes_probe`);
    await close();
  }
});
