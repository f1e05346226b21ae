// The file manager's data path through the real server and agent (issue 16): small downloads
// end "done" with their SHA-256 every time (a download once read as cancelled after all its
// bytes had arrived); an upload over the island's data socket refuses another site, resumes
// after a cut from the agent's offset and ends with the right hash on disk.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { filesWorld, until } from "./support/files_agent.ts";
import { sendOverSocket } from "../islands/file_manager/upload_socket.ts";

const sha = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

Deno.test("file manager: small downloads end done with their hash, none read as cancelled", async () => {
  const w = await filesWorld();
  try {
    await w.grantFiles();
    for (const size of [0, 1, 38, 65536, 1024 * 1024, 1024 * 1024 + 38]) {
      const source = crypto.getRandomValues(new Uint8Array(Math.min(size, 65536)));
      const whole = new Uint8Array(size);
      for (let at = 0; at < size; at += source.byteLength) {
        whole.set(source.subarray(0, size - at), at);
      }
      await Deno.writeFile(`${w.home}/small.bin`, whole);
      for (let round = 0; round < 4; round++) {
        const opened = await w.postJson(`${w.prefix}/downloads`, { path: `${w.home}/small.bin` });
        assert.equal(opened.status, 200);
        const res = await w.client.get(`${w.prefix}/transfers/${opened.body.id}/data?from=0`);
        assert.equal(res.status, 200);
        const got = new Uint8Array(await res.arrayBuffer());
        assert.equal(sha(got), sha(whole), `${size} bytes, round ${round}`);
        // Right away, as the island does once its body has ended: no waiting needed.
        const view = await w.getJson(`${w.prefix}/transfers/${opened.body.id}`);
        assert.equal(view.body.state, "done", `${size} bytes, round ${round}: ${view.body.state}`);
        assert.equal(view.body.sha256, sha(whole));
        assert.equal(view.body.bytes, size);
      }
    }
  } finally {
    await w.close();
  }
});

Deno.test("file manager: an upload over the data socket — cross-site refused, cut, resumed, hash checked", async () => {
  const w = await filesWorld();
  try {
    await w.grantFiles();
    const source = crypto.getRandomValues(new Uint8Array(65536));
    const whole = new Uint8Array(5 * 1024 * 1024 + 7);
    for (let at = 0; at < whole.byteLength; at += source.byteLength) {
      whole.set(source.subarray(0, whole.byteLength - at), at);
    }
    const blob = new Blob([whole]);
    const opened = await w.postJson(`${w.prefix}/uploads`, {
      folder: w.home,
      name: "up.bin",
      size: whole.byteLength,
      sha256: sha(whole),
    });
    assert.equal(opened.status, 200);
    const id = opened.body.id;
    const socketUrl = (from: number) => `${w.base}${w.prefix}/transfers/${id}/socket?from=${from}`;
    const connect = (origin: string) => (address: URL) =>
      new WebSocket(address, {
        headers: { cookie: w.client.cookieHeader(), origin },
      } as unknown as string[]);
    // Another site's page cannot open it with the technician's cookies.
    const never = await sendOverSocket(
      socketUrl(0),
      blob,
      new AbortController().signal,
      connect("https://elsewhere.example"),
    );
    assert.equal(never, "unopened");
    // The data breaks off after 2 MiB (the browser's tab went away).
    const cut = {
      size: blob.size,
      slice: (start: number, end: number) =>
        start >= 2 * 1024 * 1024
          ? { arrayBuffer: () => Promise.reject(new Error("cut")) }
          : blob.slice(start, end),
    };
    await assert.rejects(
      sendOverSocket(socketUrl(0), cut, new AbortController().signal, connect(w.base)),
    );
    // Busy until the server has seen the cut; then the agent says where to go on. As the
    // island does (transfer.ts: re-open by id, up to 6 tries), a resume whose socket breaks
    // before its answer — the cut leg's last bytes still reaching the agent on a loaded
    // machine — asks again for the agent's offset and goes on from there.
    let answer: Awaited<ReturnType<typeof sendOverSocket>> = null;
    for (let attempt = 0; attempt < 4 && !answer; attempt++) {
      let again = { status: 0, body: {} as Record<string, unknown> };
      await until("the server saw the cut", async () => {
        again = await w.postJson(`${w.prefix}/uploads`, {
          folder: w.home,
          name: "up.bin",
          size: whole.byteLength,
          sha256: sha(whole),
          id,
        });
        return again.status === 200;
      });
      // Whatever reached the agent before the cut (none at all when the machine is slow).
      const offset = Number(again.body.offset);
      // (A later try goes on from what the one before it got across.)
      const most = attempt === 0 ? 2 * 1024 * 1024 : whole.byteLength;
      assert.ok(offset >= 0 && offset <= most, `offset ${offset}`);
      answer = await sendOverSocket(
        socketUrl(offset),
        blob.slice(offset),
        new AbortController().signal,
        connect(w.base),
      );
    }
    assert.ok(answer && answer !== "unopened");
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    const done = answer.body as { state: string; sha256: string };
    assert.equal(done.state, "done");
    assert.equal(done.sha256, sha(whole));
    assert.equal(sha(await Deno.readFile(`${w.home}/up.bin`)), sha(whole));
  } finally {
    await w.close();
  }
});
