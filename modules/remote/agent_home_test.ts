// The agent's home (agent_home.ts), on either engine: claimed by this instance, taken over by
// another, released only while it still names this instance and no newer socket attached
// here; every change is a `remote` notice; a row naming an instance that stopped beating
// counts as none; /agent/join refuses a second app while the first is attached on another
// instance.
import assert from "node:assert/strict";
import { registerInstance } from "../cluster/mod.ts";
import type { LiveEvent } from "../live/mod.ts";
import { createPrivateSession, customerConnected, findByToken } from "../support/mod.ts";
import { startTestApp } from "../../tests/support/app.ts";
import { carolSession, technician } from "../../tests/support/sessions.ts";
import {
  agentAttachedAnywhere,
  claimHome,
  claimPresentationHome,
  homeOf,
  releaseHome,
  releasePresentationHome,
} from "./agent_home.ts";
import { agentHomes } from "./schema.ts";

Deno.test("agent home: claim, another instance takes over, release only while it is ours", async () => {
  const t = await startTestApp();
  try {
    const tech = await technician(t);
    const session = await carolSession(t, tech);
    const heard: LiveEvent[] = [];
    t.deps.live.subscribe(session.orgId, (event) => heard.push(event));
    assert.deepEqual(await homeOf(t.deps, session.id), { kind: "none" });

    await claimHome(t.deps, session);
    assert.deepEqual(await homeOf(t.deps, session.id), { kind: "here" });
    assert.deepEqual(heard, [{ kind: "remote", orgId: session.orgId, sessionId: session.id }]);

    // A newer socket attached here meanwhile: the older one's close keeps the row.
    await releaseHome(t.deps, session, () => true);
    assert.deepEqual(await homeOf(t.deps, session.id), { kind: "here" });

    // The agent reconnected on instance B: our late close leaves B's row alone, says nothing.
    const b = { id: crypto.randomUUID(), internalUrl: "http://127.0.0.1:9" };
    await registerInstance(t.deps.db, b, t.clock.now());
    await t.deps.db.update(agentHomes).set({ instanceId: b.id });
    await releaseHome(t.deps, session);
    assert.deepEqual(await homeOf(t.deps, session.id), {
      kind: "elsewhere",
      instanceId: b.id,
      url: b.internalUrl,
    });
    assert.equal(heard.length, 1);
    assert.equal(await agentAttachedAnywhere(t.deps, session.id), true);

    // B stops beating: its row counts as none (and goes when B's instance row is removed).
    t.clock.advance(6_000);
    assert.deepEqual(await homeOf(t.deps, session.id), { kind: "none" });
    t.clock.advance(-6_000);

    // Back here, then closed here: the row goes, with a notice.
    await claimHome(t.deps, session);
    await releaseHome(t.deps, session);
    assert.deepEqual(await homeOf(t.deps, session.id), { kind: "none" });
    assert.equal(heard.length, 3);
    assert.deepEqual(await homeOf(t.deps, "not-a-uuid"), { kind: "none" });
  } finally {
    await t.close();
  }
});

Deno.test("/agent/join: a session whose app is attached on another instance is not joined twice", async () => {
  const t = await startTestApp();
  try {
    const tech = await technician(t);
    const { session } = await createPrivateSession(t.deps, tech, {
      method: "pin",
      customerName: "Carol",
      fields: {},
    });
    await customerConnected(t.deps, (await findByToken(t.deps, session.token))!);
    const join = async () =>
      (await t.app.request("http://localhost/agent/join", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ pin: session.pin }),
      }, { remoteAddr: { hostname: "203.0.113.7" } })).status;
    assert.equal(await join(), 200);
    const b = { id: crypto.randomUUID(), internalUrl: "http://127.0.0.1:9" };
    await registerInstance(t.deps.db, b, t.clock.now());
    await t.deps.db.insert(agentHomes).values({
      sessionId: session.id,
      instanceId: b.id,
      since: t.clock.now(),
    });
    assert.equal(await join(), 422, "attached on B: a second app would replace it");
  } finally {
    await t.close();
  }
});

Deno.test("presentation home: claimed with no home, not an app for /agent/join, yields to the agent", async () => {
  const t = await startTestApp();
  try {
    const tech = await technician(t);
    const session = await carolSession(t, tech);
    await claimPresentationHome(t.deps, session);
    assert.deepEqual(await homeOf(t.deps, session.id), { kind: "here" });
    assert.equal(await agentAttachedAnywhere(t.deps, session.id), false, "no app attached");

    // The agent attaches: its home now, counted as an app; the presentation's release leaves it.
    await claimHome(t.deps, session);
    assert.equal(await agentAttachedAnywhere(t.deps, session.id), true);
    await releasePresentationHome(t.deps, session);
    assert.deepEqual(await homeOf(t.deps, session.id), { kind: "here" });
    assert.equal(await agentAttachedAnywhere(t.deps, session.id), true);

    // A home the agent holds on another live instance is left alone by a presentation here.
    const b = { id: crypto.randomUUID(), internalUrl: "http://127.0.0.1:9" };
    await registerInstance(t.deps.db, b, t.clock.now());
    await t.deps.db.update(agentHomes).set({ instanceId: b.id });
    await claimPresentationHome(t.deps, session);
    assert.equal((await homeOf(t.deps, session.id)).kind, "elsewhere");

    // The agent gone (its row deleted): the presentation's home goes at its end.
    await t.deps.db.delete(agentHomes);
    await claimPresentationHome(t.deps, session);
    assert.deepEqual(await homeOf(t.deps, session.id), { kind: "here" });
    await releasePresentationHome(t.deps, session);
    assert.deepEqual(await homeOf(t.deps, session.id), { kind: "none" });
  } finally {
    await t.close();
  }
});
