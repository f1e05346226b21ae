/**
 * The two legs of a transfer meet here. A download's browser response reads the agent's
 * request body (`files.send`); when the agent's leg breaks mid-file (network cut, the agent
 * reconnecting) it asks the agent again from the byte it passed on, so the browser's
 * response just continues (a bundle's ends with an error instead; the browser resumes it
 * from an entry). An upload hands the browser's request body to the agent's request
 * (`files.receive`). No bytes are kept: each chunk is passed on as the other side takes it.
 */
import type { AppDeps } from "../http/mod.ts";
import { callFiles, type FileOutcome } from "./call.ts";
import type { SupportSession } from "../support/mod.ts";
import { FileRefusal } from "./access.ts";
import { fileManagerHub, type PullLeg, type PushLeg, type ServerTransfer } from "./hub.ts";
import { recordTransfer } from "./record.ts";
import { handedOn } from "./socket_leg.ts";

/** How long a download waits for its agent to come back before it fails. */
export const RESUME_WITHIN_MS = 120_000;
const RETRY_MS = 500;
/** Codes after which the agent may well answer again shortly. */
const PASSING = new Set(["agent_absent", "agent_gone", "leg_broken", "leg_refused", "timeout"]);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function finish(
  deps: AppDeps,
  session: SupportSession,
  t: ServerTransfer,
  state: "done" | "failed" | "cancelled",
  error: { code: string; reason: string } | null = null,
) {
  const hub = fileManagerHub(deps);
  t.state = state;
  t.error = error;
  t.abort = null;
  hub.changed(t, true);
  recordTransfer(deps, session, t).catch((e) =>
    deps.log.error("file transfer log failed", { error: String(e) })
  );
}

type Opened = { leg: PushLeg; op: Promise<FileOutcome<"files.send">>; stop: () => void };

/** Asks the agent to send from `from` and waits for its data connection (or its refusal). */
async function _openSend(
  deps: AppDeps,
  t: ServerTransfer,
  from: number,
  onProgress: (bytes: number, entries: number) => void,
): Promise<Opened | { failed: { code: string; reason: string } }> {
  const hub = fileManagerHub(deps);
  const expected = hub.expect<PushLeg>(t.sessionId, t.id, "push");
  const abort = new AbortController();
  const op = callFiles(deps, t.sessionId, {
    kind: "files.send",
    id: t.id,
    ticket: expected.ticket,
    from,
  }, {
    signal: abort.signal,
    onEvent: (event) => onProgress(event.bytes, event.entries),
  });
  const first = await Promise.race([
    expected.leg.then((leg) => ({ leg })),
    op.then((outcome) => ({ outcome })),
  ]);
  if ("outcome" in first) {
    expected.drop();
    const outcome = first.outcome;
    return {
      failed: outcome.ok ? { code: "leg_broken", reason: "no data connection" } : outcome,
    };
  }
  return { leg: first.leg, op, stop: () => abort.abort() };
}

/**
 * The body of a download response from `from` (a byte, or an entry for a bundle).
 * Resolves once the agent's data connection is there (or throws its refusal). With
 * `toSocket` (Deno's HTTP server writes the body) the agent's messages are freed as soon as
 * they are written (`handedOn`), so a long download leaves no trail of dead MiBs.
 */
