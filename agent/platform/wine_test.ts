// The Wine harness itself (wine_test_support.ts): the official Windows Deno runs on Wine over a
// private Xvfb and sees that display as its Windows screen through user32.
import assert from "node:assert/strict";
import { join } from "node:path";
import { startXvfb } from "./xvfb_test_support.ts";
import { startWine, tails, wineMissing } from "./wine_test_support.ts";

const missing = await wineMissing();
if (missing) console.warn(`wine_test: ${missing} — ignored`);

Deno.test({
  name: "the Windows Deno runs on Wine and sees the X display as its screen",
  ignore: missing !== null,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const xvfb = await startXvfb({ width: 1024, height: 640 });
    const wine = await startWine(xvfb.display);
    try {
      // A prefix made from the prepared one is ready: its first program does not make Wine run
      // `wineboot --update` first (≈ 12–20 s a prefix), which would write a new stamp.
      const stamp = join(wine.prefix, ".update-timestamp");
      const before = await Deno.stat(stamp);
      const script = await Deno.makeTempFile({ suffix: ".ts" });
      await Deno.writeTextFile(
        script,
        `const u = Deno.dlopen("user32.dll", {
          GetSystemMetrics: { parameters: ["i32"], result: "i32" },
        });
        console.log(JSON.stringify({
          os: Deno.build.os,
          width: u.symbols.GetSystemMetrics(0),
          height: u.symbols.GetSystemMetrics(1),
        }));`,
      );
      // It only reads: run again when Wine killed the run (KILLED).
      const out = await wine.runDeno(["run", "--allow-ffi", wine.winPath(script)], {}, {
        again: true,
      });
      assert.equal(out.code, 0, tails(out));
      assert.deepEqual(JSON.parse(out.stdout.trim().split("\n").at(-1)!), {
        os: "windows",
        width: 1024,
        height: 640,
      });
      await Deno.remove(script);
      assert.equal((await Deno.stat(stamp)).mtime?.getTime(), before.mtime?.getTime());
    } finally {
      await wine.stop();
      await xvfb.stop();
    }
  },
});
