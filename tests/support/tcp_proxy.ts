/**
 * A loopback TCP proxy whose "network" a test can cut: `cut()` drops every open connection
 * and refuses new ones until `restore()`. Used to take the agent's network away for real
 * (its socket sees a reset, its reconnects fail) without touching the server. It runs in a
 * process of its own (signals SIGUSR1 = cut, SIGUSR2 = restore), like a real network hop,
 * so nothing in the test process (browsers, WebRTC sockets) shares its resources.
 */
export interface TcpProxy {
  port: number;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

/** The proxy itself (run in its own process by `startTcpProxy`). */
export function runTcpProxy(targetPort: number): TcpProxy {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const open = new Set<Deno.Conn>();
  let down = false;
  const closeBoth = (a: Deno.Conn, b: Deno.Conn) => {
    for (const conn of [a, b]) {
      if (!open.delete(conn)) continue;
      try {
        conn.close();
      } catch {
        // already closed
      }
    }
  };
  const pump = async (from: Deno.Conn, to: Deno.Conn) => {
    const buffer = new Uint8Array(64 * 1024);
    try {
      for (;;) {
        const n = await from.read(buffer);
        if (n === null) break;
        for (let done = 0; done < n;) done += await to.write(buffer.subarray(done, n));
      }
    } catch (error) {
      if (Deno.env.get("E2E_VERBOSE")) console.log("proxy pump ended:", String(error));
    }
    if (Deno.env.get("E2E_VERBOSE")) console.log("proxy closing pair");
    closeBoth(from, to);
  };
  const accepting = (async () => {
    for await (const conn of listener) {
      if (down) {
        conn.close();
        continue;
      }
      try {
        const upstream = await Deno.connect({ hostname: "127.0.0.1", port: targetPort });
        open.add(conn);
        open.add(upstream);
        pump(conn, upstream);
        pump(upstream, conn);
      } catch {
        conn.close();
      }
    }
  })().catch((error) => {
    if (Deno.env.get("E2E_VERBOSE")) console.log("proxy accept loop ended:", String(error));
  });
  return {
    port: (listener.addr as Deno.NetAddr).port,
    cut() {
      down = true;
      for (const conn of open) {
        try {
          conn.close();
        } catch {
          // already closed
        }
      }
      open.clear();
    },
    restore() {
      down = false;
    },
    async close() {
      this.cut();
      listener.close();
      await accepting;
    },
  };
}

/** Starts the proxy in its own process; resolves once it listens. */
export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net=127.0.0.1",
      "--allow-env",
      import.meta.filename!,
      String(targetPort),
    ],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(
    new TextDecoderStream() as unknown as TransformStream<Uint8Array, string>,
  ).getReader();
  let text = "";
  while (!/PORT \d+\n/.test(text)) {
    const { value, done } = await reader.read();
    if (done) throw new Error("the proxy did not start");
    text += value;
  }
  reader.releaseLock();
  const port = Number(/PORT (\d+)/.exec(text)![1]);
  const ack = async () => await new Promise((r) => setTimeout(r, 100));
  return {
    port,
    cut() {
      child.kill("SIGUSR1");
    },
    restore() {
      child.kill("SIGUSR2");
    },
    async close() {
      child.kill("SIGTERM");
      await child.status;
      await child.stdout.cancel().catch(() => {});
      await ack();
    },
  };
}

if (import.meta.main) {
  const proxy = runTcpProxy(Number(Deno.args[0]));
  Deno.addSignalListener("SIGUSR1", () => proxy.cut());
  Deno.addSignalListener("SIGUSR2", () => proxy.restore());
  Deno.addSignalListener("SIGTERM", () => Deno.exit(0));
  console.log(`PORT ${proxy.port}`);
}
