// A real HTTP server on a loopback port standing in for an SMS provider, for tests: it
// records every request and answers `status` (or hangs while `hang` is set).

export interface ReceivedRequest {
  method: string;
  path: string;
  contentType: string | null;
  authorization: string | null;
  body: string;
}

export interface TestGateway {
  /** `http://127.0.0.1:<port>/send`. */
  url: string;
  requests: ReceivedRequest[];
  /** What the next requests get; 202 by default. */
  status: number;
  /** While true, requests get no answer until `close()`. */
  hang: boolean;
  close(): Promise<void>;
}

export function startTestGateway(): Promise<TestGateway> {
  const { promise: released, resolve: release } = Promise.withResolvers<void>();
  const { promise: listening, resolve: listened } = Promise.withResolvers<number>();
  const gateway: TestGateway = {
    url: "",
    requests: [],
    status: 202,
    hang: false,
    close: async () => {
      release();
      await server.shutdown();
    },
  };
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen: ({ port }) => listened(port),
  }, async (req) => {
    const url = new URL(req.url);
    gateway.requests.push({
      method: req.method,
      path: url.pathname + url.search,
      contentType: req.headers.get("content-type"),
      authorization: req.headers.get("authorization"),
      body: await req.text(),
    });
    if (gateway.hang) await released;
    return new Response(gateway.status < 300 ? '{"id":"msg-1"}' : "carrier unavailable", {
      status: gateway.status,
    });
  });
  return listening.then((port) => {
    gateway.url = `http://127.0.0.1:${port}/send`;
    return gateway;
  });
}

/** Runs `run` with a fresh test gateway and closes it afterwards. */
export async function withGateway(run: (gateway: TestGateway) => Promise<void>): Promise<void> {
  const gateway = await startTestGateway();
  try {
    await run(gateway);
  } finally {
    await gateway.close();
  }
}

/** A loopback port nothing listens on (bound, then released). */
export function closedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}
