// A real webhook receiver for tests: Deno.serve on a loopback port that checks every
// delivery's signature with the `standardwebhooks` library (as a customer's receiver
// would), keeps what it accepted, and answers 500 to the first `failures` requests.
import { Webhook } from "standardwebhooks";

export interface Received {
  id: string;
  timestamp: string;
  body: { type: string; timestamp: string; data: Record<string, unknown> };
  verified: boolean;
}

export interface TestReceiver {
  url: string;
  /** The signing secret; set it once the endpoint is registered. */
  secret: string;
  /** Every request, in arrival order (failed and refused ones too). */
  requests: Received[];
  /** Requests still to answer with 500. */
  failures: number;
  /** The distinct webhook-ids accepted with a 2xx, each with how often it came. */
  accepted: Map<string, number>;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<TestReceiver> {
  const { promise: listening, resolve: listened } = Promise.withResolvers<number>();
  const receiver: TestReceiver = {
    url: "",
    secret: "",
    requests: [],
    failures: 0,
    accepted: new Map(),
    close: () => server.shutdown(),
  };
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen: ({ port }) => listened(port),
  }, async (req) => {
    const text = await req.text();
    const headers = Object.fromEntries(req.headers);
    let verified = false;
    try {
      new Webhook(receiver.secret).verify(text, headers);
      verified = true;
    } catch {
      verified = false;
    }
    const id = req.headers.get("webhook-id") ?? "";
    receiver.requests.push({
      id,
      timestamp: req.headers.get("webhook-timestamp") ?? "",
      body: JSON.parse(text),
      verified,
    });
    if (!verified) return new Response("bad signature", { status: 401 });
    if (receiver.failures > 0) {
      receiver.failures--;
      return new Response("receiver down for maintenance", { status: 500 });
    }
    receiver.accepted.set(id, (receiver.accepted.get(id) ?? 0) + 1);
    return new Response(`{"ok":true,"id":"${id}"}`, {
      status: 200,
      headers: { "content-type": "application/json" },
    });
  });
  receiver.url = `http://127.0.0.1:${await listening}/hooks/rescue`;
  return receiver;
}
