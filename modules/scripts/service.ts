/**
 * Script libraries (SPEC R10): a technician's own scripts and the organisation's nested
 * scripts, one table told apart by `ownerId` (null: nested). Files go to the file store
 * first (content-addressed: a file stored for a change that is then refused costs nothing
 * but disk and is shared by identical content); the row with their hashes is written in one
 * transaction with its audit entry.
 */
import { and, asc, count, eq, isNull, max } from "drizzle-orm";
import { type ChangeContext, recordChange } from "../audit/mod.ts";
import type { Database } from "../db/mod.ts";
import type { AppDeps } from "../http/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import {
  type GivenFile,
  MAX_FAVOURITES,
  MAX_SCRIPTS,
  RESOURCE_MAX_BYTES,
  SCRIPT_MAX_BYTES,
  type ScriptSettings,
} from "./input.ts";
import { scripts } from "./schema.ts";

export type Script = typeof scripts.$inferSelect;

/** Whose library: a technician's (`ownerId`) or the organisation's nested scripts (null). */
export interface Library {
  orgId: string;
  ownerId: string | null;
}

/** A script with its files, ready to store or to send. */
export interface ScriptContent {
  settings: ScriptSettings;
  script: GivenFile;
  resource: GivenFile | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function _mine(library: Library) {
  return and(
    eq(scripts.orgId, library.orgId),
    library.ownerId === null ? isNull(scripts.ownerId) : eq(scripts.ownerId, library.ownerId),
  );
}

/** A library's scripts in their order. */
export async function listScripts(db: Database, library: Library): Promise<Script[]> {
  return await db.select().from(scripts).where(_mine(library))
    .orderBy(asc(scripts.position), asc(scripts.createdAt));
}

/** One script of the library, or undefined (also for another library's and non-UUIDs). */
export async function getScript(db: Database, library: Library, id: string) {
  if (!UUID.test(id)) return undefined;
  const [row] = await db.select().from(scripts).where(and(_mine(library), eq(scripts.id, id)));
  return row;
}

async function _own(db: Database, library: Library, id: string): Promise<Script> {
  const row = await getScript(db, library, id);
  if (!row) throw new Refusal(404, "scripts.notFound");
  return row;
}

async function _put(deps: AppDeps, bytes: Uint8Array, maxBytes: number) {
  return await deps.files.put(new Blob([bytes as BlobPart]).stream(), { maxBytes });
}

async function _storeFiles(deps: AppDeps, script: GivenFile | null, resource: GivenFile | null) {
  const stored: Partial<typeof scripts.$inferInsert> = {};
  if (script) {
    const put = await _put(deps, script.bytes, SCRIPT_MAX_BYTES);
    Object.assign(stored, {
      fileName: script.name,
      scriptSha256: put.sha256,
      scriptSize: put.size,
    });
  }
  if (resource) {
    const put = await _put(deps, resource.bytes, RESOURCE_MAX_BYTES);
    Object.assign(stored, {
      resourceName: resource.name,
      resourceSha256: put.sha256,
      resourceSize: put.size,
    });
  }
  return stored;
}

/** Locks the library's rows (so counts hold until commit) and counts them and favourites. */
async function _counts(tx: Database, library: Library) {
  await tx.select({ id: scripts.id }).from(scripts).where(_mine(library)).for("update");
  const [row] = await tx.select({ n: count() }).from(scripts).where(_mine(library));
  const [fav] = await tx.select({ n: count() }).from(scripts)
    .where(and(_mine(library), eq(scripts.favourite, true)));
  return { scripts: row.n, favourites: fav.n };
}

function _favouritesFull(): never {
  throw new Refusal(409, "scripts.favouritesFull", { params: { max: MAX_FAVOURITES } });
}

/** Adds a script at the end of the library. */
export async function createScript(
  deps: AppDeps,
  library: Library,
  content: ScriptContent,
  ctx: ChangeContext,
): Promise<Script> {
  const files = await _storeFiles(deps, content.script, content.resource);
  return await deps.db.transaction(async (tx) => {
    const counts = await _counts(tx, library);
    if (counts.scripts >= MAX_SCRIPTS) {
      throw new Refusal(409, "scripts.limitReached", { params: { max: MAX_SCRIPTS } });
    }
    if (content.settings.favourite && counts.favourites >= MAX_FAVOURITES) _favouritesFull();
    const [last] = await tx.select({ p: max(scripts.position) }).from(scripts)
      .where(_mine(library));
    const [row] = await tx.insert(scripts).values({
      orgId: library.orgId,
      ownerId: library.ownerId,
      ...content.settings,
      ...(files as Required<Pick<Script, "fileName" | "scriptSha256" | "scriptSize">>),
      position: (last?.p ?? -1) + 1,
      createdAt: ctx.now,
      updatedAt: ctx.now,
    }).returning();
    await recordChange(tx, ctx, "script.created", row.id, _auditOf(row));
    return row;
  });
}

/**
 * Changes a script's settings and, when given, its script or resource file; `dropResource`
 * removes the resource file.
 */
export async function updateScript(
  deps: AppDeps,
  library: Library,
  id: string,
  change: {
    settings: ScriptSettings;
    script: GivenFile | null;
    resource: GivenFile | null;
    dropResource: boolean;
  },
  ctx: ChangeContext,
): Promise<Script> {
  const files = await _storeFiles(deps, change.script, change.resource);
  return await deps.db.transaction(async (tx) => {
    const counts = await _counts(tx, library);
    const before = await _own(tx, library, id);
    if (change.settings.favourite && !before.favourite && counts.favourites >= MAX_FAVOURITES) {
      _favouritesFull();
    }
    const drop = change.dropResource && !change.resource
      ? { resourceName: null, resourceSha256: null, resourceSize: null }
      : {};
    const [row] = await tx.update(scripts)
      .set({ ...change.settings, ...files, ...drop, updatedAt: ctx.now })
      .where(and(_mine(library), eq(scripts.id, id))).returning();
    await recordChange(tx, ctx, "script.updated", row.id, _auditOf(row));
    return row;
  });
}

/** Marks or unmarks a favourite (at most MAX_FAVOURITES per library). */
export async function setFavourite(
  db: Database,
  library: Library,
  id: string,
  favourite: boolean,
  ctx: ChangeContext,
): Promise<Script> {
  return await db.transaction(async (tx) => {
    const counts = await _counts(tx, library);
    const before = await _own(tx, library, id);
    if (favourite && !before.favourite && counts.favourites >= MAX_FAVOURITES) _favouritesFull();
    const [row] = await tx.update(scripts).set({ favourite, updatedAt: ctx.now })
      .where(eq(scripts.id, before.id)).returning();
    return row;
  });
}

export async function deleteScript(
  db: Database,
  library: Library,
  id: string,
  ctx: ChangeContext,
): Promise<Script> {
  return await db.transaction(async (tx) => {
    const before = await _own(tx, library, id);
    await tx.delete(scripts).where(eq(scripts.id, before.id));
    await recordChange(tx, ctx, "script.deleted", before.id, _auditOf(before));
    return before;
  });
}

/** Moves a script one place up or down (renumbering 0, 1, 2 …). */
export async function moveScript(
  db: Database,
  library: Library,
  id: string,
  direction: "up" | "down",
): Promise<Script> {
  return await db.transaction(async (tx) => {
    await _counts(tx, library);
    const script = await _own(tx, library, id);
    const order = (await listScripts(tx, library)).map((s) => s.id);
    const from = order.indexOf(id);
    const to = direction === "up" ? from - 1 : from + 1;
    if (to < 0 || to >= order.length) return script;
    [order[from], order[to]] = [order[to], order[from]];
    for (const [position, scriptId] of order.entries()) {
      await tx.update(scripts).set({ position }).where(eq(scripts.id, scriptId));
    }
    return script;
  });
}

export type ImportResult =
  | { ok: true; added: number; removed: number }
  | { ok: false; reason: "tooMany" | "favourites"; existing: number };

/** Adds the file's scripts after the library's, or replaces them all; all or nothing. */
export async function importScripts(
  deps: AppDeps,
  library: Library,
  items: readonly ScriptContent[],
  mode: "add" | "replace",
  ctx: ChangeContext,
): Promise<ImportResult> {
  const stored: Awaited<ReturnType<typeof _storeFiles>>[] = [];
  for (const item of items) stored.push(await _storeFiles(deps, item.script, item.resource));
  return await deps.db.transaction(async (tx) => {
    const counts = await _counts(tx, library);
    const keep = mode === "add" ? counts : { scripts: 0, favourites: 0 };
    if (keep.scripts + items.length > MAX_SCRIPTS) {
      return { ok: false as const, reason: "tooMany" as const, existing: counts.scripts };
    }
    const favourites = items.filter((i) => i.settings.favourite).length;
    if (keep.favourites + favourites > MAX_FAVOURITES) {
      return { ok: false as const, reason: "favourites" as const, existing: counts.favourites };
    }
    let removed = 0;
    if (mode === "replace") {
      removed = (await tx.delete(scripts).where(_mine(library)).returning({ id: scripts.id }))
        .length;
    }
    const [last] = await tx.select({ p: max(scripts.position) }).from(scripts)
      .where(_mine(library));
    let position = (last?.p ?? -1) + 1;
    for (const [index, item] of items.entries()) {
      await tx.insert(scripts).values({
        orgId: library.orgId,
        ownerId: library.ownerId,
        ...item.settings,
        ...(stored[index] as Required<Pick<Script, "fileName" | "scriptSha256" | "scriptSize">>),
        position: position++,
        createdAt: ctx.now,
        updatedAt: ctx.now,
      });
    }
    await recordChange(tx, ctx, "scripts.imported", library.ownerId ?? library.orgId, {
      nested: library.ownerId === null,
      added: items.length,
      removed,
      mode,
    });
    return { ok: true as const, added: items.length, removed };
  });
}

/** The script's text and its resource file's bytes from the file store. */
export async function loadContent(
  deps: AppDeps,
  row: Script,
): Promise<{ script: string; resource: Uint8Array | null }> {
  const script = new TextDecoder().decode(await _read(deps, row.scriptSha256));
  const resource = row.resourceSha256 ? await _read(deps, row.resourceSha256) : null;
  return { script, resource };
}

async function _read(deps: AppDeps, sha256: string): Promise<Uint8Array> {
  const opened = await deps.files.open(sha256);
  if (!opened) throw new Refusal(409, "scripts.contentMissing");
  return new Uint8Array(await new Response(opened.body).arrayBuffer());
}

function _auditOf(row: Script) {
  return {
    name: row.name,
    nested: row.ownerId === null,
    fileName: row.fileName,
    scriptSha256: row.scriptSha256,
    resourceName: row.resourceName,
    resourceSha256: row.resourceSha256,
    targetOs: row.targetOs,
    runAtStart: row.runAtStart,
    timeoutSeconds: row.timeoutSeconds,
  };
}
