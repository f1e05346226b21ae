// The file manager's data path through the real server and agent (issue 16): small downloads
// end "done" with their SHA-256 every time (a download once read as cancelled after all its
// bytes had arrived), and a browser that reads slowly holds the agent back instead of the
// server queueing the file (the data leg's acknowledgement window).
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { filesWorld } from "./support/files_agent.ts";

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
