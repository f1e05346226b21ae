// The support app's download for a Windows visitor: the page says what the package can do, and
// the zip carries the video codecs (vpx.dll, yuv.dll) when the server has both beside the
// Windows runtime — and only then says the screen can be shared. The runtime here is a small
// stand-in file: only the package's contents and the page are read.
import assert from "node:assert/strict";
import { join } from "node:path";
import { startTestApp, type TestApp } from "../../tests/support/app.ts";
import { technician } from "../../tests/support/sessions.ts";
import { createPrivateSession } from "../support/mod.ts";

const WINDOWS_UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/150.0 Safari/537.36";
const CODECS_NOTE = /the video components for Windows/;

async function windowsVisit(t: TestApp, token: string, html: boolean) {
  const response = await t.app.request(`/s/${token}/agent${html ? "" : "?download=1"}`, {
    headers: { "user-agent": WINDOWS_UA, ...(html && { accept: "text/html" }) },
  });
  assert.equal(response.status, 200);
  return response;
}

/** The names in a zip and one entry's text, read by unzip. */
async function unzip(bytes: Uint8Array, entry: string) {
  const file = await Deno.makeTempFile({ suffix: ".zip" });
  try {
    await Deno.writeFile(file, bytes);
    const run = async (args: string[]) => {
      const out = await new Deno.Command("unzip", { args, stdout: "piped", stderr: "piped" })
        .output();
      assert.ok(out.success, new TextDecoder().decode(out.stderr));
      return new TextDecoder().decode(out.stdout);
    };
    await run(["-tq", file]); // every CRC checks out
    const names = (await run(["-Z1", file])).trim().split("\n").sort();
    return { names, text: await run(["-p", file, entry]) };
  } finally {
    await Deno.remove(file);
  }
}

Deno.test({
  name: "GET /s/:token/agent (Windows) carries vpx.dll and yuv.dll when both are on the server",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const t = await startTestApp();
    try {
      const runtimes = join(t.deps.config.dataDir, "runtimes", "windows-x64");
      await Deno.mkdir(runtimes, { recursive: true });
      await Deno.writeTextFile(join(runtimes, "deno.exe"), "MZ stand-in for the runtime");
      const tech = await technician(t);
      const { session } = await createPrivateSession(t.deps, tech, {
        method: "link",
        customerName: "Erin",
        fields: {},
      });

      // No codecs: the page and the read-me say the screen cannot be shared, and why.
      let page = await (await windowsVisit(t, session.token, true)).text();
      assert.match(page, /The support app for Windows/);
      assert.match(page, /id="agent-download-no-screen"/);
      assert.match(page, CODECS_NOTE);
      let zip = await unzip(
        new Uint8Array(await (await windowsVisit(t, session.token, false)).arrayBuffer()),
        "rescue-agent/README.txt",
      );
      assert.deepEqual(zip.names, [
        "rescue-agent/README.txt",
        "rescue-agent/Remote support.cmd",
        "rescue-agent/agent.js",
        "rescue-agent/deno.exe",
        "rescue-agent/rescue.json",
      ]);
      assert.match(zip.text, /cannot share your screen: it came without its video codecs/);

      // One of the two is not enough: still none in the zip.
      await Deno.writeTextFile(join(runtimes, "vpx.dll"), "MZ vpx stand-in");
      page = await (await windowsVisit(t, session.token, true)).text();
      assert.match(page, CODECS_NOTE);

      // Both: in the zip beside deno.exe, byte for byte; the screen can be shared.
      await Deno.writeTextFile(join(runtimes, "yuv.dll"), "MZ yuv stand-in");
      page = await (await windowsVisit(t, session.token, true)).text();
      assert.doesNotMatch(page, /agent-download-no-screen/);
      assert.doesNotMatch(page, /cannot share your screen/);
      const bytes = new Uint8Array(
        await (await windowsVisit(t, session.token, false)).arrayBuffer(),
      );
      zip = await unzip(bytes, "rescue-agent/README.txt");
      assert.deepEqual(zip.names, [
        "rescue-agent/README.txt",
        "rescue-agent/Remote support.cmd",
        "rescue-agent/agent.js",
        "rescue-agent/deno.exe",
        "rescue-agent/rescue.json",
        "rescue-agent/vpx.dll",
        "rescue-agent/yuv.dll",
      ]);
      assert.match(zip.text, /opens a window where you decide what your technician may see/);
      assert.equal((await unzip(bytes, "rescue-agent/yuv.dll")).text, "MZ yuv stand-in");
    } finally {
      await t.close();
    }
  },
});
