/**
 * The customer's side: the file manager's HTTP API (docs/files_api.md) under
 * `/console/sessions/:id/file-manager/` (or the same under `/x` for an external technician). Every answer that is not 2xx becomes an `ApiError` with
 * the server's code and its reason in the technician's language.
 */
import type { Entry as WireEntry, Place, TreeEntry } from "../../protocol/files.ts";
import type { Entry } from "./entries.ts";
import { sendOverSocket } from "./upload_socket.ts";

/** A transfer as the server reports it (docs/files_api.md, "Transfers"). */
export interface Transfer {
  id: string;
  direction: "download" | "upload";
  mode: "file" | "bundle";
  path: string;
  size: number;
  bytes: number;
  offset: number;
  entries: number;
  state: "open" | "running" | "waiting" | "done" | "failed" | "cancelled";
  sha256: string | null;
  failures: { path: string; code: string; reason: string }[];
  error: { code: string; reason: string } | null;
  rate: number;
}

export interface Roots {
  separator: "/" | "\\";
  roots: Place[];
  common: Place[];
  users: Place[];
}

export interface Listing {
  path: string;
  parent: string | null;
  entries: Entry[];
  truncated: boolean;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    reason: string,
    readonly body: unknown,
  ) {
    super(reason);
  }
}

export function toEntry(wire: WireEntry): Entry {
  // A link shows as what it points at (a folder link opens like a folder).
  const kind = wire.type === "link"
    ? (wire.link?.type === "dir" ? "dir" : wire.link?.type === "file" ? "file" : "link")
    : wire.type;
  return { name: wire.name, kind, size: wire.size, mtime: wire.mtime ?? 0, hidden: wire.hidden };
}

export class RemoteApi {
  /** The API's address (`FileManagerMount.files`: a guest's is under `/x`). */
  constructor(
    readonly base: string,
    private readonly csrf: string,
    readonly fallback: string,
  ) {}

