/**
 * Files sent during sessions, kept out of the database: a content-addressed `FileStore`
 * (`DiskFileStore` under DATA_DIR/files, which every instance must share when several run
 * against one PostgreSQL) that streams bytes to disk with MD5 and SHA-256 computed on the
 * way and a hard size cap, a streaming reader for plain multipart upload forms, and the
 * helpers that keep user-given names from ever becoming a path or breaking a header.
 */
import { join } from "node:path";
import { DiskFileStore, type FileStore } from "./store.ts";

/** Whether a folder an admin names (a group's recording folder) can take files: why not. */
export { type FolderProblem, prepareFolder } from "./folders.ts";

export {
  /** Content-addressed storage on the local disk (see `FileStore`). */
  DiskFileStore,
  /** The store's interface: `put` a stream under a size cap, `open` by SHA-256. */
  type FileStore,
  /** Thrown by `put` when the body passes `maxBytes`; nothing of it is kept. */
  FileTooLarge,
  /** A stored file opened for reading: size and byte stream. */
  type OpenedContent,
  /** Size, MD5 and SHA-256 of stored content. */
  type StoredContent,
} from "./store.ts";
export {
  /** The boundary of a multipart/form-data Content-Type (undefined for other types). */
  multipartBoundary,
  /** A `MultipartUpload`: text fields before the file, and the file part as a stream. */
  type MultipartUpload,
  /** A leading form field (`_csrf`) from the first bytes, and a body that replays them. */
  peekFirstField,
  /** Streams a multipart form: the fields before the file, then the file part unread. */
  readMultipart,
} from "./multipart.ts";
export {
  /** A Content-Disposition value that is safe whatever the file name holds. */
  attachmentDisposition,
  /** A user-given file name cleaned for storing and showing (never used as a path). */
  safeFileName,
} from "./names.ts";

/** The production store: `DATA_DIR/files`. */
export function fileStoreIn(dataDir: string): FileStore {
  return new DiskFileStore(join(dataDir, "files"));
}
