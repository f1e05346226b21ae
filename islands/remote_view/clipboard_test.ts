import assert from "node:assert/strict";
import { CLIPBOARD_MAX_CHARS } from "../../protocol/limits.ts";
import { clipboardProblem, ClipboardSync } from "./clipboard.tsx";
import { INITIAL_STATE, type ViewState } from "./view_state.ts";

Deno.test("clipboardProblem() refuses empty text and text over the protocol's limit", () => {
  assert.equal(clipboardProblem(""), "clipboardEmpty");
  assert.equal(clipboardProblem("x".repeat(CLIPBOARD_MAX_CHARS + 1)), "clipboardTooLong");
  assert.equal(clipboardProblem("x".repeat(CLIPBOARD_MAX_CHARS)), null);
  assert.equal(clipboardProblem("€"), null);
});

/** A host around a fake browser clipboard; `state` and `focus` are changed by the test. */
function syncHost(overrides: Partial<ViewState> = {}) {
  const local = { text: "", readRefused: false, mayRead: true, writes: [] as string[] };
  const sent: string[] = [];
  const host = {
    view: { ...INITIAL_STATE, connected: true, clipboard: "granted", ...overrides } as ViewState,
    focus: true,
    online: true,
    local,
    sent,
  };
  const sync = new ClipboardSync({
    state: () => host.view,
    canClipboard: true,
    send: (text) => host.online && sent.push(text) > 0,
    hasFocus: () => host.focus,
    mayRead: () => Promise.resolve(local.mayRead),
    clipboard: () => ({
      readText: () =>
        local.readRefused
          ? Promise.reject(new Error("NotAllowedError"))
          : Promise.resolve(local.text),
      writeText: (text: string) => {
        local.writes.push(text);
        local.text = text;
        return Promise.resolve();
      },
    }),
  });
  return { host, sync };
}

Deno.test("ClipboardSync: the customer's copy reaches the technician's clipboard, and is not sent back", async () => {
  const { host, sync } = syncHost();
  sync.received("from the customer");
  assert.deepEqual(host.local.writes, ["from the customer"]);
  assert.equal(await sync.offer(), false, "the same text is not sent back where it came from");
  // Without the focus the browser refuses the write: nothing is tried, the panel shows the text.
  host.focus = false;
  sync.received("while away");
  assert.deepEqual(host.local.writes, ["from the customer"]);
  assert.deepEqual(host.sent, []);
});

Deno.test("ClipboardSync: what the technician copied elsewhere goes over once, on coming back", async () => {
  const { host, sync } = syncHost();
  host.local.text = "copied in another program";
  assert.equal(await sync.offer(), true);
  assert.equal(await sync.offer(), false, "not twice");
  host.local.text = "a second copy";
  assert.equal(await sync.offer(), true);
  assert.deepEqual(host.sent, ["copied in another program", "a second copy"]);
  // Sent by hand from the panel: not sent again automatically.
  sync.sent("typed in the box");
  host.local.text = "typed in the box";
  assert.equal(await sync.offer(), false);
  // Nothing to send, too much to send, a socket that is down, a clipboard the browser won't read.
  for (const text of ["", "x".repeat(CLIPBOARD_MAX_CHARS + 1)]) {
    host.local.text = text;
    assert.equal(await sync.offer(), false, `${text.length} characters`);
  }
  host.local.text = "later";
  host.online = false;
  assert.equal(await sync.offer(), false);
  host.online = true;
  host.local.readRefused = true;
  assert.equal(await sync.offer(), false);
  host.local.readRefused = false;
  host.local.mayRead = false; // a browser that would ask at every read (Firefox's "Paste")
  assert.equal(await sync.offer(), false);
  host.local.mayRead = true;
  assert.equal(await sync.offer(), true, "sent once the socket and the browser allow it");
  assert.deepEqual(host.sent, ["copied in another program", "a second copy", "later"]);
});

Deno.test("ClipboardSync: nothing moves by itself with sync off, without control or without focus", async () => {
  for (
    const [what, change] of [
      ["sync off", { clipSync: false }],
      ["control only asked", { clipboard: "asked" }],
      ["control taken back", { clipboard: "revoked" }],
      ["socket closed", { connected: false }],
    ] as const
  ) {
    const { host, sync } = syncHost(change);
    host.local.text = "mine";
    assert.equal(await sync.offer(), false, what);
    sync.received("theirs");
    assert.deepEqual(host.local.writes, [], what);
    assert.deepEqual(host.sent, [], what);
  }
  const { host, sync } = syncHost();
  host.focus = false;
  host.local.text = "mine";
  assert.equal(await sync.offer(), false, "another window has the focus");
});