  async #call<T>(
    method: "GET" | "POST",
    path: string,
    body?: unknown,
    signal?: AbortSignal,
  ): Promise<T> {
    const headers: Record<string, string> = { accept: "application/json" };
    if (method === "POST") headers["x-csrf-token"] = this.csrf;
    const raw = body instanceof Blob;
    if (body !== undefined) {
      headers["content-type"] = raw ? "application/octet-stream" : "application/json";
    }
    let response: Response;
    try {
      response = await fetch(`${this.base}/${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : raw ? body : JSON.stringify(body),
        signal,
        credentials: "same-origin",
      });
    } catch (error) {
      if (signal?.aborted) throw error;
      throw new ApiError(0, "network", this.fallback, null);
    }
    if (response.ok) return await response.json() as T;
    const problem = await response.json().catch(() => null) as
      | { error?: string; reason?: string }
      | null;
    throw new ApiError(
      response.status,
      problem?.error ?? "http",
      problem?.reason ?? `${this.fallback} (${response.status})`,
      problem,
    );
  }

  roots(): Promise<Roots> {
    return this.#call("GET", "roots");
  }

  async list(path: string, hidden: boolean): Promise<Listing> {
    const got = await this.#call<Omit<Listing, "entries"> & { entries: WireEntry[] }>(
      "GET",
      `list?path=${encodeURIComponent(path)}&hidden=${hidden ? 1 : 0}`,
    );
    return { ...got, entries: got.entries.map(toEntry) };
  }

  tree(path: string, hidden: boolean): Promise<{ entries: TreeEntry[]; truncated: boolean }> {
    return this.#call(
      "GET",
      `tree?path=${encodeURIComponent(path)}&hidden=${hidden ? 1 : 0}&max=100000`,
    );
  }

  mkdir(folder: string, name: string): Promise<{ path: string }> {
    return this.#call("POST", "mkdir", { folder, name });
  }

  rename(path: string, newName: string): Promise<{ path: string }> {
    return this.#call("POST", "rename", { path, newName });
  }

  remove(paths: string[], permanent: boolean): Promise<{
    deleted: { path: string; trashed: boolean }[];
    failures: { path: string; code: string; reason: string }[];
  }> {
    return this.#call("POST", "delete", { paths, permanent });
  }

  readText(path: string): Promise<{ path: string; text: string; size: number; sha256: string }> {
    return this.#call("GET", `text?path=${encodeURIComponent(path)}`);
  }

  writeText(path: string, text: string, expectSha256: string | null): Promise<{ sha256: string }> {
    return this.#call("POST", "text", { path, text, expectSha256 });
  }

  hash(path: string, signal?: AbortSignal): Promise<{ size: number; sha256: string }> {
    return this.#call("GET", `hash?path=${encodeURIComponent(path)}`, undefined, signal);
  }

  openDownload(path: string): Promise<Transfer> {
    return this.#call("POST", "downloads", { path });
  }

  openBundleDownload(folder: string, names: string[], hidden: boolean): Promise<Transfer> {
    return this.#call("POST", "downloads", { folder, names, hidden });
  }

  openBundleUpload(folder: string, id?: string): Promise<Transfer> {
    return this.#call("POST", "uploads", { folder, bundle: true, overwrite: true, id });
  }

  openUpload(
    file: {
      folder: string;
      name: string;
      size: number;
      mtime: number;
      sha256: string;
      id?: string;
    },
    signal?: AbortSignal,
  ): Promise<Transfer> {
    return this.#call("POST", "uploads", { ...file, overwrite: true }, signal);
  }

  transfer(id: string, wait: boolean, signal?: AbortSignal): Promise<Transfer> {
    return this.#call("GET", `transfers/${id}${wait ? "?wait=1" : ""}`, undefined, signal);
  }

  cancel(id: string): Promise<Transfer> {
    return this.#call("POST", `transfers/${id}/cancel`);
  }

  /** The download's bytes from byte `from` (a stream; the caller reads it). */
  async downloadData(
    id: string,
    from: number,
    signal: AbortSignal,
  ): Promise<ReadableStream<Uint8Array<ArrayBuffer>>> {
    const response = await fetch(`${this.base}/transfers/${id}/data?from=${from}`, { signal });
    if (!response.ok || !response.body) {
      const problem = await response.json().catch(() => null) as
        | { error?: string; reason?: string }
        | null;
      throw new ApiError(
        response.status,
        problem?.error ?? "http",
        problem?.reason ?? this.fallback,
        problem,
      );
    }
    return response.body;
  }

  /**
   * Sends an upload's bytes from `from` over the data socket (upload_socket.ts; a POST where
   * there is no WebSocket); answers the transfer once the agent has them.
   */
  async uploadData(id: string, from: number, body: Blob, signal: AbortSignal): Promise<Transfer> {
    if (typeof WebSocket === "undefined") {
      return this.#call("POST", `transfers/${id}/data?from=${from}`, body, signal);
    }
    const answer = await sendOverSocket(
      `${this.base}/transfers/${id}/socket?from=${from}`,
      body,
      signal,
    );
    if (answer === "unopened") {
      return this.#call("POST", `transfers/${id}/data?from=${from}`, body, signal);
    }
    if (!answer) throw new ApiError(0, "network", this.fallback, null);
    if (answer.status === 200) return answer.body as Transfer;
    const problem = answer.body as { error?: string; reason?: string } | null;
    throw new ApiError(
      answer.status,
      problem?.error ?? "http",
      problem?.reason ?? `${this.fallback} (${answer.status})`,
      problem,
    );
  }

  /** Where a plain browser download of a transfer's data is (the "Download" fallback). */
  dataUrl(id: string): string {
    return `${this.base}/transfers/${id}/data?from=0`;
  }

  eventsUrl(): string {
    return `${this.base}/events`;
  }
}
