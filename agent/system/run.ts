/**
 * Runs one of the OS's own tools (systemctl, journalctl, dpkg-query…) with an argument array —
 * never a shell — a time limit and a cap on what is read, so a flood of output or a hung tool
 * cannot stall the agent.
 */
export interface ToolOutput {
  code: number;
  stdout: string;
  stderr: string;
  /** The output went past `maxBytes` and was cut there. */
  cut: boolean;
}

/** A tool that is not installed: the section says "not available". */
export class ToolMissing extends Error {}

export interface RunOptions {
  timeoutMs?: number;
  maxBytes?: number;
  signal?: AbortSignal;
  env?: Record<string, string>;
}

export async function runTool(
  command: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<ToolOutput> {
  const timeout = AbortSignal.timeout(options.timeoutMs ?? 15_000);
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(command, {
      args: [...args],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      // Tools answer in plain English and do not page or colour their output.
      env: { LC_ALL: "C.UTF-8", SYSTEMD_PAGER: "", SYSTEMD_COLORS: "0", ...options.env },
      signal,
    }).spawn();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) throw new ToolMissing(command);
    throw error;
  }
  const max = options.maxBytes ?? 16 * 1024 * 1024;
  const [out, err, status] = await Promise.all([
    _readCapped(child.stdout, max),
    _readCapped(child.stderr, 64 * 1024),
    child.status,
  ]);
  if (signal.aborted) throw new Error(`${command} took too long or was cancelled`);
  return { code: status.code, stdout: out.text, stderr: err.text, cut: out.cut };
}

async function _readCapped(stream: ReadableStream<Uint8Array>, max: number) {
  const chunks: Uint8Array[] = [];
  let size = 0;
  let cut = false;
  for await (const chunk of stream) {
    if (size >= max) {
      cut = true;
      continue; // keep draining so the tool can exit
    }
    const room = max - size;
    chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
    if (chunk.length > room) cut = true;
    size += Math.min(chunk.length, room);
  }
  const all = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    all.set(chunk, at);
    at += chunk.length;
  }
  return { text: new TextDecoder().decode(all), cut };
}

/** A file's text, or undefined when it does not exist or cannot be read. */
export async function readText(path: string): Promise<string | undefined> {
  try {
    return await Deno.readTextFile(path);
  } catch {
    return undefined;
  }
}

/** The last `maxBytes` of a (log) file, from a line start; undefined when unreadable. */
export async function readTail(path: string, maxBytes: number): Promise<string | undefined> {
  try {
    using file = await Deno.open(path);
    const { size } = await file.stat();
    const start = Math.max(0, size - maxBytes);
    await file.seek(start, Deno.SeekMode.Start);
    const buffer = new Uint8Array(size - start);
    let at = 0;
    while (at < buffer.length) {
      const n = await file.read(buffer.subarray(at));
      if (n === null) break;
      at += n;
    }
    const text = new TextDecoder().decode(buffer.subarray(0, at));
    return start > 0 ? text.slice(text.indexOf("\n") + 1) : text;
  } catch {
    return undefined;
  }
}
