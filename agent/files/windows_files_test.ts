// The file manager on Windows (windows.ts): split/join/names as pure functions, then under Wine
// (wine_test_support.ts, a private Xvfb) windows_files_fixture.ts — bundled as the support app
// is, run by the official Windows Deno — drives the real handlers on C:\.
import assert from "node:assert/strict";
import { join } from "node:path";
import { windowsJoin, windowsSplit } from "./windows.ts";
import { windowsNameProblem } from "./os.ts";
import { guidBytes } from "./windows.ts";
import { startXvfb } from "../platform/xvfb_test_support.ts";
import { startWine, tails, wineMissing } from "../platform/wine_test_support.ts";

Deno.test("windowsSplit/Join: drives, UNC shares, either slash; device paths refused", () => {
  assert.deepEqual(windowsSplit("C:\\"), { root: "C:\\", parts: [] });
  assert.deepEqual(windowsSplit("c:"), { root: "C:\\", parts: [] });
  assert.deepEqual(windowsSplit("C:\\Users\\Ann\\"), { root: "C:\\", parts: ["Users", "Ann"] });
  assert.deepEqual(windowsSplit("d:/Photos/2024"), { root: "D:\\", parts: ["Photos", "2024"] });
  assert.deepEqual(windowsSplit("\\\\nas\\share\\a b\\c.txt"), {
    root: "\\\\nas\\share\\",
    parts: ["a b", "c.txt"],
  });
  assert.deepEqual(windowsSplit("\\\\nas\\share"), { root: "\\\\nas\\share\\", parts: [] });
  for (
    const bad of [
      "Users\\Ann",
      "\\Users",
      "C:Users",
      "C:\\a\\..\\b",
      "C:\\a\\.\\b",
      "C:\\a\\\\b",
      "\\\\?\\C:\\x",
      "\\\\.\\PhysicalDrive0",
      "\\\\nas",
      "\\\\nas\\sh:are\\x",
      "/home/ann",
    ]
  ) assert.equal(windowsSplit(bad), null, bad);
  assert.equal(windowsJoin("C:\\", []), "C:\\");
  assert.equal(windowsJoin("C:\\", ["Users", "Ann"]), "C:\\Users\\Ann");
  assert.equal(windowsJoin("\\\\nas\\share\\", ["x"]), "\\\\nas\\share\\x");
});

Deno.test("Windows names: devices, reserved characters, trailing dots refused", () => {
  for (const bad of ["con.txt", "NUL", "com1.log", "a:b", "a*b", "x.", "x "]) {
    assert.notEqual(windowsNameProblem(bad), null, bad);
  }
  for (const good of ["console.txt", "Ann's file (1).txt", ".gitignore", "日本語.txt"]) {
    assert.equal(windowsNameProblem(good), null, good);
  }
});

Deno.test("guidBytes: the first three fields little-endian, as KNOWNFOLDERID in memory", () => {
  assert.deepEqual(
    [...guidBytes("FDD39AD0-238F-46AF-ADB4-6C85480369C7")],
    [
      0xd0,
      0x9a,
      0xd3,
      0xfd,
      0x8f,
      0x23,
      0xaf,
      0x46,
      0xad,
      0xb4,
      0x6c,
      0x85,
      0x48,
      0x03,
      0x69,
      0xc7,
    ],
  );
});

const missing = await wineMissing();
if (missing) console.warn(`windows_files_test: ${missing} — ignored`);
const FIXTURE = new URL("./windows_files_fixture.ts", import.meta.url).pathname;

type Bundle = (options: Record<string, unknown>) => Promise<{
  success: boolean;
  errors: { text: string }[];
  outputFiles?: { path: string; contents?: Uint8Array }[];
}>;