export async function downloadBody(
  deps: AppDeps,
  session: SupportSession,
  t: ServerTransfer,
  from: number,
  options: { signal: AbortSignal; toSocket: boolean },
): Promise<ReadableStream<Uint8Array>> {
  const { signal } = options;
  const hub = fileManagerHub(deps);
  let at = from;
  const progress = (_bytes: number, entries: number) => {
    if (t.mode === "bundle") {
      t.entries = entries;
      hub.changed(t);
    }
  };
  let current: Opened | null = null;
  let reader: PushLeg | null = null;
  let held: Uint8Array | null = null;
  const hand = options.toSocket ? handedOn() : () => {};
  const open = async (): Promise<void> => {
    const started = Date.now();
    while (true) {
      if (signal.aborted) throw new FileRefusal("cancelled");
      const opened = await _openSend(deps, t, at, progress);
      if (!("failed" in opened)) {
        current = opened;
        reader = opened.leg;
        t.state = "running";
        hub.changed(t, true);
        return;
      }
      const { code, reason } = opened.failed;
      if (!PASSING.has(code) || t.mode === "bundle" || Date.now() - started > RESUME_WITHIN_MS) {
        throw new FileRefusal(code, reason);
      }
      t.state = "waiting";
      hub.changed(t, true);
      await sleep(RETRY_MS);
    }
  };
  await open();
  const close = (ok: boolean) => {
    current?.leg.finish(ok);
    if (!ok) current?.stop();
    current = null;
    reader = null;
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      while (true) {
        try {
          if (!reader) await open();
          const step = await reader!.read();
          if (!step.done) {
            at += step.value.byteLength;
            if (t.mode === "file") t.bytes = at;
            else t.bytes += step.value.byteLength;
            hub.changed(t);
            // The last bytes of a file are held until the agent's outcome is in: with a
            // Content-Length the server stops reading the body at its last byte, and the
            // browser's body should end only once the transfer is done (its SHA-256 known).
            if (t.mode !== "file" || at < t.size) {
              controller.enqueue(step.value);
              hand(step.value);
              return;
            }
            held = step.value;
          }
          const op = current!.op;
          current!.leg.finish(true);
          const outcome = await op;
          current = null;
          reader = null;
          if (outcome.ok) {
            t.sha256 = outcome.result.sha256;
            t.entries = outcome.result.entries;
            t.failures = outcome.result.failures;
            finish(deps, session, t, "done");
            if (held) (controller.enqueue(held), hand(held));
            controller.close();
            return;
          }
          throw new FileRefusal(outcome.code, outcome.reason);
        } catch (error) {
          // The agent's leg broke (or it refused): a file goes on from `at` when it can.
          const refusal = error instanceof FileRefusal ? error : null;
          if (held) (at -= held.byteLength, held = null);
          close(false);
          const passing = !refusal || PASSING.has(refusal.code);
          if (t.mode === "file" && passing && !signal.aborted) {
            t.state = "waiting";
            hub.changed(t, true);
            continue;
          }
          const code = refusal?.code ?? "leg_broken";
          finish(deps, session, t, signal.aborted ? "cancelled" : "failed", {
            code: signal.aborted ? "cancelled" : code,
            reason: refusal?.detail ?? String(error),
          });
          controller.error(error);
          return;
        }
      }
    },
    cancel() {
      // The browser went away: the agent stops; the transfer can be resumed with `from`.
      close(false);
      if (t.state === "running" || t.state === "waiting") {
        t.state = "open";
        hub.changed(t, true);
      }
    },
  });
}

/**
 * Passes an upload's body to the agent, which writes it from `from`; resolves with the
 * agent's outcome (a refusal if it never connected).
 */
export async function uploadBody(
  deps: AppDeps,
  t: ServerTransfer,
  from: number,
  body: ReadableStream<Uint8Array>,
  signal: AbortSignal,
): Promise<FileOutcome<"files.receive">> {
  const hub = fileManagerHub(deps);
  const expected = hub.expect<PullLeg>(t.sessionId, t.id, "pull");
  const op = callFiles(deps, t.sessionId, {
    kind: "files.receive",
    id: t.id,
    ticket: expected.ticket,
    from,
  }, {
    signal,
    onEvent: (event) => {
      if (t.mode === "file") t.offset = t.bytes = event.bytes;
      else (t.bytes = event.bytes, t.entries = event.entries);
      hub.changed(t);
    },
  });
  const first = await Promise.race([
    expected.leg.then((leg) => ({ leg })),
    op.then((outcome) => ({ outcome })),
  ]);
  if ("outcome" in first) {
    expected.drop();
    await body.cancel().catch(() => {});
    return first.outcome;
  }
  t.state = "running";
  hub.changed(t, true);
  first.leg.respond(body);
  return await op;
}
