/**
 * An upload's data from the browser: `POST …/data` (the body) or, faster, a WebSocket on
 * `GET …/socket?from=n` with the same protocol as the agent's data leg (socket_leg.ts): binary
 * messages of up to 1 MiB, acknowledged (`a<total>`) as they are passed on, at most 8 MiB in
 * flight, then `end`. The server answers with one text message, the JSON a `POST …/data`
 * would have answered (`{ status, body }`), and closes. A request body in Deno costs more per
 * byte the more of it waits behind the reader (measured: most of the server's time copying),
 * while socket messages wait in the kernel until read.
 */
import type { AppDeps } from "../http/mod.ts";
import type { SupportSession } from "../support/mod.ts";
import type { FileOutcome } from "./call.ts";
import { FileRefusal } from "./access.ts";
import { fileManagerHub, type ServerTransfer, type TransferView, viewOf } from "./hub.ts";
import { finish, uploadBody } from "./streams.ts";
import { pushLegOf } from "./socket_leg.ts";

/** The transfer after the agent's outcome of one data request; a refusal throws. */
export function settleUpload(
  deps: AppDeps,
  session: SupportSession,
  t: ServerTransfer,
  outcome: FileOutcome<"files.receive">,
  cancelled: boolean,
): TransferView {
  const hub = fileManagerHub(deps);
  if (!outcome.ok) {
    if (outcome.code === "hash_mismatch" || outcome.code === "too_big") {
      finish(deps, session, t, "failed", outcome);
    } else if (t.state === "running") {
      t.state = cancelled ? "cancelled" : "open";
      hub.changed(t, true);
    }
    throw new FileRefusal(outcome.code, outcome.reason, { transfer: viewOf(t) });
  }
  const result = outcome.result;
  t.offset = result.offset;
  t.entries = result.entries;
  t.bytes = t.mode === "file" ? result.offset : result.size;
  t.failures = result.failures;
  t.sha256 = result.sha256;
  if (result.done) finish(deps, session, t, "done");
  else (t.state = "open", hub.changed(t, true));
  return viewOf(t);
}

/**
 * Runs one upload data request over `socket` (already checked: permission, consent, `from`,
 * not busy); `answer` turns the outcome or a refusal into the JSON the browser gets.
 */
export function uploadOverSocket(
  deps: AppDeps,
  session: SupportSession,
  t: ServerTransfer,
  from: number,
  socket: WebSocket,
  answer: (view: TransferView | FileRefusal) => { status: number; body: unknown },
) {
  const abort = t.abort = new AbortController();
  const leg = pushLegOf(socket);
  let ended = false;
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const step = await leg.read();
      if (step.done) (ended = true, controller.close());
      else controller.enqueue(step.value);
    },
    cancel() {
      leg.finish(false);
    },
  }, { highWaterMark: 0 });
  // The browser went away before `end`: as an aborted POST (the agent stops, resumable).
  socket.addEventListener("close", () => ended || abort.abort(), { once: true });
  (async () => {
    let reply: { status: number; body: unknown };
    try {
      const outcome = await uploadBody(deps, t, from, body, abort.signal);
      if (t.abort === abort) t.abort = null;
      reply = answer(settleUpload(deps, session, t, outcome, abort.signal.aborted));
    } catch (error) {
      if (t.abort === abort) t.abort = null;
      if (!(error instanceof FileRefusal)) {
        deps.log.error("file upload over a socket failed", { error: String(error) });
      }
      reply = answer(error instanceof FileRefusal ? error : new FileRefusal("leg_broken"));
    }
    if (socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify(reply));
      socket.close(1000, "done");
    }
  })();
}