Deno.test({
  name:
    "the file handlers under Wine: drives, hidden by attribute, names, renames, transfers, Recycle Bin",
  ignore: missing !== null,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const bundled = await (Deno as unknown as { bundle: Bundle }).bundle({
      entrypoints: [FIXTURE],
      outputDir: "/fixture",
      platform: "deno",
      format: "esm",
      minify: false,
      write: false,
    });
    const code = bundled.outputFiles?.find((f) => f.path.endsWith(".js"))?.contents;
    assert.ok(bundled.success && code, bundled.errors.map((e) => e.text).join("; "));
    const work = await Deno.makeTempDir({ prefix: "winfiles-" });
    const script = join(work, "fixture.js");
    await Deno.writeFile(script, code);
    const xvfb = await startXvfb({ width: 800, height: 600 });
    const net = join(work, "net");
    const wine = await startWine(xvfb.display, {
      async prepare(prefix) {
        // D: a network drive to Windows programs (Wine's Drives key), a folder of ours.
        await Deno.mkdir(net);
        await Deno.writeTextFile(join(net, "n.txt"), "on the network\r\n");
        await Deno.symlink(net, join(prefix, "dosdevices", "d:"));
        // Written into the registry files Wine loads, before the prefix's wineserver starts:
        // Wine's mount manager reads the Drives key once, when it starts. (A `reg add` and a
        // restarted wineserver did the same; under CI's load the Windows Deno started after that
        // restart was once killed, exit 137.) D: is a network drive to Windows programs.
        await Deno.writeTextFile(
          join(prefix, "system.reg"),
          '\n[Software\\\\Wine\\\\Drives] 1796600000\n"d:"="network"\n',
          { append: true },
        );
        // Wine marks Unix dot files hidden by itself; Windows does not: shown, as there.
        await Deno.writeTextFile(
          join(prefix, "user.reg"),
          '\n[Software\\\\Wine] 1796600000\n"ShowDotFiles"="Y"\n',
          { append: true },
        );
      },
    });
    try {
      const folder = join(wine.prefix, "drive_c", "wf");
      // Wine's Recycle Bin is the freedesktop trash of XDG_DATA_HOME: kept in our folder.
      const data = join(work, "data");
      const seed = async () => {
        await Deno.remove(folder, { recursive: true }).catch(() => {});
        await Deno.remove(data, { recursive: true }).catch(() => {});
        await Deno.mkdir(join(folder, "sub"), { recursive: true });
        await Deno.writeTextFile(join(folder, "a.txt"), "first file\r\n");
        await Deno.writeTextFile(join(folder, "h.txt"), "hidden\r\n");
        await Deno.writeTextFile(join(folder, ".rescue-u1.part"), "half an upload");
        await Deno.writeTextFile(join(folder, "sub", "in.txt"), "inner\r\n");
        const attrib = await wine.spawn("cmd", ["/c", "attrib", "+h", "C:\\wf\\h.txt"]).output();
        assert.equal(attrib.code, 0);
        await Deno.mkdir(join(data, "Trash", "files"), { recursive: true });
        await Deno.mkdir(join(data, "Trash", "info"), { recursive: true });
      };
      await Deno.mkdir(join(wine.prefix, "drive_c", "users", "bob", "Documents"), {
        recursive: true,
      });
      await seed();
      // A run Wine killed (KILLED) is run again on a fresh folder and trash.
      const run = await wine.runDeno(
        ["run", "--no-config", "-A", wine.winPath(script), "C:\\wf"],
        { XDG_DATA_HOME: data },
        { again: seed },
      );
      assert.equal(run.code, 0, tails(run, 3000));
      const out = JSON.parse(run.stdout.trim().split("\n").at(-1)!);
      console.log(JSON.stringify({ roots: out.roots, drives: out.drives }));
      // The drives: C: (the prefix's drive_c) and Z: (/), with their types.
      assert.equal(out.roots.separator, "\\");
      const roots = out.roots.roots.map((p: { path: string }) => p.path);
      assert.ok(roots.includes("C:\\") && roots.includes("Z:\\"), roots.join(" "));
      const types = Object.fromEntries(
        out.drives.map((d: { root: string; type: string }) => [d.root, d.type]),
      );
      assert.equal(types["C:\\"], "fixed");
      assert.equal(types["D:\\"], "network");
      // Places: the known folders (Pictures shown as a documents place), another profile.
      assert.deepEqual(
        out.roots.common.map((p: { path: string; kind: string }) => [p.kind, p.path]),
        [
          ["home", "C:\\users\\root"],
          ["desktop", "C:\\users\\root\\Desktop"],
          ["documents", "C:\\users\\root\\Documents"],
          ["downloads", "C:\\users\\root\\Downloads"],
          ["documents", "C:\\users\\root\\Pictures"],
        ],
      );
      assert.deepEqual(out.roots.users, [{ path: "C:\\Users\\bob", label: "bob", kind: "user" }]);
      // Listing: hidden by the attribute, no POSIX mode, no parent above C:\wf's drive.
      assert.deepEqual(out.list, { path: "C:\\wf", parent: "C:\\" });
      assert.deepEqual(out.entries, [
        { name: ".rescue-u1.part", type: "file", hidden: true, mode: null },
        { name: "a.txt", type: "file", hidden: false, mode: null },
        { name: "h.txt", type: "file", hidden: true, mode: null },
        { name: "sub", type: "dir", hidden: false, mode: null },
      ]);
      assert.deepEqual(out.plain, ["a.txt", "sub"]);
      assert.equal(out.slashes, "C:\\wf");
      assert.equal(out.mkdir.path, "C:\\wf\\New folder");
      assert.deepEqual(out.con, {
        error: "invalid_name",
        message: "the name is a name Windows reserves for a device",
      });
      assert.deepEqual(out.colon, {
        error: "invalid_name",
        message: "the name contains a character Windows does not allow",
      });
      assert.equal(out.verbatim.error, "unsafe_path");
      assert.equal(out.rename.path, "C:\\wf\\b.txt");
      // Another entry's name in other case is taken; the entry's own in other case is not.
      assert.equal(out.taken.error, "exists");
      assert.equal(out.caseRename.path, "C:\\wf\\B.TXT");
      assert.deepEqual(out.afterRenames, ["B.TXT", "New folder", "h.txt", "sub"]);
      assert.equal(out.uploaded, "uploaded to Windows\r\n");
      assert.equal(out.download, "first file\r\n");
      assert.deepEqual(out.tree, ["B.TXT", "New folder", "New folder/up.txt", "sub", "sub/in.txt"]);
      assert.ok(out.bundleBytes > 0);
      assert.deepEqual(out.moveAway.failures, []);
      assert.deepEqual(out.trash, {
        deleted: [{ path: "C:\\wf\\B.TXT", trashed: true }],
        failures: [],
      });
      assert.deepEqual(out.afterDelete, ["h.txt", "sub"]);
      const found = await new Deno.Command("find", {
        args: [wine.prefix, work, "/tmp/.Trash-0", "-name", "B.TXT*"],
        stderr: "null",
      }).output();
      // Wine's Recycle Bin is the freedesktop trash of XDG_DATA_HOME when that exists (without
      // it, Wine 8 deletes for good); Windows' is the drive's $Recycle.Bin.
      assert.deepEqual(new TextDecoder().decode(found.stdout).trim().split("\n").sort(), [
        join(data, "Trash", "files", "B.TXT"),
        join(data, "Trash", "info", "B.TXT.trashinfo"),
      ]);
      assert.equal(out.tooLong.error, "too_long");
      assert.deepEqual(out.noTrash.deleted, []);
      assert.equal(out.noTrash.failures[0].code, "no_trash");
      assert.match(out.noTrash.failures[0].reason, /network drive, which has no Recycle Bin/);
      assert.equal(await Deno.readTextFile(join(net, "n.txt")), "on the network\r\n");
      assert.match(out.tooLong.message, /255 characters/);
    } finally {
      await wine.stop();
      await xvfb.stop();
      await Deno.remove(work, { recursive: true }).catch(() => {});
    }
  },
});
