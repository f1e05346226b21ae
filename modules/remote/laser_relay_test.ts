// The laser pointer relayed to the session's other viewers (whiteboard.ts): the agent's picture
// leaves the laser out, so a colleague or a monitoring admin hears each move of another
// window's dot (its pen number, its technician's name) and its end — the laser off, that window
// gone, view taken back — and a viewer starting to watch hears where a dot rests; the pointing
// window and viewers not watching hear no move, and a refused laser (view not granted) reaches
// nobody.
import assert from "node:assert/strict";
import type { ServerMessage, WhiteboardMessage } from "../../protocol/mod.ts";
import { RemoteSession, type ViewerLink, type ViewerMessage } from "./hub.ts";

function world() {
  const toAgent: ServerMessage[] = [];
  const remote = new RemoteSession("org", "session", ["127.0.0.1"]);
  remote.agentAttached(
    { send: (m) => void toAgent.push(m), close: () => {}, whiteboard: true, whiteboardUndo: true },
    { width: 640, height: 480 },
  );
  const heard = new Map<string, ViewerMessage[]>();
  const viewer = (name: string, extra: Partial<ViewerLink> = {}): ViewerLink => {
    heard.set(name, []);
    const link: ViewerLink = {
      userId: name,
      name,
      watching: false,
      peer: null,
      send: (m) => void heard.get(name)!.push(m),
      ...extra,
    };
    remote.join(link);
    return link;
  };
  const lasers = (name: string) => heard.get(name)!.filter((m) => m.type === "laser");
  return { remote, toAgent, viewer, lasers };
}

const at = (x: number, y: number): WhiteboardMessage => ({ type: "laser", at: { x, y } });
const NO_LASER: WhiteboardMessage = { type: "laser", at: null };

Deno.test("another window's laser reaches the session's other watching viewers, and its end", () => {
  const { remote, toAgent, viewer, lasers } = world();
  const ann = viewer("Ann"), bob = viewer("Bob"), boss = viewer("Boss", { monitor: true });
  viewer("Idle"); // joined, not watching: no picture to draw on
  assert.equal(remote.draw(at(5, 6), ann), "view_not_granted");
  for (const v of [ann, bob, boss]) remote.setWatching(v, true);
  remote.agentConsent("view", true);
  assert.deepEqual(lasers("Bob"), [], "a refused laser reaches nobody");

  assert.equal(remote.draw(at(5, 6), ann), null);
  assert.equal(remote.draw(at(7, 8), ann), null);
  const moves = [
    { type: "laser", by: 1, name: "Ann", at: { x: 5, y: 6 } },
    { type: "laser", by: 1, name: "Ann", at: { x: 7, y: 8 } },
  ];
  assert.deepEqual(lasers("Bob"), moves);
  assert.deepEqual(lasers("Boss"), moves, "a monitoring admin sees it too");
  assert.deepEqual(lasers("Ann"), [], "the pointing window paints its own");
  assert.deepEqual(lasers("Idle"), []);
  assert.deepEqual(toAgent.filter((m) => m.type === "laser"), [at(5, 6), at(7, 8)]);

  assert.equal(remote.draw(NO_LASER, ann), null);
  const gone = { type: "laser", by: 1, name: "Ann", at: null };
  assert.deepEqual(lasers("Bob").at(-1), gone);
  assert.deepEqual(lasers("Idle"), [gone], "an end reaches every other viewer");
  assert.equal(remote.draw(NO_LASER, ann), null);
  assert.equal(lasers("Bob").length, 3, "a second hide is not said again");

  // A viewer starting to watch hears where a dot rests now, without waiting for its next move.
  remote.draw(at(9, 9), ann);
  const late = viewer("Late");
  assert.deepEqual(lasers("Late"), []);
  remote.setWatching(late, true);
  assert.deepEqual(lasers("Late"), [{ type: "laser", by: 1, name: "Ann", at: { x: 9, y: 9 } }]);
  remote.draw(NO_LASER, ann);

  // Bob points: his own number; his window closing ends his dot for the others.
  remote.draw(at(1, 2), bob);
  assert.deepEqual(lasers("Ann").at(-1), { type: "laser", by: 2, name: "Bob", at: { x: 1, y: 2 } });
  remote.leave(bob);
  assert.deepEqual(lasers("Ann").at(-1), { type: "laser", by: 2, name: "Bob", at: null });
  assert.deepEqual(lasers("Boss").at(-1), { type: "laser", by: 2, name: "Bob", at: null });
  remote.close();
});

Deno.test("the customer taking back view ends the relayed dot", () => {
  const { remote, viewer, lasers } = world();
  const ann = viewer("Ann"), bob = viewer("Bob");
  for (const v of [ann, bob]) remote.setWatching(v, true);
  remote.agentConsent("view", true);
  remote.draw(at(3, 4), ann);
  remote.agentConsent("view", false);
  assert.deepEqual(lasers("Bob").at(-1), { type: "laser", by: 1, name: "Ann", at: null });
  remote.close();
});
