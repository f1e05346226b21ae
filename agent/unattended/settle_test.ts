// The app a service runs is a copy of its own (settle.ts): one folder per content, reused for
// the same app, a new one for a newer app with the older removed; the DLLs beside agent.js go
// with it; a checkout's main.ts is left where it is.
import assert from "node:assert/strict";
import { settleApp } from "./settle.ts";

Deno.test("settleApp: a folder per app, reused, replaced by a newer one; DLLs and the CA copied", async () => {
  const download = await Deno.makeTempDir();
  const into = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${download}/deno.exe`, "runtime");
    await Deno.writeTextFile(`${download}/agent.js`, "agent 1");
    await Deno.writeTextFile(`${download}/vpx.dll`, "vpx");
    await Deno.writeTextFile(`${download}/yuv.dll`, "yuv");
    await Deno.writeTextFile(`${download}/rescue.json`, "{}"); // the session's, not the service's
    const command = [`${download}/deno.exe`, "run", "-A", `${download}/agent.js`];
    const first = await settleApp(command, into, { DENO_TLS_CA_STORE: "system" });
    assert.ok(first.dir?.startsWith(`${into}/app-`));
    assert.deepEqual(first.command, [
      `${first.dir}/deno.exe`,
      "run",
      "-A",
      `${first.dir}/agent.js`,
    ]);
    assert.deepEqual(first.trust, { DENO_TLS_CA_STORE: "system" });
    const names = [...Deno.readDirSync(first.dir!)].map((e) => e.name).sort();
    assert.deepEqual(names, [".complete", "agent.js", "deno.exe", "vpx.dll", "yuv.dll"]);

    // The same app again: the same folder, not copied anew.
    const marker = `${first.dir}/.complete`;
    const before = (await Deno.stat(marker)).mtime;
    const again = await settleApp(command, into);
    assert.equal(again.dir, first.dir);
    assert.deepEqual((await Deno.stat(marker)).mtime, before);

    // A newer app (and a CA now): a folder of its own; the older one goes.
    await Deno.writeTextFile(`${download}/agent.js`, "agent 2");
    await Deno.writeTextFile(`${download}/ca.pem`, "CA");
    const newer = await settleApp(command, into, { DENO_CERT: `${download}/ca.pem` });
    assert.notEqual(newer.dir, first.dir);
    assert.equal(await Deno.readTextFile(`${newer.dir}/agent.js`), "agent 2");
    assert.deepEqual(newer.trust, { DENO_CERT: `${newer.dir}/ca.pem` });
    assert.equal(await Deno.readTextFile(`${newer.dir}/ca.pem`), "CA");
    assert.deepEqual([...Deno.readDirSync(into)].map((e) => e.name), [
      newer.dir!.slice(into.length + 1),
    ]);
  } finally {
    await Deno.remove(download, { recursive: true });
    await Deno.remove(into, { recursive: true });
  }
});

Deno.test("settleApp: a checkout's main.ts stays where it is", async () => {
  const into = await Deno.makeTempDir();
  try {
    const command = [Deno.execPath(), "run", "--allow-all", "/work/checkout/agent/main.ts"];
    assert.deepEqual(await settleApp(command, into), { command, trust: {}, dir: null });
    assert.deepEqual([...Deno.readDirSync(into)], []);
  } finally {
    await Deno.remove(into, { recursive: true });
  }
});
