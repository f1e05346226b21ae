// The whiteboard through the real viewer socket (SPEC R4): a technician whose group may only
// view the desktop (no remoteControl) may still draw and point — the picture's right — while a
// malformed stroke is refused with a reason and the socket carries on; nothing reaches the agent
// before the customer shares the screen.
import assert from "node:assert/strict";
import type { ServerMessage } from "../../protocol/mod.ts";
import { defaultPermissions } from "../permissions/mod.ts";
import { servedAppTest, viewerSocket } from "../../tests/support/sockets.ts";
import { technician, workingSession } from "../../tests/support/sessions.ts";
import { TECH_PASSWORD } from "../../tests/support/org.ts";
import { remoteHub } from "./mod.ts";

servedAppTest(
  "viewer socket: a view-only technician draws; bad strokes are refused, the socket lives",
  async (t, port) => {
    const permissions = defaultPermissions().filter((p) => p !== "remoteControl");
    assert.ok(permissions.includes("desktopView"));
    const tech = await technician(t, { permissions });
    const session = await workingSession(t, tech);
    const browser = t.client();
    await browser.signIn(tech.email, TECH_PASSWORD);
    const viewer = await viewerSocket(port, browser, session.id);
    await viewer.next((f) => f.type === "state");
    const remote = remoteHub(t.deps).find(session.id)!;
    const got: ServerMessage[] = [];
    remote.agentAttached({ send: (m) => got.push(m), close() {}, whiteboard: true }, {
      width: 800,
      height: 600,
    });
    const drawn = () => got.filter((m) => ["whiteboard", "stroke", "laser"].includes(m.type));

    // Before the customer shares the screen: refused, nothing at the agent.
    viewer.send({ type: "whiteboard", on: true });
    const early = await viewer.next((f) => f.type === "error");
    assert.equal(early.code, "view_not_granted");
    assert.match(String(early.reason), /does not share the screen/);
    assert.deepEqual(drawn(), []);

    remote.agentConsent("view", true);
    viewer.send({ type: "whiteboard", on: true });
    await viewer.next((f) => f.type === "state" && f.whiteboard === true);
    viewer.send({ type: "stroke", color: "green", width: 3, points: [10, 10, 50, 60] });
    viewer.send({ type: "laser", at: { x: 400, y: 300 } });

    // A stroke the schema refuses: a reason, and the socket still answers.
    viewer.send({ type: "stroke", color: "green", width: 3, points: [10, 10, 50] });
    const bad = await viewer.next((f) => f.type === "error");
    assert.equal(bad.code, "invalid");
    assert.match(String(bad.reason), /pairs/);
    viewer.send({ type: "ping", at: 7 });
    await viewer.next((f) => f.type === "pong" && f.at === 7);

    // Control is not this technician's: a pointer move is refused as before.
    viewer.send({ type: "pointer", x: 1, y: 1 });
    assert.equal((await viewer.next((f) => f.type === "error")).code, "permission");
    assert.deepEqual(drawn(), [
      { type: "whiteboard", on: true },
      { type: "stroke", color: "green", width: 3, points: [10, 10, 50, 60] },
      { type: "laser", at: { x: 400, y: 300 } },
    ]);

    // The window goes: its laser is hidden on the customer's screen.
    viewer.ws.close();
    await viewer.closed;
    const hidden = () => got.some((m) => m.type === "laser" && m.at === null);
    for (let i = 0; i < 100 && !hidden(); i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.deepEqual(got.filter((m) => m.type === "laser").at(-1), { type: "laser", at: null });
    remote.close();
  },
);
