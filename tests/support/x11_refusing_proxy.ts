/**
 * Test support: an X display that can refuse screen copies, for the capture-pause story. It is
 * a proxy in front of a real X server (an Xvfb): its own display number, every byte passed on —
 * the connection setup, MIT-SHM (the segments are the real server's), DAMAGE, XInput, XTest —
 * and, while `refusing`, the two requests that copy the screen (core GetImage and MIT-SHM's
 * ShmGetImage) are sent with drawable 0, so the real server answers them with a real BadDrawable
 * error, as it does when it cannot give a window's pixels. What the support app meets is the X
 * server refusing the copy; nothing of it is faked in the app. Linux, little-endian clients.
 */
import { runX } from "../../agent/platform/xvfb_test_support.ts";

const GET_IMAGE = 73;
const SHM_GET_IMAGE = 4;

export interface RefusingDisplay {
  /** The proxy's display (":<n>"), for DISPLAY. */
  display: string;
  /** While true, screen copies are refused. */
  refusing: boolean;
  /** Copy requests refused so far. */
  refused: number;
  stop(): Promise<void>;
}

/** A refusing proxy in front of `real` (e.g. an Xvfb's ":93"). */
export async function startRefusingDisplay(real: string): Promise<RefusingDisplay> {
  const info = await runX(real, "xdpyinfo", ["-queryExtensions"]);
  const shm = Number(/MIT-SHM\s+\(opcode: (\d+)/.exec(info)?.[1] ?? NaN);
  if (!Number.isInteger(shm)) throw new Error(`no MIT-SHM on ${real}`);
  const target = `/tmp/.X11-unix/X${real.replace(/^:/, "").split(".")[0]}`;
  const number = await freeDisplayNumber();
  const path = `/tmp/.X11-unix/X${number}`;
  const listener = Deno.listen({ transport: "unix", path });
  const conns = new Set<Deno.Conn>();
  const state: RefusingDisplay = {
    display: `:${number}`,
    refusing: false,
    refused: 0,
    async stop() {
      listener.close();
      for (const conn of conns) {
        try {
          conn.close();
        } catch { /* closed */ }
      }
      await Deno.remove(path).catch(() => {});
    },
  };
  (async () => {
    for await (const client of listener) {
      const server = await Deno.connect({ transport: "unix", path: target });
      conns.add(client).add(server);
      pipe(server, client).catch(() => {}).finally(() => close(client, server));
      forward(client, server, (request) => {
        if (!state.refusing) return;
        const op = request[0];
        if (op === GET_IMAGE || (op === shm && request[1] === SHM_GET_IMAGE)) {
          request.fill(0, 4, 8); // the drawable: none
          state.refused++;
        }
      }).catch(() => {}).finally(() => close(client, server));
    }
  })().catch(() => {});
  return state;
}

function close(...conns: Deno.Conn[]) {
  for (const conn of conns) {
    try {
      conn.close();
    } catch { /* closed */ }
  }
}

async function pipe(from: Deno.Conn, to: Deno.Conn) {
  for await (const chunk of from.readable) await writeAll(to, chunk);
}

/** Client → server, cut into the setup and whole requests, each shown to `edit` first. */
async function forward(from: Deno.Conn, to: Deno.Conn, edit: (request: Uint8Array) => void) {
  let buffered = new Uint8Array(0);
  let setupDone = false;
  for await (const chunk of from.readable) {
    const joined = new Uint8Array(buffered.length + chunk.length);
    joined.set(buffered);
    joined.set(chunk, buffered.length);
    buffered = joined;
    let at = 0;
    for (;;) {
      const rest = buffered.subarray(at);
      const view = new DataView(rest.buffer, rest.byteOffset, rest.byteLength);
      let size: number;
      if (!setupDone) {
        if (rest.length < 12) break;
        const pad = (n: number) => (n + 3) & ~3;
        size = 12 + pad(view.getUint16(6, true)) + pad(view.getUint16(8, true));
      } else {
        if (rest.length < 4) break;
        const units = view.getUint16(2, true);
        if (units === 0) { // BIG-REQUESTS: the length follows the header
          if (rest.length < 8) break;
          size = view.getUint32(4, true) * 4;
        } else size = units * 4;
      }
      if (rest.length < size) break;
      if (setupDone) edit(rest.subarray(0, size));
      setupDone = true;
      at += size;
    }
    if (at > 0) await writeAll(to, buffered.subarray(0, at));
    buffered = buffered.slice(at);
  }
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array) {
  for (let done = 0; done < bytes.length;) done += await conn.write(bytes.subarray(done));
}

async function freeDisplayNumber(): Promise<number> {
  for (let n = 150; n < 200; n++) {
    const taken = await Promise.all(
      [`/tmp/.X11-unix/X${n}`, `/tmp/.X${n}-lock`].map((p) =>
        Deno.lstat(p).then(() => true, () => false)
      ),
    );
    if (!taken.includes(true)) return n;
  }
  throw new Error("no free X display number in 150–199");
}
