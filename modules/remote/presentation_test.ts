import assert from "node:assert/strict";
import { viewerGone, WATCH_SILENT_MS } from "./presentation.ts";

Deno.test("viewerGone(): a watching customer is gone after WATCH_SILENT_MS without RTCP; a View connecting gets longer", () => {
  const since = 1_000;
  // Watching: counted from the last report (or from the peer's start before any).
  const heardAt = since + 10_000;
  assert.equal(
    viewerGone(heardAt + WATCH_SILENT_MS - 1, { phase: "watching", since, heardAt }),
    false,
  );
  assert.equal(
    viewerGone(heardAt + WATCH_SILENT_MS + 1, { phase: "watching", since, heardAt }),
    true,
  );
  assert.equal(
    viewerGone(since + WATCH_SILENT_MS + 1, { phase: "watching", since, heardAt: null }),
    true,
  );
  // Still connecting after the customer's View: ICE and DTLS may take their time.
  assert.equal(viewerGone(since + 20_000, { phase: "accepted", since, heardAt: null }), false);
  assert.equal(viewerGone(since + 31_000, { phase: "accepted", since, heardAt: null }), true);
  // Not viewed at all: nothing to lose.
  assert.equal(viewerGone(since + 99_000, { phase: "offered", since, heardAt: null }), false);
});
