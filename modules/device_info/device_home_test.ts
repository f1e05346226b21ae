// deviceHome() on either engine: the first request claims the board for the instance that got
// it; a home naming a dead instance is claimed again here, and the board says its values were
// lost (a version past any the old board reached); a live home elsewhere is left alone.
import assert from "node:assert/strict";
import { instances } from "../cluster/schema.ts";
import { startTestApp } from "../../tests/support/app.ts";
import { technician, workingSession } from "../../tests/support/sessions.ts";
import { deviceBoard } from "./board.ts";
import { deviceHome } from "./device_home.ts";
import { deviceHomes } from "./schema.ts";

Deno.test("deviceHome() claims here, keeps a live home elsewhere, takes over a dead one as lost", async () => {
  const t = await startTestApp();
  try {
    const session = await workingSession(t, await technician(t));
    assert.deepEqual(await deviceHome(t.deps, session.id), { kind: "here" });
    assert.equal(deviceBoard(t.deps).get(session.id).consent, "off", "a first claim loses nothing");

    // Another instance, alive, holds it.
    const other = crypto.randomUUID();
    const now = t.clock.now();
    await t.deps.db.insert(instances).values({
      id: other,
      internalUrl: "http://127.0.0.1:9",
      startedAt: now,
      heartbeatAt: now,
    });
    await t.deps.db.update(deviceHomes).set({ instanceId: other });
    assert.deepEqual(await deviceHome(t.deps, session.id), {
      kind: "elsewhere",
      instanceId: other,
      url: "http://127.0.0.1:9",
    });

    // It stops beating: its board is taken over here, and said lost.
    t.clock.advance(10_000);
    assert.deepEqual(await deviceHome(t.deps, session.id), { kind: "here" });
    const entry = deviceBoard(t.deps).get(session.id);
    assert.equal(entry.consent, "lost");
    assert.ok(entry.version > 1_000_000, "past any version the old board reached");
    const [row] = await t.deps.db.select().from(deviceHomes);
    assert.equal(row.instanceId, t.deps.instance.id);
  } finally {
    await t.close();
  }
});
