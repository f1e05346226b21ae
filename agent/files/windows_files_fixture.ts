// Test fixture for windows_files_test.ts, bundled (Deno.bundle) and run by the Windows Deno
// under Wine: the real file handlers, which choose the Windows layer themselves (test_support's
// kit with system "windows"; its data stand-in listens on this process's loopback), work on
// the folder `Deno.args[0]` (C:\…, made by the test: a.txt, h.txt marked hidden, sub\in.txt)
// and D:\n.txt on a drive Wine calls a network drive.
// Prints one JSON line of what each step answered (an OpFailure as { error, message }).
import { OpFailure } from "../ops/mod.ts";
import { concat, fileTestKit, newId, newTicket } from "./test_support.ts";
import { drives } from "./windows.ts";

const base = Deno.args[0];
const kit = await fileTestKit({ system: "windows" });
const out: Record<string, unknown> = {};
const attempt = async (work: () => Promise<unknown>) => {
  try {
    return await work();
  } catch (error) {
    if (error instanceof OpFailure) return { error: error.code, message: error.message };
    throw error;
  }
};
const names = async () => (await kit.names(base)).filter((name) => !name.startsWith(".rescue"));

out.roots = await kit.call("files.roots", {});
out.drives = await drives();
const listed = await kit.call("files.list", { path: base, hidden: true });
out.list = { path: listed.path, parent: listed.parent };
out.entries = listed.entries.map((e) => ({
  name: e.name,
  type: e.type,
  hidden: e.hidden,
  mode: e.mode,
}))
  .sort((a, b) => a.name.localeCompare(b.name));
out.plain = (await kit.call("files.list", { path: base, hidden: false })).entries.map((e) => e.name)
  .sort();
out.slashes = (await kit.call("files.list", { path: base.replaceAll("\\", "/"), hidden: false }))
  .path;
out.mkdir = await attempt(() => kit.call("files.mkdir", { folder: base, name: "New folder" }));
out.con = await attempt(() => kit.call("files.mkdir", { folder: base, name: "con.txt" }));
out.colon = await attempt(() =>
  kit.call("files.rename", { path: `${base}\\a.txt`, newName: "a:b" })
);
out.verbatim = await attempt(() =>
  kit.call("files.list", { path: `\\\\?\\${base}`, hidden: false })
);
out.rename = await attempt(() =>
  kit.call("files.rename", { path: `${base}\\a.txt`, newName: "b.txt" })
);
out.taken = await attempt(() =>
  kit.call("files.rename", { path: `${base}\\b.txt`, newName: "H.TXT" })
);
out.caseRename = await attempt(() =>
  kit.call("files.rename", { path: `${base}\\b.txt`, newName: "B.TXT" })
);
out.afterRenames = await names();

// Copy to the customer: an upload into the new folder, pulled from the stand-in.
const body = new TextEncoder().encode("uploaded to Windows\r\n");
const upload = await kit.openUpload(`${base}\\New folder`, "up.txt", body.byteLength);
const pull = newTicket();
kit.servePull(pull, body);
await kit.call("files.receive", { id: upload.id, ticket: pull, from: 0 });
const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", body));
const hex = [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
out.upload = await attempt(() => kit.call("files.commit", { id: upload.id, sha256: hex }));
out.uploaded = await Deno.readTextFile(`${base}\\New folder\\up.txt`).catch(String);
// Copy from the customer: a file, then a folder as a bundle (its hidden file left out).
out.download = new TextDecoder().decode((await kit.download(`${base}\\B.TXT`)).bytes);
const bundle = await kit.call("files.open", {
  id: newId("b"),
  direction: "download",
  mode: "bundle",
  path: base,
  names: ["sub", "h.txt", "B.TXT"],
  name: null,
  size: null,
  mtime: null,
  sha256: null,
  overwrite: false,
  hidden: false,
});
const push = newTicket();
const served = kit.acceptPush(push);
out.bundle = await kit.call("files.send", { id: bundle.id, ticket: push, from: 0 });
await served.done;
out.bundleBytes = concat(served.received).byteLength;
out.tree = (await kit.call("files.tree", { path: base, hidden: false, max: 100 })).entries.map((
  e,
) => e.path);
// Move (what the technician's move does on this side after the copy): the folder goes away.
out.moveAway = await kit.call("files.delete", { paths: [`${base}\\New folder`], permanent: true });
out.trash = await kit.call("files.delete", { paths: [`${base}\\B.TXT`], permanent: false });
out.afterDelete = await names();
// A network drive (D:, typed so in Wine's registry) has no Recycle Bin: refused, kept.
out.noTrash = await kit.call("files.delete", { paths: ["D:\\n.txt"], permanent: false });
out.tooLong = await attempt(() => kit.call("files.mkdir", { folder: base, name: "n".repeat(256) }));
console.log(JSON.stringify(out));
await kit.close();
