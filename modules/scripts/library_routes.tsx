import { type Context, Hono } from "hono";
import {
  type AppEnv,
  type AuthedEnv,
  changeContext,
  requirePermission,
  requireRole,
} from "../http/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import {
  checkFiles,
  checkSettings,
  type GivenFile,
  MAX_FAVOURITES,
  MAX_SCRIPTS,
  type ScriptProblem,
} from "./input.ts";
import {
  createScript,
  deleteScript,
  getScript,
  importScripts,
  type Library,
  listScripts,
  loadContent,
  moveScript,
  setFavourite,
  updateScript,
} from "./service.ts";
import { importProblemText, libraryBase, LibraryPage, problemText } from "./library_views.tsx";
import { exportScriptsXml, MAX_SCRIPTS_XML_BYTES, parseScriptsXml } from "./xml.ts";

type C = Context<AuthedEnv>;

const DONE = ["added", "saved", "deleted", "moved", "favourite"] as const;
type Done = typeof DONE[number];

/**
 * A script library's routes: the technician's own at `/console/scripts` (needs
 * `scriptsDeploy`), the organisation's nested scripts at `/admin/scripts` (admins).
 */
export function libraryRoutes(nested: boolean) {
  const base = libraryBase(nested);
  const library = (c: C): Library => {
    const user = c.get("user");
    return { orgId: user.orgId, ownerId: nested ? null : user.id };
  };
  const page = async (c: C, extra: Partial<Parameters<typeof LibraryPage>[0]>, status = 200) => {
    const items = await listScripts(c.get("deps").db, library(c));
    return c.html(<LibraryPage c={c} nested={nested} items={items} {...extra} />, status as 200);
  };
  const done = (c: C, what: Done) => c.redirect(`${base}?done=${what}`, 303);
  return new Hono<AppEnv>()
    .use("*", nested ? requireRole("master_admin", "admin") : requirePermission("scriptsDeploy"))
    .get("/", async (c) => {
      const editId = c.req.query("edit");
      const editing = editId ? await getScript(c.get("deps").db, library(c), editId) : undefined;
      if (editId && !editing) throw new Refusal(404, "scripts.notFound");
      const what = c.req.query("done");
      const t = c.get("t");
      let flash: { kind: "info"; message: string } | undefined;
      if ((DONE as readonly string[]).includes(what ?? "")) {
        flash = { kind: "info", message: t(`scripts.done.${what as Done}`) };
      } else if (c.req.query("imported") !== undefined) {
        const added = Number(c.req.query("imported")) || 0;
        const removed = Number(c.req.query("removed")) || 0;
        flash = { kind: "info", message: t("scripts.imported", { added, removed }) };
      }
      return await page(c, { editing, flash });
    })
    .post("/", async (c) => {
      const form = await _multipart(c);
      const settings = checkSettings(_settingsDraft(form));
      const script = await _file(form.script);
      const resource = await _file(form.resource);
      const problems: ScriptProblem[] = [
        ...(settings.ok ? [] : settings.problems),
        ...checkFiles(script, resource, { scriptRequired: true }),
      ];
      if (!settings.ok || problems.length > 0) return await page(c, { problems }, 422);
      await createScript(c.get("deps"), library(c), {
        settings: settings.settings,
        script: script!,
        resource: resource ?? null,
      }, changeContext(c));
      return done(c, "added");
    })
    .get("/export", async (c) => {
      const deps = c.get("deps");
      const items = [];
      for (const row of await listScripts(deps.db, library(c))) {
        const content = await loadContent(deps, row);
        items.push({
          settings: row,
          script: { name: row.fileName, bytes: new TextEncoder().encode(content.script) },
          resource: content.resource && row.resourceName
            ? { name: row.resourceName, bytes: content.resource }
            : null,
        });
      }
      return c.body(exportScriptsXml(items), 200, {
        "content-type": "application/xml; charset=utf-8",
        "content-disposition": 'attachment; filename="scripts.xml"',
        "cache-control": "no-store",
      });
    })
    .post("/import", async (c) => {
      const form = await _multipart(c);
      const t = c.get("t");
      const mode = form.mode;
      if (mode !== "add" && mode !== "replace") throw new Refusal(400, "errors.badForm");
      const file = form.file;
      const refused = (message: string) => page(c, { importProblem: message }, 422);
      if (!(file instanceof File) || (file.size === 0 && file.name === "")) {
        return await refused(
          `${t("scripts.importProblem.noFile")} ${t("scripts.importProblem.nothingImported")}`,
        );
      }
      const parsed = file.size > MAX_SCRIPTS_XML_BYTES
        ? { ok: false as const, problem: { code: "tooLarge" as const, params: {} } }
        : parseScriptsXml(new Uint8Array(await file.arrayBuffer()));
      if (!parsed.ok) return await refused(importProblemText(t, parsed.problem));
      const result = await importScripts(
        c.get("deps"),
        library(c),
        parsed.items,
        mode,
        changeContext(c),
      );
      if (!result.ok) {
        const message = result.reason === "tooMany"
          ? t("scripts.importProblem.wouldExceed", {
            count: result.existing,
            n: parsed.items.length,
            max: MAX_SCRIPTS,
          })
          : t("scripts.importProblem.favourites", { max: MAX_FAVOURITES });
        return await refused(`${message} ${t("scripts.importProblem.nothingImported")}`);
      }
      return c.redirect(`${base}?imported=${result.added}&removed=${result.removed}`, 303);
    })
    .post("/:id", async (c) => {
      const deps = c.get("deps");
      const before = await getScript(deps.db, library(c), c.req.param("id"));
      if (!before) throw new Refusal(404, "scripts.notFound");
      const form = await _multipart(c);
      const settings = checkSettings(_settingsDraft(form));
      const script = await _file(form.script);
      const resource = await _file(form.resource);
      const problems: ScriptProblem[] = [
        ...(settings.ok ? [] : settings.problems),
        ...checkFiles(script, resource, { scriptRequired: false }),
      ];
      if (resource && !script && resource.name === before.fileName) {
        problems.push({ field: "resource", code: "resourceSameName" });
      }
      if (!settings.ok || problems.length > 0) {
        return await page(c, { editing: before, problems }, 422);
      }
      await updateScript(deps, library(c), before.id, {
        settings: settings.settings,
        script: script ?? null,
        resource: resource ?? null,
        dropResource: form.dropResource === "1",
      }, changeContext(c));
      return done(c, "saved");
    })
    .post("/:id/delete", async (c) => {
      await deleteScript(c.get("deps").db, library(c), c.req.param("id"), changeContext(c));
      return done(c, "deleted");
    })
    .post("/:id/move", async (c) => {
      const { direction } = await c.req.parseBody();
      if (direction !== "up" && direction !== "down") throw new Refusal(400, "errors.badForm");
      await moveScript(c.get("deps").db, library(c), c.req.param("id"), direction);
      return done(c, "moved");
    })
    .post("/:id/favourite", async (c) => {
      const { favourite } = await c.req.parseBody();
      if (favourite !== "0" && favourite !== "1") throw new Refusal(400, "errors.badForm");
      await setFavourite(
        c.get("deps").db,
        library(c),
        c.req.param("id"),
        favourite === "1",
        changeContext(c),
      );
      return done(c, "favourite");
    });
}

/** For messages elsewhere (the API later): a problem in the page's words. */
export { problemText };

async function _multipart(c: C): Promise<Record<string, string | File>> {
  try {
    return await c.req.parseBody() as Record<string, string | File>;
  } catch {
    throw new Refusal(400, "errors.badForm");
  }
}

function _settingsDraft(form: Record<string, string | File>) {
  const text = (value: unknown) => typeof value === "string" ? value : "";
  return {
    name: text(form.name),
    targetOs: text(form.targetOs),
    timeoutSeconds: text(form.timeoutSeconds),
    runAtStart: form.runAtStart === "1",
    favourite: form.favourite === "1",
  };
}

/** An uploaded file, or undefined when the field was left empty. */
async function _file(value: unknown): Promise<GivenFile | undefined> {
  if (!(value instanceof File) || (value.size === 0 && value.name === "")) return undefined;
  return { name: value.name, bytes: new Uint8Array(await value.arrayBuffer()) };
}
