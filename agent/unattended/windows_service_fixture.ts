// Test fixture for tests/e2e/windows_service_test.ts, bundled and run by the Windows Deno under
// Wine: installs or uninstalls the service through windows_installer.ts as the support app's
// request flow does, and writes what it did as JSON into the file named first (not to stdout:
// Wine's services.exe, started by this process, would inherit a pipe and keep it open).
import { SERVICE_NAME } from "./installer.ts";
import { folderSddl, WindowsServiceInstaller } from "./windows_installer.ts";

const [out, action, server, ...command] = Deno.args;
const installer = new WindowsServiceInstaller();
try {
  if (action === "install") {
    const unit = await installer.install({
      server,
      stateDir: installer.dir,
      command,
      tools: ["control", "files"],
    });
    const sddl = folderSddl(installer.dir);
    await Deno.writeTextFile(out, JSON.stringify({ unit, dir: installer.dir, sddl }));
  } else {
    await installer.uninstall();
    await Deno.writeTextFile(out, JSON.stringify({ uninstalled: SERVICE_NAME }));
  }
} catch (error) {
  await Deno.writeTextFile(out, JSON.stringify({ error: String(error) }));
}
