/**
 * A Lens session's recordings (`/console/recordings/lens/:lensId`): its parts, each played in
 * the page and downloadable (`…/:recordingId`, HTTP ranges for the player's seeks, audited once
 * per taking), and an admin's Delete (`…/:recordingId/delete`, asked first, audited). Who may
 * read the Lens session's record may see them (lens's `readableLens`: the technician who ran
 * it, its group's technicians with `seeOtherTechnicians`, the admins of its group, the master
 * admin); anyone else gets "not found". As a session's parts on its record page (modules/history).
 */
import { Hono } from "hono";
import { attachmentDisposition } from "../files/mod.ts";
import { type AppEnv, fileResponse, requireUser } from "../http/mod.ts";
import { readableLens } from "../lens/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import { deletePart, listParts, openPart } from "./parts.ts";
import { lensRecordingsHref, LensRecordingsPage, RecordingList } from "./views.tsx";

/** Who may delete recordings: an admin who may read the session (as History's). */
const _mayDelete = (user: { role: string } | undefined) =>
  user?.role === "admin" || user?.role === "master_admin";

export const lensRecordingRoutes = new Hono<AppEnv>()
  .use("/console/recordings/lens/*", requireUser())
  .get("/console/recordings/lens/:lensId", async (c) => {
    const deps = c.get("deps");
    const lens = await readableLens(deps, c.get("user"), c.req.param("lensId"));
    const rows = await listParts(deps.db, "lens", lens.id);
    return c.html(
      <LensRecordingsPage
        c={c}
        lens={lens}
        rows={rows}
        deleting={_mayDelete(c.get("user")) ? { csrf: c.get("csrf") } : undefined}
      />,
    );
  })
  .get("/console/recordings/lens/:lensId/:recordingId", async (c) => {
    const deps = c.get("deps");
    const user = c.get("user")!;
    const lens = await readableLens(deps, user, c.req.param("lensId"));
    const opened = await openPart(
      deps,
      { ...lens, kind: "lens" },
      c.req.param("recordingId"),
      user,
      {
        range: c.req.header("range"),
      },
    );
    if (!opened) throw new Refusal(404, "recording.downloadMissing");
    return await fileResponse(opened.file, opened.size, opened.range, {
      "content-type": opened.contentType,
      "content-disposition": attachmentDisposition(opened.name),
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    });
  })
  .post("/console/recordings/lens/:lensId/:recordingId/delete", async (c) => {
    const deps = c.get("deps");
    const user = c.get("user")!;
    const lens = await readableLens(deps, user, c.req.param("lensId"));
    if (!_mayDelete(user)) throw new Refusal(403, "recording.deleteForbidden");
    const done = await deletePart(
      deps,
      { ...lens, kind: "lens" },
      c.req.param("recordingId"),
      user,
    );
    if (done === "missing") throw new Refusal(404, "recording.downloadMissing");
    if (done === "unfinished") throw new Refusal(409, "recording.deleteUnfinished");
    if (c.req.header("HX-Request") !== "true") {
      return c.redirect(`${lensRecordingsHref(lens.id)}#recordings`, 303);
    }
    const rows = await listParts(deps.db, "lens", lens.id);
    return c.html(
      <RecordingList
        t={c.get("t")}
        sessionId={lens.id}
        rows={rows}
        deleting={{ csrf: c.get("csrf") }}
        lens
      />,
    );
  });
