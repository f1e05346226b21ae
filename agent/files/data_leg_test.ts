// The data connection's contract with its callers and with the server: a download's source may
// refill one buffer (each piece is sent before the next is asked for), at most 8 MiB go out
// unacknowledged however slowly the server acknowledges, and an upload's message is
// acknowledged and freed only once the consumer asks for the next one (it has been written).
import assert from "node:assert/strict";
import { OpFailure } from "../ops/mod.ts";
import { pullLeg, pushLeg } from "./data_leg.ts";

const MiB = 1024 * 1024;
const TOKEN = "data-leg-test-token-0123";

/** A stand-in for the server's `/agent/file-data/:ticket` running `serve` on each socket. */
function standIn(serve: (socket: WebSocket) => void) {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (req) => {
    if (req.headers.get("authorization") !== `Bearer ${TOKEN}`) {
      return new Response("no", { status: 401 });
    }
    const { socket, response } = Deno.upgradeWebSocket(req);
    socket.binaryType = "arraybuffer";
    serve(socket);
    return response;
  });
  const target = { serverUrl: `http://127.0.0.1:${server.addr.port}`, token: TOKEN };
  return { target, close: () => server.shutdown() };
}

function allAre(bytes: Uint8Array, value: number): boolean {
  for (let i = 0; i < bytes.byteLength; i++) if (bytes[i] !== value) return false;
  return true;
}

/** `count` pieces of `size` bytes, each filled with its number, written into one buffer. */
function refilling(count: number, size: number) {
  const buffer = new Uint8Array(size);
  let calls = 0;
  return {
    calls: () => calls,
    source: () => {
      if (calls === count) return null;
      buffer.fill(++calls);
      return buffer;
    },
  };
}

Deno.test("pushLeg() sends each piece before asking for the next: one buffer refilled is enough", async () => {
  const received: Uint8Array[] = [];
  const { target, close } = standIn((socket) => {
    let seen = 0;
    socket.onmessage = (event) => {
      if (event.data === "end") return socket.send("ok");
      const bytes = new Uint8Array(event.data as ArrayBuffer);
      received.push(bytes);
      seen += bytes.byteLength;
      socket.send(`a${seen}`);
    };
  });
  try {
    // 1.5 MiB pieces: each goes out as a 1 MiB message and a 0.5 MiB one.
    const { source } = refilling(12, 1.5 * MiB);
    await pushLeg(target, "ticket-one", source, new AbortController().signal);
    assert.equal(received.length, 24);
    assert.ok(received.every((m) => m.byteLength <= MiB), "no message over 1 MiB");
    for (let piece = 1; piece <= 12; piece++) {
      const [head, tail] = [received[2 * piece - 2], received[2 * piece - 1]];
      assert.equal(head.byteLength + tail.byteLength, 1.5 * MiB);
      assert.ok(allAre(head, piece) && allAre(tail, piece), `piece ${piece} arrived as made`);
    }
  } finally {
    await close();
  }
});

Deno.test("pushLeg() keeps at most 8 MiB unacknowledged, however slowly they are acknowledged", async () => {
  let most = 0;
  const { target, close } = standIn((socket) => {
    let seen = 0;
    let acked = 0;
    socket.onmessage = (event) => {
      if (event.data === "end") return socket.send("ok");
      seen += (event.data as ArrayBuffer).byteLength;
      most = Math.max(most, seen - acked);
      // Acknowledged late, as a server whose browser reads slowly — late enough that a sender
      // on a loaded CI machine still fills its window before the first acknowledgement.
      const upTo = seen;
      setTimeout(() => {
        acked = Math.max(acked, upTo);
        if (socket.readyState === WebSocket.OPEN) socket.send(`a${upTo}`);
      }, 200);
    };
  });
  try {
    const { source, calls } = refilling(40, MiB);
    await pushLeg(target, "ticket-two", source, new AbortController().signal);
    assert.equal(calls(), 40);
    assert.ok(most <= 8 * MiB, `${most} bytes were unacknowledged at once`);
    assert.ok(most >= 6 * MiB, `the window was used (${most} bytes at most)`);
  } finally {
    await close();
  }
});

Deno.test("pushLeg() stops with the source's failure and closes the connection", async () => {
  const closed = Promise.withResolvers<void>();
  const { target, close } = standIn((socket) => {
    socket.onmessage = () => {};
    socket.onclose = () => closed.resolve();
  });
  try {
    let calls = 0;
    const source = () => {
      if (++calls === 3) throw new OpFailure("changed", "the file became shorter");
      return new Uint8Array(1024);
    };
    await assert.rejects(
      pushLeg(target, "ticket-three", source, new AbortController().signal),
      (error: unknown) => error instanceof OpFailure && error.code === "changed",
    );
    await closed.promise;
  } finally {
    await close();
  }
});

Deno.test("pullLeg() acknowledges (and frees) a message once the next is asked for; ends at `end`", async () => {
  const acks: string[] = [];
  const { target, close } = standIn((socket) => {
    socket.onmessage = (event) => acks.push(String(event.data));
    socket.onopen = () => {
      for (let i = 1; i <= 3; i++) socket.send(new Uint8Array(MiB).fill(i));
      socket.send("end");
    };
  });
  try {
    const chunks = await pullLeg(target, "ticket-four", new AbortController().signal);
    const first = await chunks.next();
    assert.equal(first.done, false);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.deepEqual(acks, [], "nothing acknowledged while the first message is being written");
    let total = first.value!.byteLength;
    for await (const chunk of chunks) {
      assert.ok(allAre(chunk, chunk[0]));
      total += chunk.byteLength;
    }
    assert.equal(total, 3 * MiB);
    assert.ok(first.value!.buffer.detached, "a written message's memory was given back");
    // The acknowledgements cross a real socket: waited for (a loaded CI machine took over the
    // 100 ms this once allowed), then checked whole and in order.
    for (const until = Date.now() + 10_000; acks.length < 3 && Date.now() < until;) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.deepEqual(acks, [`a${MiB}`, `a${2 * MiB}`, `a${3 * MiB}`]);
  } finally {
    await close();
  }
});

Deno.test("pullLeg() turns a connection closed before `end` into leg_broken", async () => {
  const { target, close } = standIn((socket) => {
    socket.onopen = () => {
      socket.send(new Uint8Array(1000));
      socket.close(1001, "cut");
    };
  });
  try {
    const chunks = await pullLeg(target, "ticket-five", new AbortController().signal);
    await assert.rejects(
      (async () => {
        for await (const _ of chunks) { /* written */ }
      })(),
      (error: unknown) => error instanceof OpFailure && error.code === "leg_broken",
    );
  } finally {
    await close();
  }
});
