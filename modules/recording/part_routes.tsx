/**
 * A part's two answers, the same for a session's record page (modules/history) and a Lens
 * session's recordings page (lens_routes.tsx): the file to play or download (HTTP ranges,
 * audited once per taking) and an admin's Delete (refused to anyone else; asked first on the
 * page; audited). The caller has checked that the person may read the owner.
 */
import type { CurrentUser, PageContext } from "../http/mod.ts";
import { attachmentDisposition } from "../files/mod.ts";
import { fileResponse } from "../http/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import { deletePart, listParts, openPart, type PartOwner } from "./parts.ts";
import { RecordingList } from "./views.tsx";

/** Who may delete recordings: an admin (or the master admin) who may read the owner. */
export function mayDeleteRecordings(user: { role: string } | undefined): boolean {
  return user?.role === "admin" || user?.role === "master_admin";
}

/** The part's file (one byte range, 206, lets the player seek and a download resume), or 404. */
export async function partFileAnswer(
  c: PageContext,
  owner: PartOwner & { customerName: string | null },
  user: CurrentUser,
  recordingId: string,
): Promise<Response> {
  const opened = await openPart(c.get("deps"), owner, recordingId, user, {
    range: c.req.header("range"),
  });
  if (!opened) throw new Refusal(404, "recording.downloadMissing");
  return await fileResponse(opened.file, opened.size, opened.range, {
    "content-type": opened.contentType,
    "content-disposition": attachmentDisposition(opened.name),
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
  });
}

/**
 * An admin deletes a finished part: a form gets a redirect to `back` (`#recordings`), HTMX the
 * list as it is now. 403 for anyone else, 404 for no such part, 409 for one still written.
 */
export async function partDeleteAnswer(
  c: PageContext,
  owner: PartOwner,
  user: CurrentUser,
  recordingId: string,
  back: string,
): Promise<Response> {
  if (!mayDeleteRecordings(user)) throw new Refusal(403, "recording.deleteForbidden");
  const deps = c.get("deps");
  const done = await deletePart(deps, owner, recordingId, user);
  if (done === "missing") throw new Refusal(404, "recording.downloadMissing");
  if (done === "unfinished") throw new Refusal(409, "recording.deleteUnfinished");
  if (c.req.header("HX-Request") !== "true") return c.redirect(`${back}#recordings`, 303);
  const rows = await listParts(deps.db, owner.kind, owner.id);
  return c.html(
    <RecordingList
      t={c.get("t")}
      sessionId={owner.id}
      rows={rows}
      deleting={{ csrf: c.get("csrf") }}
      lens={owner.kind === "lens"}
    />,
  );
}
