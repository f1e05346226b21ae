/**
 * The agent operations of the file manager (issue 16; docs/agent_ops.md, docs/files_api.md).
 * Paths are the agent's own (absolute, in its OS's form): the server never interprets them,
 * the agent resolves and checks every one itself. Names (`name`, `newName`, the parts of a
 * bundle's relative paths) are single components: a separator, `..` or an absolute path in
 * one is refused by the agent. File bytes never travel here: `files.send` / `files.receive`
 * hand the agent a one-time ticket for its own data connection (`/agent/file-data/:ticket`).
 */
import { z } from "zod";
import { defineOp, type OpSpec } from "./op_spec.ts";

/** Longest path the protocol carries (Linux's PATH_MAX; the agent checks its OS's own). */
export const PATH_MAX = 4096;
/** Longest single name (UTF-16 units; the agent checks its OS's byte limit). */
export const NAME_MAX = 1024;
/** Most entries one folder listing returns (then `truncated`). */
export const LIST_MAX = 20_000;
/** Most entries a tree walk or a bundle holds. */
export const TREE_MAX = 100_000;
/** Most paths one delete or one bundle download names. */
export const PATHS_MAX = 10_000;
/** Largest text file `files.readText` returns, and `files.writeText` accepts (bytes). */
export const TEXT_MAX_BYTES = 2 * 1024 * 1024;
/** A transfer's id: chosen by the server, kept by the agent for resuming. */
export const TRANSFER_ID = /^[A-Za-z0-9_-]{16,40}$/;
/** A one-time ticket for the agent's data connection. */
export const TICKET = /^[A-Za-z0-9_-]{32,64}$/;
export const SHA256_HEX = /^[0-9a-f]{64}$/;

const path = z.string().min(1).max(PATH_MAX);
const name = z.string().min(1).max(NAME_MAX);
const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const sha256 = z.string().regex(SHA256_HEX);
const transferId = z.string().regex(TRANSFER_ID);
const ticket = z.string().regex(TICKET);
const text = (max: number) => z.string().max(max);

export const ENTRY_TYPES = ["file", "dir", "link", "other"] as const;
export type EntryType = typeof ENTRY_TYPES[number];

export const EntrySchema = z.strictObject({
  name: text(NAME_MAX),
  /** `link`: a symbolic link (never followed by listing); `other`: device, FIFO, socket. */
  type: z.enum(ENTRY_TYPES),
  /** Bytes (a link's own size for `link`; 0 for folders). */
  size: count,
  /** Last modification, ms since the epoch; null when the OS does not say. */
  mtime: count.nullable(),
  /** Hidden: a leading dot on Linux/macOS, the hidden attribute on Windows. */
  hidden: z.boolean(),
  /** For `link`: where it points and what is there (`missing`: dangling, `loop`: a cycle). */
  link: z.strictObject({
    target: text(PATH_MAX),
    type: z.enum(["file", "dir", "other", "missing", "loop"]),
  }).nullable(),
  /** Permission bits (0–0o7777); null where the OS has none (Windows). */
  mode: z.number().int().min(0).max(0o7777).nullable(),
  /** The agent's user may change it (write a file, create in a folder). */
  writable: z.boolean(),
});
export type Entry = z.infer<typeof EntrySchema>;

export const PlaceSchema = z.strictObject({
  path: text(PATH_MAX),
  label: text(300),
  kind: z.enum(["root", "drive", "mount", "home", "desktop", "documents", "downloads", "user"]),
});
export type Place = z.infer<typeof PlaceSchema>;

/** One entry of a tree walk: its path relative to the root, always `/`-separated. */
export const TreeEntrySchema = z.strictObject({
  path: text(PATH_MAX),
  type: z.enum(ENTRY_TYPES),
  size: count,
  mtime: count.nullable(),
});
export type TreeEntry = z.infer<typeof TreeEntrySchema>;

export const FailureSchema = z.strictObject({
  path: text(PATH_MAX),
  code: z.string().regex(/^[a-z0-9_]{1,40}$/),
  reason: text(500),
});
export type FileFailure = z.infer<typeof FailureSchema>;

/** A transfer as the agent knows it (files.open / files.send / files.receive / files.commit). */
export const AgentTransferSchema = z.strictObject({
  id: transferId,
  /** The real path (a file) or the target/source folder (a bundle). */
  path: text(PATH_MAX),
  /** File: its size. Bundle download: the sum of the files' sizes; bundle upload: bytes so far. */
  size: count,
  /** File: bytes verified so far (where a resumed upload continues). */
  offset: count,
  /** Bundle: entries in it (download) / entries completed (upload, where a resume starts). */
  entries: count,
  /** Set once the whole file is hashed (download) or committed (upload). */
  sha256: sha256.nullable(),
  done: z.boolean(),
  /** Bundle entries that failed (skipped), at most 1000 listed. */
  failures: z.array(FailureSchema).max(1000),
});
export type AgentTransfer = z.infer<typeof AgentTransferSchema>;

/** Progress of a running data stream. */
export const TransferProgressSchema = z.strictObject({
  /** File: the offset reached; bundle: bytes of file content passed. */
  bytes: count,
  entries: count,
});
export type TransferProgress = z.infer<typeof TransferProgressSchema>;

/** Waits for a data stream (its connection carries progress events meanwhile). */
const STREAM_TIMEOUT_MS = 24 * 60 * 60 * 1000;
/** Hashing or walking a large tree takes longer than a plain question. */
const LONG_TIMEOUT_MS = 10 * 60 * 1000;

