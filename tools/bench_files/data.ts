/**
 * `bench:files`' data: the large file and the tree of small files (a `node_modules`-like
 * tree), SHA-256 of files, and the bundle stream (protocol/files_bundle.ts) read from and
 * written to disk the way the technician's browser side would — every file's hash checked.
 */
import { createHash } from "node:crypto";
import { bundleEnd, bundleEntry, BundleReader, toHex } from "../../protocol/files_bundle.ts";

const MiB = 1024 * 1024;

/** A file of `bytes` (each MiB different, cheap to make). */
export async function makeBig(path: string, bytes: number) {
  const block = crypto.getRandomValues(new Uint8Array(65536));
  const chunk = new Uint8Array(MiB);
  for (let i = 0; i < 16; i++) chunk.set(block, i * 65536);
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  try {
    for (let at = 0; at < bytes; at += MiB) {
      chunk[0] = at / MiB & 0xff;
      chunk[1] = (at / MiB) >> 8;
      const piece = chunk.subarray(0, Math.min(MiB, bytes - at));
      for (let done = 0; done < piece.byteLength;) done += await file.write(piece.subarray(done));
    }
  } finally {
    file.close();
  }
}

/** `count` files of `size` bytes under `root/tree`, 100 to a folder. */
export function makeSmall(root: string, count: number, size: number) {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < count; i++) {
    const dir = `${root}/tree/pkg${String(Math.floor(i / 100)).padStart(3, "0")}`;
    if (i % 100 === 0) Deno.mkdirSync(dir, { recursive: true });
    crypto.getRandomValues(bytes.subarray(0, 64));
    Deno.writeFileSync(`${dir}/file${String(i % 100).padStart(3, "0")}.js`, bytes);
  }
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash("sha256");
  const file = await Deno.open(path);
  try {
    const buffer = new Uint8Array(MiB);
    while (true) {
      const n = file.readSync(buffer);
      if (n === null) break;
      hash.update(buffer.subarray(0, n));
    }
  } finally {
    file.close();
  }
  return hash.digest("hex");
}

/** Writes a stream to `path`, hashing it; returns the bytes and the SHA-256. */
export async function streamToFile(
  stream: ReadableStream<Uint8Array>,
  path: string,
): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash("sha256");
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  let bytes = 0;
  try {
    for await (const chunk of stream) {
      hash.update(chunk);
      // Synchronous writes: an async one waits for the blocking pool per chunk (slow).
      for (let done = 0; done < chunk.byteLength;) done += file.writeSync(chunk.subarray(done));
      bytes += chunk.byteLength;
    }
  } finally {
    file.close();
  }
  return { bytes, sha256: hash.digest("hex") };
}

/** A file read as a stream, hashed as it goes (`done` gives the SHA-256 at the end). */
export function fileStream(path: string): {
  stream: ReadableStream<Uint8Array>;
  done: Promise<string>;
} {
  const hash = createHash("sha256");
  let finish!: (hex: string) => void;
  const done = new Promise<string>((resolve) => finish = resolve);
  let file: Deno.FsFile | null = null;
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      file ??= await Deno.open(path);
      const buffer = new Uint8Array(MiB);
      const n = file.readSync(buffer);
      if (n === null) {
        file.close();
        finish(hash.digest("hex"));
        return controller.close();
      }
      const chunk = buffer.subarray(0, n);
      hash.update(chunk);
      controller.enqueue(chunk);
    },
  }, { highWaterMark: 2 });
  return { stream, done };
}

/** Writes a bundle stream under `dest`, checking every file's hash; counts what it wrote. */
export async function bundleToDisk(
  stream: ReadableStream<Uint8Array>,
  dest: string,
): Promise<{ files: number; bytes: number; bad: number; ended: boolean }> {
  const reader = new BundleReader();
  let file: Deno.FsFile | null = null;
  let hash = createHash("sha256");
  let files = 0;
  let bytes = 0;
  let bad = 0;
  const made = new Set<string>();
  for await (const chunk of stream) {
    for (const event of reader.push(chunk)) {
      if (event.kind === "entry") {
        const path = `${dest}/${event.header.path}`;
        if (event.header.type === "dir") {
          if (!made.has(path)) Deno.mkdirSync(path, { recursive: true }), made.add(path);
        } else if (event.header.type === "file") {
          const folder = path.slice(0, path.lastIndexOf("/"));
          if (!made.has(folder)) Deno.mkdirSync(folder, { recursive: true }), made.add(folder);
          file = Deno.openSync(path, { write: true, create: true, truncate: true });
          hash = createHash("sha256");
        }
      } else if (event.kind === "data") {
        hash.update(event.bytes);
        for (let done = 0; done < event.bytes.byteLength;) {
          done += file!.writeSync(event.bytes.subarray(done));
        }
        bytes += event.bytes.byteLength;
      } else if (event.kind === "hash") {
        file!.close();
        file = null;
        if (toHex(event.sha256) !== hash.digest("hex")) bad++;
        files++;
      }
    }
  }
  return { files, bytes, bad, ended: reader.ended };
}

