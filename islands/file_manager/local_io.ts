/**
 * The browser-storage side's way in and out: files (or a whole folder) the technician uploads
 * from their computer into the current folder, and the selected files downloaded to their
 * computer by the browser. With a picked folder these are not needed (it is their disk).
 */
import type { Navigator } from "./commands.ts";

/** Copies picked files into the technician pane's folder (a folder pick keeps its tree). */
export async function importFiles(nav: Navigator, files: FileList | File[]) {
  const local = nav.local;
  if (!local) return;
  const folder = nav.host.get().local.path;
  let count = 0;
  try {
    for (const file of files) {
      const rel = (file as File & { webkitRelativePath?: string }).webkitRelativePath || file.name;
      const parts = rel.split("/").filter(Boolean);
      let at = folder;
      for (const dir of parts.slice(0, -1)) at = await local.fs.mkdir(at, dir);
      const staged = await local.fs.stage(local.join(at, parts[parts.length - 1]));
      await file.stream().pipeTo(staged.writable);
      await staged.commit();
      count++;
    }
    nav.host.set({ status: { text: nav.host.t("importedCount", { count }), error: false } });
  } catch (error) {
    nav.host.set({ status: { text: String(error), error: true } });
  }
  await nav.load("local", undefined, true);
}

/** Hands the selected files to the browser's downloads, one by one. */
export async function exportFiles(nav: Navigator) {
  const local = nav.local;
  if (!local) return;
  const folder = nav.host.get().local.path;
  for (const entry of nav.targets("local").filter((e) => e.kind === "file")) {
    const file = await local.fs.file(local.join(folder, entry.name));
    const url = URL.createObjectURL(file);
    const link = document.createElement("a");
    link.href = url;
    link.download = entry.name;
    link.hidden = true;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  }
}