export const FILE_OPS = [
  defineOp({
    kind: "files.roots",
    capability: "files",
    params: {},
    result: z.strictObject({
      separator: z.enum(["/", "\\"]),
      /** Drives / the root and mount points. */
      roots: z.array(PlaceSchema).max(200),
      /** Home, Desktop, Documents, Downloads (those that exist). */
      common: z.array(PlaceSchema).max(10),
      /** Other users' home folders the agent can read ("show folders for all users"). */
      users: z.array(PlaceSchema).max(500),
    }),
  }),
  defineOp({
    kind: "files.list",
    capability: "files",
    params: { path, hidden: z.boolean() },
    result: z.strictObject({
      path: text(PATH_MAX),
      parent: text(PATH_MAX).nullable(),
      entries: z.array(EntrySchema).max(LIST_MAX),
      truncated: z.boolean(),
    }),
  }),
  defineOp({
    kind: "files.stat",
    capability: "files",
    params: { path },
    result: z.strictObject({ path: text(PATH_MAX), entry: EntrySchema }),
  }),
  defineOp({
    kind: "files.tree",
    capability: "files",
    params: { path, hidden: z.boolean(), max: z.number().int().min(1).max(TREE_MAX) },
    result: z.strictObject({
      path: text(PATH_MAX),
      entries: z.array(TreeEntrySchema).max(TREE_MAX),
      truncated: z.boolean(),
    }),
    timeoutMs: LONG_TIMEOUT_MS,
  }),
  defineOp({
    kind: "files.mkdir",
    capability: "files",
    params: { folder: path, name },
    result: z.strictObject({ path: text(PATH_MAX), entry: EntrySchema }),
  }),
  defineOp({
    kind: "files.rename",
    capability: "files",
    params: { path, newName: name },
    result: z.strictObject({ path: text(PATH_MAX), entry: EntrySchema }),
  }),
  defineOp({
    kind: "files.delete",
    capability: "files",
    params: {
      paths: z.array(path).min(1).max(PATHS_MAX),
      /** Delete for good instead of moving to the trash (also where there is no trash). */
      permanent: z.boolean(),
    },
    result: z.strictObject({
      deleted: z.array(z.strictObject({ path: text(PATH_MAX), trashed: z.boolean() })).max(
        PATHS_MAX,
      ),
      failures: z.array(FailureSchema).max(PATHS_MAX),
    }),
    timeoutMs: LONG_TIMEOUT_MS,
  }),
  defineOp({
    kind: "files.readText",
    capability: "files",
    params: { path },
    result: z.strictObject({
      path: text(PATH_MAX),
      text: z.string().max(TEXT_MAX_BYTES),
      size: count,
      mtime: count.nullable(),
      sha256,
    }),
  }),
  defineOp({
    kind: "files.writeText",
    capability: "files",
    params: {
      path,
      text: z.string().max(TEXT_MAX_BYTES),
      /** The SHA-256 the file must still have (it was read with it); null: must not exist. */
      expectSha256: sha256.nullable(),
    },
    result: z.strictObject({ path: text(PATH_MAX), size: count, sha256 }),
  }),
  defineOp({
    kind: "files.hash",
    capability: "files",
    params: { path },
    result: z.strictObject({ path: text(PATH_MAX), size: count, sha256 }),
    event: TransferProgressSchema,
    timeoutMs: LONG_TIMEOUT_MS,
  }),
  defineOp({
    kind: "files.open",
    capability: "files",
    params: {
      id: transferId,
      direction: z.enum(["download", "upload"]),
      mode: z.enum(["file", "bundle"]),
      /** Download file: the file. Upload file/bundle: the target folder. */
      path,
      /** Download bundle: the names in `path` to send (folders go whole). */
      names: z.array(name).max(PATHS_MAX),
      /** Upload file: the new file's name in `path`. */
      name: name.nullable(),
      /** Upload file: its size in bytes. */
      size: count.nullable(),
      /** Upload: the file's modification time to keep (ms), when known. */
      mtime: count.nullable(),
      /** Upload file: the expected SHA-256 (commit on the last byte), when known. */
      sha256: sha256.nullable(),
      /** Upload: replace an existing file of that name. */
      overwrite: z.boolean(),
      /** Download bundle: include hidden entries of folders. */
      hidden: z.boolean(),
    },
    result: AgentTransferSchema,
    timeoutMs: LONG_TIMEOUT_MS,
  }),
  defineOp({
    kind: "files.send",
    capability: "files",
    params: {
      id: transferId,
      ticket,
      /** File: the byte to start at. Bundle: the entry to start at. */
      from: count,
    },
    result: AgentTransferSchema,
    event: TransferProgressSchema,
    timeoutMs: STREAM_TIMEOUT_MS,
  }),
  defineOp({
    kind: "files.receive",
    capability: "files",
    params: { id: transferId, ticket, from: count },
    result: AgentTransferSchema,
    event: TransferProgressSchema,
    timeoutMs: STREAM_TIMEOUT_MS,
  }),
  defineOp({
    kind: "files.commit",
    capability: "files",
    params: { id: transferId, sha256 },
    result: AgentTransferSchema,
    timeoutMs: LONG_TIMEOUT_MS,
  }),
  defineOp({
    kind: "files.cancel",
    capability: "files",
    params: { id: transferId },
    result: z.strictObject({ id: transferId, removed: z.boolean() }),
  }),
] as const;

// Checked apart: `satisfies` on the tuple widens the kinds to string.
const _specs: readonly OpSpec[] = FILE_OPS;
