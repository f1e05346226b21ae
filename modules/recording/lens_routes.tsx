/**
 * A Lens session's recordings (`/console/recordings/lens/:lensId`): its parts, each played in
 * the page and downloadable (`…/:recordingId`, HTTP ranges for the player's seeks, audited once
 * per taking), and an admin's Delete (`…/:recordingId/delete`, asked first, audited). Who may
 * read the Lens session's record may see them (lens's `readableLens`: the technician who ran
 * it, its group's technicians with `seeOtherTechnicians`, the admins of its group, the master
 * admin); anyone else gets "not found". As a session's parts on its record page (modules/history).
 */
import { Hono } from "hono";
import { type AppEnv, requireUser } from "../http/mod.ts";
import { readableLens } from "../lens/mod.ts";
import { mayDeleteRecordings, partDeleteAnswer, partFileAnswer } from "./part_routes.tsx";
import { listParts } from "./parts.ts";
import { lensRecordingsHref, LensRecordingsPage } from "./views.tsx";

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
        deleting={mayDeleteRecordings(c.get("user")) ? { csrf: c.get("csrf") } : undefined}
      />,
    );
  })
  .get("/console/recordings/lens/:lensId/:recordingId", async (c) => {
    const user = c.get("user")!;
    const lens = await readableLens(c.get("deps"), user, c.req.param("lensId"));
    return await partFileAnswer(c, { ...lens, kind: "lens" }, user, c.req.param("recordingId"));
  })
  .post("/console/recordings/lens/:lensId/:recordingId/delete", async (c) => {
    const user = c.get("user")!;
    const lens = await readableLens(c.get("deps"), user, c.req.param("lensId"));
    return await partDeleteAnswer(
      c,
      { ...lens, kind: "lens" },
      user,
      c.req.param("recordingId"),
      lensRecordingsHref(lens.id),
    );
  });
