// The Admin Center's Support app page (issue 18): a master admin sees, per system, whether a
// runtime is here and the built package's SHA-256 — the same as the file customers get the
// shared part of — and can build them all; a technician is refused.
import assert from "node:assert/strict";
import { createSHA256 } from "hash-wasm";
import { ADMIN, startTestApp } from "./support/app.ts";
import { makeGroup, makePerson, TECH_PASSWORD } from "./support/org.ts";
import { builtPackages } from "../modules/agent_packages/mod.ts";

Deno.test({
  name: "the master admin sees each package's SHA-256, equal to the file's; a technician cannot",
  ignore: Deno.build.os !== "linux" || Deno.build.arch !== "x86_64",
  async fn() {
    const t = await startTestApp();
    try {
      const admin = t.client();
      await admin.signIn(ADMIN.email, ADMIN.password);
      const before = await admin.get("/admin/support-app");
      assert.equal(before.status, 200);
      const page = await before.text();
      assert.match(page, /data-platform="linux-x64"[\s\S]*?This server&#39;s own/);
      assert.match(page, /data-platform="windows-x64"[\s\S]*?Missing/);
      assert.match(page, /Not built yet/);

      const built = await admin.post("/admin/support-app/build", {});
      assert.equal(built.status, 303);
      const [linux] = await builtPackages(t.deps.config.dataDir);
      assert.equal(linux.platform, "linux-x64");
      const hash = await createSHA256();
      hash.init();
      for await (const chunk of (await Deno.open(linux.path)).readable) hash.update(chunk);
      assert.equal(linux.sha256, hash.digest("hex"), "the page's hash is the file's");
      const after = await (await admin.get("/admin/support-app")).text();
      assert.ok(after.includes(linux.sha256));

      // Screen sharing: Linux's app yes; Windows' only with vpx.dll and yuv.dll by its runtime.
      const screen = (page: string, platform: string) =>
        new RegExp(`data-platform="${platform}"[\\s\\S]*?<td class="screen">([^<]*)<`).exec(page)
          ?.[1];
      assert.equal(screen(after, "linux-x64"), "Yes");
      assert.equal(
        screen(after, "windows-x64"),
        "No: vpx.dll and yuv.dll are missing (deno task build:windows-codecs)",
      );
      assert.equal(screen(after, "darwin-arm64"), "Not yet on this system");
      const runtimes = `${t.deps.config.dataDir}/runtimes/windows-x64`;
      await Deno.mkdir(runtimes, { recursive: true });
      for (const name of ["deno.exe", "vpx.dll", "yuv.dll"]) {
        await Deno.writeTextFile(`${runtimes}/${name}`, "MZ stand-in");
      }
      const codecs = await (await admin.get("/admin/support-app")).text();
      assert.equal(screen(codecs, "windows-x64"), "Yes");

      const group = await makeGroup(t, { permissions: [] });
      const person = await makePerson(t, { groupId: group.id });
      const tech = t.client();
      await tech.signIn(person.email, TECH_PASSWORD);
      assert.equal((await tech.get("/admin/support-app")).status, 403);
      assert.equal((await tech.post("/admin/support-app/build", {})).status, 403);
    } finally {
      await t.close();
    }
  },
});
