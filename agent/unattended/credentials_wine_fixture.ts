// Run by credentials_wine_test.ts in the official Windows Deno under Wine: `seal <dir>` keeps
// credentials in a vault in <dir> with this computer's machine id, `open <dir>` reads them;
// each prints one JSON line with what it did, the machine id and the host name it saw.
import { fileVault, machineId } from "./credentials.ts";

const [action, dir] = Deno.args;
const vault = fileVault(dir);
const seen = { machineId: await machineId(), hostname: Deno.hostname() };
if (action === "seal") {
  await vault.store({ user: "carol", password: "Pässword-7731" }, "2099-01-01T00:00:00Z");
  console.log(JSON.stringify({ ...seen, sealed: true }));
} else {
  const read = await vault.read(new Date()).then((c) => c, (e: Error) => e.message);
  console.log(JSON.stringify({ ...seen, read }));
}
