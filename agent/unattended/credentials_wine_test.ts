// The credential vault on Windows, in the official Windows Deno under Wine (wine_test_support.ts):
// its key is derived from the registry's MachineGuid (the same value `reg query` reads), not
// the host name — the sealed file opens here with the GUID as machine id and not with the host
// name — and after the computer is renamed (the fixture run again in a UTS namespace of its own
// with another host name, which Wine's programs see) the credentials still open.
import assert from "node:assert/strict";
import { fileVault } from "./credentials.ts";
import { startXvfb } from "../platform/xvfb_test_support.ts";
import {
  againWhenKilled,
  type Output,
  startWine,
  tails,
  type Wine,
  wineMissing,
} from "../platform/wine_test_support.ts";

const FIXTURE = new URL("./credentials_wine_fixture.ts", import.meta.url).pathname;
const WINE = "/usr/lib/wine/wine64";
const WINESERVER = "/usr/lib/wine/wineserver64";
const missing = await wineMissing() ??
  (await new Deno.Command("unshare", { args: ["--uts", "hostname", "probe"], stderr: "null" })
      .output().then((o) => o.success, () => false)
    ? null
    : "unshare --uts cannot rename the host here (not root)");
if (missing) console.warn(`credentials_wine_test: ${missing} — the Wine test is ignored`);

/** The fixture in the Windows Deno, under `hostname` (a UTS namespace) when given. */
async function fixture(wine: Wine, action: string, dir: string, hostname?: string) {
  const args = [
    wine.deno,
    "run",
    "--no-config",
    "--allow-ffi",
    "--allow-env",
    "--allow-read",
    "--allow-write",
    "--allow-sys",
    wine.winPath(FIXTURE),
    action,
    wine.winPath(dir),
  ];
  // The wineserver of the previous run must be gone, or the new program joins it.
  const serverGone = async () => {
    await new Deno.Command(WINESERVER, { args: ["-w"], env: wine.env }).output();
  };
  await serverGone();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  const once = async (): Promise<Output> => {
    const out = await new Deno.Command(
      hostname ? "unshare" : WINE,
      {
        args: hostname
          ? [
            "--uts",
            "sh",
            "-c",
            `hostname "$1" && shift && exec "$0" "$@"`,
            WINE,
            hostname,
            ...args,
          ]
          : args,
        env: wine.env,
        stdin: "null",
      },
    ).output();
    return {
      code: out.code,
      signal: out.signal,
      stdout: text(out.stdout),
      stderr: text(out.stderr),
    };
  };
  // Sealing writes the vault afresh, opening only reads: run again when Wine killed the run
  // (KILLED), once its wineserver is gone.
  const out = await againWhenKilled(`the vault fixture's ${action}`, once, serverGone);
  assert.equal(out.code, 0, tails(out));
  return JSON.parse(out.stdout.trim().split("\n").at(-1)!);
}

Deno.test({
  name: "credential vault under Wine: keyed to MachineGuid, a renamed computer still opens it",
  ignore: missing !== null,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const xvfb = await startXvfb({ width: 640, height: 480 });
    const wine = await startWine(xvfb.display, { persistent: false });
    const dir = await Deno.makeTempDir({ prefix: "vault-wine-" });
    try {
      const query = await new Deno.Command(WINE, {
        args: ["reg", "query", "HKLM\\SOFTWARE\\Microsoft\\Cryptography", "/v", "MachineGuid"],
        env: wine.env,
        stdin: "null",
      }).output();
      const guid = new TextDecoder().decode(query.stdout).match(/MachineGuid\s+REG_SZ\s+(\S+)/)
        ?.[1];
      assert.match(guid ?? "", /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);

      const sealed = await fixture(wine, "seal", dir);
      assert.equal(sealed.sealed, true);
      assert.equal(sealed.machineId, guid, "the vault's machine id is Windows' MachineGuid");
      const now = new Date();
      // The sealed file opens with the GUID as the key's salt, and not with the host name.
      assert.deepEqual(await fileVault(dir, { machineId: guid }).read(now), {
        user: "carol",
        password: "Pässword-7731",
      });
      await assert.rejects(
        fileVault(dir, { machineId: sealed.hostname }).read(now),
        /cannot be opened on this computer/,
      );

      const renamed = await fixture(wine, "open", dir, "renamed-pc-7731");
      assert.equal(renamed.hostname, "renamed-pc-7731", "the Windows Deno sees the new name");
      assert.notEqual(renamed.hostname, sealed.hostname);
      assert.deepEqual(renamed.read, { user: "carol", password: "Pässword-7731" });
    } finally {
      await wine.stop();
      await xvfb.stop();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});