/**
 * The bundle of `names` under `root` (folders whole), read from disk as it is sent, and its
 * length (a browser sends a Blob: with a Content-Length, not chunked).
 */
export function bundleFromDisk(
  root: string,
  names: string[],
): { stream: ReadableStream<Uint8Array>; length: number } {
  const items: { rel: string; path: string; dir: boolean }[] = [];
  const walk = (path: string, rel: string) => {
    const info = Deno.statSync(path);
    items.push({ rel, path, dir: info.isDirectory });
    if (!info.isDirectory) return;
    const children = [...Deno.readDirSync(path)].map((e) => e.name).sort();
    for (const name of children) walk(`${path}/${name}`, `${rel}/${name}`);
  };
  for (const name of names) walk(`${root}/${name}`, name);
  let length = 0;
  let total = 0;
  for (const item of items) {
    const size = item.dir ? 0 : Deno.statSync(item.path).size;
    const type = item.dir ? "dir" : "file";
    length += bundleEntry({ path: item.rel, type, size, mtime: null, mode: null }).byteLength;
    if (!item.dir) (length += size + 32, total += size);
  }
  length += bundleEnd({ entries: items.length, bytes: total }).byteLength;
  let index = 0;
  let bytes = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      const batch: Uint8Array[] = [];
      let size = 0;
      while (index < items.length && size < 512 * 1024) {
        const item = items[index++];
        if (item.dir) {
          batch.push(
            bundleEntry({ path: item.rel, type: "dir", size: 0, mtime: null, mode: null }),
          );
          continue;
        }
        const content = Deno.readFileSync(item.path);
        batch.push(
          bundleEntry({
            path: item.rel,
            type: "file",
            size: content.byteLength,
            mtime: null,
            mode: null,
          }),
          content,
          new Uint8Array(createHash("sha256").update(content).digest()),
        );
        size += content.byteLength;
        bytes += content.byteLength;
      }
      if (index >= items.length) batch.push(bundleEnd({ entries: items.length, bytes }));
      const joined = new Uint8Array(batch.reduce((n, b) => n + b.byteLength, 0));
      let at = 0;
      for (const piece of batch) (joined.set(piece, at), at += piece.byteLength);
      controller.enqueue(joined);
      if (index >= items.length) controller.close();
    },
  });
  return { stream, length };
}

/** Every file under `root` with its SHA-256 (relative paths), for comparing trees. */
export function treeHashes(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string, prefix: string) => {
    for (const entry of Deno.readDirSync(dir)) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory) walk(path, `${prefix}${entry.name}/`);
      else {out.set(
          prefix + entry.name,
          toHex(createHash("sha256").update(Deno.readFileSync(path)).digest()),
        );}
    }
  };
  walk(root, "");
  return out;
}

/**
 * A stream as a Blob-like thing read in order (what the island's data socket sends from;
 * islands/file_manager/upload_socket.ts): each `slice` must start where the last one ended.
 */
export function sequentialBlob(
  stream: ReadableStream<Uint8Array>,
  size: number,
): { size: number; slice(start: number, end: number): { arrayBuffer(): Promise<ArrayBuffer> } } {
  const reader = stream.getReader();
  let pending: Uint8Array = new Uint8Array(0);
  let at = 0;
  let queue = Promise.resolve();
  return {
    size,
    slice(start, end) {
      if (start !== at) throw new Error(`out of order: ${start}, expected ${at}`);
      at = Math.min(end, size);
      const want = at - start;
      const read = queue.then(async () => {
        const out = new Uint8Array(want);
        let filled = 0;
        while (filled < want) {
          if (pending.byteLength === 0) {
            const step = await reader.read();
            if (step.done) throw new Error("the stream ended early");
            pending = step.value;
          }
          const take = Math.min(pending.byteLength, want - filled);
          out.set(pending.subarray(0, take), filled);
          pending = pending.subarray(take);
          filled += take;
        }
        return out.buffer;
      });
      queue = read.then(() => {}, () => {});
      return { arrayBuffer: () => read };
    },
  };
}
