import assert from "node:assert/strict";
import type { VNode } from "preact";
import { TransferPanel } from "./transfers.tsx";
import type { Job, QueueTotals } from "./queue.ts";

/** Every element of a rendered tree (the component called as a function: no DOM). */
function* elements(node: unknown): Generator<VNode<Record<string, unknown>>> {
  if (Array.isArray(node)) { for (const child of node) yield* elements(child); }
  else if (node && typeof node === "object" && "props" in node) {
    const vnode = node as VNode<Record<string, unknown>>;
    yield vnode;
    yield* elements(vnode.props.children);
  }
}

const TOTALS: QueueTotals = {
  files: 1,
  filesDone: 0,
  bytes: 100,
  bytesDone: 40,
  rate: 0,
  secondsLeft: null,
  failed: 1,
};

Deno.test("TransferPanel names a failed transfer's whole reason on hover (its column cuts it)", () => {
  const reason = "The customer took back access to their files.";
  const failed: Job = {
    id: 1,
    direction: "down",
    label: "/home/carol/Documents/report.pdf",
    size: 100,
    done: 40,
    state: "failed",
    error: reason,
  };
  const tree = TransferPanel({
    t: (key: string) => key,
    jobs: [failed],
    totals: TOTALS,
    onCancel() {},
    onCancelAll() {},
    onClear() {},
  });
  const state = [...elements(tree)].find((e) => e.props.class === "fm-job-state");
  assert.ok(state, "the job's state is shown");
  assert.equal(state.props.children, reason);
  assert.equal(state.props.title, reason);
});
