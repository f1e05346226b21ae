// @ts-check
// The one live stream (server-sent events) of every page that has one: the console's queue,
// the customer's log, the customer's remote-view state. Named events go to their handlers;
// the browser reconnects by itself after a drop (resending Last-Event-ID); where the page
// asks for it, a new stream replaces one the browser gave up on (the server refused) or one
// that went quiet (a silent network drop), resuming with `?after=<the last id seen>`.

/**
 * @typedef {object} LiveOptions
 * @property {Record<string, (event: MessageEvent<string>) => void>} on  handlers by event name
 * @property {(up: boolean) => void} [onState]  the stream opened (true) or dropped (false)
 * @property {number} [retryMs]  a new stream this long after the browser gave up (else none)
 * @property {number} [quietMs]  replace a stream silent this long (heartbeats are events too)
 * @property {string} [after]  resume: ask for events after this id, kept to the last one seen
 * @property {boolean} [followNetwork]  drop the stream while the browser is offline
 */

/**
 * Opens `url` as an EventSource; closed when the page goes away or by `close()`.
 * @param {string} url
 * @param {LiveOptions} options
 */
export function liveSource(url, options) {
  /** @type {EventSource | null} */
  let source = null;
  let closed = false;
  let after = options.after;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let watchdog;

  const drop = () => {
    clearTimeout(watchdog);
    source?.close();
    source = null;
    options.onState?.(false);
  };
  const alive = () => {
    if (!options.quietMs) return;
    clearTimeout(watchdog);
    watchdog = setTimeout(() => (drop(), connect()), options.quietMs);
  };
  const connect = () => {
    if (closed) return;
    source?.close();
    const es = source = new EventSource(
      after === undefined ? url : `${url}?after=${encodeURIComponent(after)}`,
    );
    es.addEventListener("open", () => options.onState?.(true));
    for (const [name, handler] of Object.entries(options.on)) {
      es.addEventListener(name, (event) => {
        alive();
        if (after !== undefined && event.lastEventId) after = event.lastEventId;
        handler(event);
      });
    }
    es.addEventListener("error", () => {
      if (closed || es !== source) return;
      options.onState?.(false);
      if (es.readyState === EventSource.CLOSED && options.retryMs !== undefined) {
        setTimeout(() => es === source && connect(), options.retryMs);
      }
    });
    alive();
  };
  const close = () => {
    closed = true;
    clearTimeout(watchdog);
    source?.close();
  };

  connect();
  addEventListener("pagehide", close);
  if (options.followNetwork) {
    // The browser knows when it is offline: drop the stream (the other side sees the drop)
    // and come back by itself as soon as the network does.
    addEventListener("offline", () => !closed && drop());
    addEventListener("online", () => source?.readyState !== EventSource.OPEN && connect());
  }
  return { close };
}
