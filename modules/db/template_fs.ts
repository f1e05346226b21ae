import { MemoryFS, PGlite, type PGliteOptions } from "@electric-sql/pglite";

/** One entry of a data directory's tar: where its bytes lie in the tar. */
export interface TarEntry {
  /** Inside the data directory, from "/" ("/base/5/1259"). */
  path: string;
  dir: boolean;
  start: number;
  size: number;
}

/**
 * The entries of a plain ustar archive — what PGlite's `dumpDataDir("none")` writes: 512-byte
 * headers, each file's bytes after its header, padded to 512. Undefined for anything else
 * (compressed, long names in pax or GNU headers, links): PGlite's own loader reads those.
 */
export function tarEntries(tar: Uint8Array): TarEntry[] | undefined {
  const entries: TarEntry[] = [];
  const text = (from: number, length: number) => {
    const field = tar.subarray(from, from + length);
    const end = field.indexOf(0);
    return new TextDecoder().decode(end < 0 ? field : field.subarray(0, end));
  };
  let at = 0;
  while (at + 512 <= tar.length) {
    if (tar.subarray(at, at + 512).every((byte) => byte === 0)) return entries;
    if (text(at + 257, 5) !== "ustar") return undefined;
    const size = parseInt(text(at + 124, 12).trim() || "0", 8);
    const type = String.fromCharCode(tar[at + 156]);
    const prefix = text(at + 345, 155);
    const name = prefix ? `${prefix}/${text(at, 100)}` : text(at, 100);
    if (!Number.isFinite(size) || size < 0) return undefined;
    const start = at + 512;
    if (start + size > tar.length) return undefined;
    if (type === "5") entries.push({ path: absolute(name), dir: true, start, size: 0 });
    else if (type === "0" || type === "\0") {
      entries.push({ path: absolute(name), dir: false, start, size });
    } else return undefined;
    at = start + Math.ceil(size / 512) * 512;
  }
  return undefined;
}

function absolute(name: string): string {
  const trimmed = name.replace(/\/+$/, "");
  return trimmed.startsWith("/") ? trimmed : `/${trimmed}`;
}

/**
 * An in-memory filesystem that starts with a data directory already in it: a copy of `tar`'s
 * bytes (one copy, not one per file), each file's contents a view into it that PGlite's
 * MEMFS owns. PGlite then finds a database and starts it, as it does on a data directory of
 * its own; given the same tar as `loadDataDir` it would read the archive file by file, copying
 * each (half a second of a test file's first database on this machine, for a 42 MB
 * template). The copy is per database: PostgreSQL writes into its files in place, and no two
 * databases may share a page.
 */
export function templateFs(tar: Uint8Array, entries: TarEntry[]): NonNullable<PGliteOptions["fs"]> {
  return new TemplateFs(tar, entries);
}

class TemplateFs extends MemoryFS {
  #tar: Uint8Array;
  #entries: TarEntry[];

  constructor(tar: Uint8Array, entries: TarEntry[]) {
    super();
    this.#tar = tar;
    this.#entries = entries;
  }

  // deno-lint-ignore no-explicit-any
  override async init(pg: PGlite, options: any) {
    const { emscriptenOpts } = await super.init(pg, options);
    const own = this.#tar.slice();
    const entries = this.#entries;
    const root = PGlite.paths.PGDATA;
    const fill = (mod: { FS: EmscriptenFs }) => {
      mod.FS.mkdirTree(root);
      for (const entry of entries) {
        const path = root + entry.path;
        if (entry.dir) mod.FS.mkdirTree(path);
        else {
          mod.FS.mkdirTree(path.slice(0, path.lastIndexOf("/")));
          mod.FS.writeFile(path, own.subarray(entry.start, entry.start + entry.size), {
            canOwn: true,
          });
        }
      }
    };
    return {
      emscriptenOpts: { ...emscriptenOpts, preRun: [...(emscriptenOpts.preRun ?? []), fill] },
    };
  }
}

interface EmscriptenFs {
  mkdirTree(path: string): void;
  writeFile(path: string, data: Uint8Array, options: { canOwn: boolean }): void;
}
