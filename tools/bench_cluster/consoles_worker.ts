/**
 * One worker of the cluster bench's load generator: holds its share of the technicians'
 * console streams (`GET /console/events`, fetch streaming, the session cookie of each) and
 * tells the main thread, in batches, when each `queue` and `rows` event arrived — stamped
 * the moment its bytes were read, in wall-clock milliseconds (`timeOrigin + now()`, the
 * same clock in every worker), so batching costs no accuracy. It also measures its own
 * event-loop lag (a 20 ms interval's lateness), the check that the generator is not what
 * slows the figures down.
 */
import type { ConsoleSpec, FromWorker, RowsEvent, ToWorker } from "./consoles.ts";
import { takeSseEvents } from "../sse_events.ts";

/**
 * The worker's global scope, typed here rather than with a `deno.worker` lib reference,
 * which would change the DOM types of every other file checked in the same `deno check`.
 */
const worker = globalThis as unknown as {
  postMessage(message: FromWorker): void;
  onmessage: ((message: MessageEvent<ToWorker>) => void) | null;
  close(): void;
};
const now = () => performance.timeOrigin + performance.now();
const abort = new AbortController();
let batch: RowsEvent[] = [];
let flushing = false;
const lags: number[] = [];
let closed = 0;

function emit(event: RowsEvent) {
  batch.push(event);
  if (flushing) return;
  flushing = true;
  setTimeout(() => {
    flushing = false;
    const events = batch;
    batch = [];
    worker.postMessage({ kind: "events", events } satisfies FromWorker);
  }, 10);
}

const TEMPLATE = /<template data-session="([0-9a-f-]{36})">([\s\S]*?)<\/template>/;

function onEvent(index: number, event: string, data: string, at: number) {
  if (event === "queue") emit([index, "", "queue", at]);
  if (event !== "rows") return;
  const match = TEMPLATE.exec(data);
  if (!match) return;
  const statuses = [...match[2].matchAll(/data-status="([a-z_]+)"/g)].map((m) => m[1]);
  emit([index, match[1], statuses.join(","), at]);
}

async function openConsole(spec: ConsoleSpec): Promise<void> {
  const res = await fetch(`${spec.url}/console/events`, {
    headers: { cookie: `rs_session=${spec.token}`, accept: "text/event-stream" },
    signal: abort.signal,
  });
  if (!res.ok || !res.body) throw new Error(`console ${spec.index}: ${res.status}`);
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  let first: () => void = () => {};
  const opened = new Promise<void>((resolve) => first = resolve);
  (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        const at = now();
        const { events, rest } = takeSseEvents(buffer + value);
        buffer = rest;
        for (const { event, data } of events) {
          onEvent(spec.index, event, data, at);
          if (event === "queue") first();
        }
      }
    } catch {
      // aborted at the end of the run
    }
    if (!abort.signal.aborted) closed++;
    first();
  })();
  await opened;
}

worker.onmessage = async (message: MessageEvent<ToWorker>) => {
  const msg = message.data;
  if (msg.kind === "open") {
    let next = 0;
    const failures: string[] = [];
    // A few at a time: each opening costs the instance a whole queue load.
    await Promise.all(Array.from({ length: msg.concurrency }, async () => {
      while (next < msg.consoles.length) {
        const spec = msg.consoles[next++];
        await openConsole(spec).catch((e) => failures.push(String(e)));
      }
    }));
    worker.postMessage({ kind: "opened", failures } satisfies FromWorker);
  } else if (msg.kind === "lag") {
    const sorted = [...lags].sort((a, b) => a - b);
    lags.length = 0;
    worker.postMessage(
      {
        kind: "lag",
        p99: sorted[Math.floor(sorted.length * 0.99)] ?? 0,
        max: sorted.at(-1) ?? 0,
        closed,
      } satisfies FromWorker,
    );
  } else if (msg.kind === "close") {
    abort.abort();
    worker.close();
  }
};

let expected = performance.now() + 20;
setInterval(() => {
  const t = performance.now();
  lags.push(Math.max(0, t - expected));
  expected = t + 20;
}, 20);
