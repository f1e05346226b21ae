/**
 * A text file opened in the browser and saved back where it is: the customer's side reads it
 * with its SHA-256 and saves only if the file still has that hash (someone else's change is
 * never overwritten: 409 `changed`), written beside it and renamed into place by the agent;
 * the technician's side the same way through its temporary file.
 */
import type { Navigator } from "./commands.ts";
import type { SideId } from "./sides.ts";

const reasonOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

export async function openEditor(nav: Navigator, id: SideId = nav.host.get().active) {
  const side = nav.side(id);
  const [entry] = nav.targets(id);
  if (!side || !entry || entry.kind !== "file") return;
  const path = side.join(nav.host.get()[id].path, entry.name);
  nav.host.set({ status: { text: nav.host.t("opening", { name: entry.name }), error: false } });
  try {
    const { text, version } = await side.readText(path);
    nav.host.set({
      status: null,
      dialog: { kind: "editor", side: id, path, text, version, status: null, saving: false },
    });
  } catch (error) {
    nav.host.set({ status: { text: reasonOf(error), error: true } });
  }
}

export async function saveEditor(nav: Navigator, text: string) {
  const dialog = nav.host.get().dialog;
  if (dialog?.kind !== "editor") return;
  const side = nav.side(dialog.side)!;
  nav.host.set({ dialog: { ...dialog, saving: true, status: nav.host.t("saving") } });
  try {
    await side.writeText(dialog.path, text, dialog.version);
    const { version } = await side.readText(dialog.path);
    nav.host.set({
      dialog: { ...dialog, text, version, saving: false, status: nav.host.t("saved") },
    });
    void nav.load(dialog.side, undefined, true);
  } catch (error) {
    nav.host.set({ dialog: { ...dialog, saving: false, status: reasonOf(error) } });
  }
}
