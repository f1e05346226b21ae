// Remote view with several technicians over real sockets (issue 20): the lead and a
// collaborator each have a viewer socket; control passes only when asked and given, and the
// lead takes it back; a collaborator the lead removes has its socket closed at once, and
// opening it again with the same cookie and URL (a replay) is refused before any upgrade.
import assert from "node:assert/strict";
import { removeCollaborator } from "../../modules/collaboration/mod.ts";
import { customerConnected } from "../../modules/support/mod.ts";
import { createPinSession, HTMX, signedInTechnician } from "../../modules/console/test_fixtures.ts";
import { servedAppTest, type ViewerFrame, viewerSocket } from "../support/sockets.ts";
import { consentingAgent } from "../support/control.ts";

const owner = (f: ViewerFrame) => f.type === "control_owner";

servedAppTest(
  "viewer sockets: control passes lead → collaborator on request, the lead takes it back; " +
    "a removed collaborator is closed and its replay refused",
  async (t, port) => {
    const first = await signedInTechnician(t, { name: "Ann" });
    const second = await signedInTechnician(t, { groupId: first.user.groupId!, name: "Bob" });
    const [lead, colleague] = [first.user, second.user];
    const [annBrowser, bobBrowser] = [first.browser, second.browser];
    const session = await createPinSession(t, annBrowser);
    await customerConnected(t.deps, session);
    const start = (browser: typeof annBrowser) =>
      browser.post(`/console/sessions/${session.id}/start`, {}, HTMX);
    assert.equal((await start(annBrowser)).status, 204);
    const invited = await annBrowser.post(`/console/sessions/${session.id}/invite`, {
      userId: colleague.id,
      note: "",
      perm_desktopView: "1",
      perm_remoteControl: "1",
    }, HTMX);
    assert.ok(invited.status < 300, `invited (${invited.status})`);
    assert.equal((await start(bobBrowser)).status, 204, "Bob's Start: Collaborating");
    const ann = await viewerSocket(port, annBrowser, session.id);
    const bob = await viewerSocket(port, bobBrowser, session.id);
    await ann.next((f) => f.type === "state");
    await bob.next((f) => f.type === "state");

    const { got: agentGot } = consentingAgent(t, session.id);

    // Ann types first: she holds control; Bob is told who does, and his keys are refused.
    ann.send({ type: "key", keysym: 0x61, down: true });
    await ann.next((f) => owner(f) && f.owner === "here");
    await bob.next((f) => owner(f) && f.owner === "other" && f.holder === "Ann");
    bob.send({ type: "key", keysym: 0x62, down: true });
    await bob.next((f) => f.type === "error" && f.code === "control_taken");
    bob.send({ type: "take_control" });
    await bob.next((f) => f.type === "error" && f.code === "control_taken");

    // Bob asks, Ann gives: Bob drives, Ann's keys are refused.
    bob.send({ type: "request_control" });
    const asked = await ann.next((f) => owner(f) && f.asking !== null);
    assert.deepEqual(asked.asking, { userId: colleague.id, name: colleague.name });
    ann.send({ type: "give_control", userId: colleague.id });
    await bob.next((f) => owner(f) && f.owner === "here");
    const before = agentGot.filter((m) => m.type === "key").length;
    bob.send({ type: "key", keysym: 0x63, down: true });
    ann.send({ type: "key", keysym: 0x64, down: true });
    await ann.next((f) => f.type === "error" && f.code === "control_taken");
    const keys = agentGot.filter((m) => m.type === "key").slice(before);
    assert.deepEqual(keys.map((k) => k.type === "key" && k.keysym), [0x63], "only Bob's key");

    // The lead takes it back without asking.
    ann.send({ type: "take_control" });
    await ann.next((f) => owner(f) && f.owner === "here");
    await bob.next((f) => owner(f) && f.owner === "other");

    // Removed: Bob's socket closes at once; the same cookie and URL are refused.
    const at = performance.now();
    await removeCollaborator(t.deps, lead, session.id, colleague.id);
    const closed = await Promise.race([
      bob.closed,
      new Promise<null>((r) => setTimeout(() => r(null), 1_500)),
    ]);
    assert.ok(closed, "closed within 1.5 s of the removal");
    assert.equal(closed.code, 4403);
    assert.ok(closed.at - at < 1_500);
    await assert.rejects(() => viewerSocket(port, bobBrowser, session.id), "the replay");
    // In memory (TestClient talks to http://localhost): past the origin check, refused.
    const replay = await bobBrowser.get(`/console/sessions/${session.id}/remote/ws`, {
      origin: "http://localhost",
      upgrade: "websocket",
    });
    assert.ok([404, 409].includes(replay.status), `refused before any upgrade (${replay.status})`);
    assert.equal(ann.ws.readyState, WebSocket.OPEN, "the lead's view goes on");
    ann.ws.close();
  },
);
