/**
 * Runs one script the customer allowed (SPEC R10): a fresh private folder (0700) holds the
 * script and its resource file, the script runs there in its own process group under a time
 * limit, its output streams to the technician in bounded pieces, and the folder is removed
 * afterwards whatever happened. Stopping (the technician, a revoke, a lost link) or the time
 * limit kills the whole group, so a script's own children go too.
 */
import { join } from "node:path";
import {
  RESOURCE_MAX_BYTES,
  SCRIPT_CHUNK_MAX,
  SCRIPT_MAX_BYTES,
  SCRIPT_RESULT_OUTPUT_MAX,
  type ScriptOutput,
  type ScriptRunResult,
} from "../../protocol/scripts.ts";
import type { OpRequest } from "../../protocol/mod.ts";
import { OpFailure } from "../ops/mod.ts";
import { scriptCommand } from "./interpreter.ts";
import { windowsInterpreter } from "./windows_interpreter.ts";
import { outputDecoder, windowsScriptBytes } from "./windows_text.ts";

/** Output streamed live in all; past it the script runs on and only its end is kept. */
export const SCRIPT_STREAM_MAX = 4 * 1024 * 1024;
/** How long output may wait before it is sent (pieces stay few on a chatty script). */
const FLUSH_MS = 100;
/** After SIGTERM, how long the group has before SIGKILL. */
const KILL_GRACE_MS = 2000;
/** After the script ended, how long a descendant may hold its output open. */
const DRAIN_MS = 2000;

export interface RunOptions {
  os: "linux" | "windows" | "darwin";
  signal: AbortSignal;
  emit(output: ScriptOutput): void;
  /** Where the private folder is made (the system's temp folder by default). */
  tempRoot?: string;
  /** Called with the folder once it exists (tests look inside). */
  onFolder?: (path: string) => void;
}

type RunRequest = OpRequest<"scripts.run">;

/** Checks what no schema can: sizes in bytes, the resource's name, the target OS. */
export function checkRunRequest(request: RunRequest, os: RunOptions["os"]): Uint8Array | null {
  if (request.targetOs !== "any" && request.targetOs !== os) {
    throw new OpFailure("wrong_os", `This script is for ${request.targetOs}, not ${os}`);
  }
  if (new TextEncoder().encode(request.script).length > SCRIPT_MAX_BYTES) {
    throw new OpFailure("too_large", `The script is larger than ${SCRIPT_MAX_BYTES} bytes`);
  }
  if (!request.resource) return null;
  if (request.resource.fileName === request.fileName) {
    throw new OpFailure("invalid", "The resource file has the script's name");
  }
  let bytes: Uint8Array;
  try {
    bytes = Uint8Array.fromBase64(request.resource.base64);
  } catch {
    throw new OpFailure("invalid", "The resource file is not valid base64");
  }
  if (bytes.length > RESOURCE_MAX_BYTES) {
    throw new OpFailure(
      "too_large",
      `The resource file is larger than ${RESOURCE_MAX_BYTES} bytes`,
    );
  }
  return bytes;
}

/** Writes, runs and cleans up; the request was checked and the customer has allowed it. */
export async function runScript(
  request: RunRequest,
  resource: Uint8Array | null,
  options: RunOptions,
): Promise<ScriptRunResult> {
  const folder = await Deno.makeTempDir({ dir: options.tempRoot, prefix: "rescue-script-" });
  try {
    await Deno.chmod(folder, 0o700);
    options.onFolder?.(folder);
    const scriptPath = join(folder, request.fileName);
    const windows = options.os === "windows";
    // Windows: in the code page (or with the BOM) its interpreter reads (windows_text.ts).
    const bytes = windows
      ? windowsScriptBytes(request.fileName, request.script)
      : new TextEncoder().encode(request.script);
    await Deno.writeFile(scriptPath, bytes, { mode: 0o700, createNew: true });
    if (resource) {
      const resourcePath = join(folder, request.resource!.fileName);
      await Deno.writeFile(resourcePath, resource, { mode: 0o600, createNew: true });
    }
    const chosen = scriptCommand(options.os, scriptPath, request.script);
    if (!chosen) {
      throw new OpFailure("no_interpreter", `No program here runs ${request.fileName}`);
    }
    const command = windows ? await windowsInterpreter(chosen) : chosen;
    return await _execute(command, folder, request.timeoutSeconds * 1000, options);
  } finally {
    await Deno.remove(folder, { recursive: true }).catch(() => {});
  }
}

async function _execute(
  command: string[],
  cwd: string,
  limitMs: number,
  options: RunOptions,
): Promise<ScriptRunResult> {
  const grouped = options.os !== "windows" && _setsidPath() !== undefined;
  const argv = grouped ? [_setsidPath()!, ...command] : command;
  const started = performance.now();
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command(argv[0], {
      args: argv.slice(1),
      cwd,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound || error instanceof Deno.errors.PermissionDenied) {
      throw new OpFailure("no_interpreter", `${command[0]} could not be started`);
    }
    throw error;
  }
  // With setsid the child leads a new process group whose id is its pid.
  const kill = (signal: Deno.Signal) => {
    try {
      Deno.kill(grouped ? -child.pid : child.pid, signal);
    } catch {
      // Already gone.
    }
  };
  let timedOut = false;
  let stopped = false;
  let hardKill: ReturnType<typeof setTimeout> | undefined;
  const stop = (why: "time" | "stop") => {
    if (timedOut || stopped) return;
    if (why === "time") timedOut = true;
    else stopped = true;
    kill("SIGTERM");
    hardKill = setTimeout(() => kill("SIGKILL"), KILL_GRACE_MS);
  };
  const limit = setTimeout(() => stop("time"), limitMs);
  const onAbort = () => stop("stop");
  options.signal.addEventListener("abort", onAbort, { once: true });
  if (options.signal.aborted) onAbort();
  const output = new _Output(options.emit);
  // Windows: UTF-8 while it is, else the console's code page; elsewhere UTF-8.
  const decoder = () => options.os === "windows" ? outputDecoder() : _utf8();
  const reading = Promise.all([
    output.read("stdout", child.stdout, decoder()),
    output.read("stderr", child.stderr, decoder()),
  ]);
  try {
    const status = await child.status;
    // Whatever the script left running in its group goes with it.
    if (grouped) kill("SIGKILL");
    await Promise.race([reading, new Promise((r) => setTimeout(r, DRAIN_MS))]);
    output.close();
    return {
      exitCode: status.signal ? null : status.code,
      signal: status.signal ?? null,
      timedOut,
      stopped,
      durationMs: Math.round(performance.now() - started),
      stdout: output.tail("stdout"),
      stderr: output.tail("stderr"),
      outputChars: output.total,
      command: command.map((part) => part.slice(0, 200)),
    };
  } finally {
    clearTimeout(limit);
    clearTimeout(hardKill);
    options.signal.removeEventListener("abort", onAbort);
    await reading.catch(() => {});
  }
}

let setsid: string | null | undefined;
function _setsidPath(): string | undefined {
  if (setsid === undefined) {
    setsid = ["/usr/bin/setsid", "/bin/setsid"].find((path) => {
      try {
        return Deno.statSync(path).isFile;
      } catch {
        return false;
      }
    }) ?? null;
  }
  return setsid ?? undefined;
}

interface _Decoder {
  decode(bytes: Uint8Array): string;
  flush(): string;
}

function _utf8(): _Decoder {
  const utf8 = new TextDecoder();
  return {
    decode: (bytes) => utf8.decode(bytes, { stream: true }),
    flush: () => utf8.decode(),
  };
}

/** Both streams' text: sent in pieces every FLUSH_MS, the end of each kept for the result. */
class _Output {
  total = 0;
  #streamed = 0;
  #pending: ScriptOutput[] = [];
  #tails = { stdout: "", stderr: "" };
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;
  #readers: ReadableStreamDefaultReader<Uint8Array>[] = [];

  constructor(private readonly emit: (output: ScriptOutput) => void) {}

  async read(
    stream: "stdout" | "stderr",
    body: ReadableStream<Uint8Array>,
    decoder: _Decoder,
  ): Promise<void> {
    const reader = body.getReader();
    this.#readers.push(reader);
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return this.#add(stream, decoder.flush());
      this.#add(stream, decoder.decode(value));
    }
  }

  tail(stream: "stdout" | "stderr"): string {
    return this.#tails[stream];
  }

  /** Sends what is pending and lets go of streams a stray descendant still holds. */
  close() {
    this.#flush();
    this.#closed = true;
    for (const reader of this.#readers) reader.cancel().catch(() => {});
  }

  #add(stream: "stdout" | "stderr", text: string) {
    if (this.#closed || text === "") return;
    this.total += text.length;
    const tail = this.#tails[stream] + text;
    this.#tails[stream] = tail.length > SCRIPT_RESULT_OUTPUT_MAX
      ? tail.slice(tail.length - SCRIPT_RESULT_OUTPUT_MAX)
      : tail;
    const room = SCRIPT_STREAM_MAX - this.#streamed;
    if (room <= 0) return;
    const sent = text.slice(0, room);
    this.#streamed += sent.length;
    const last = this.#pending.at(-1);
    if (last && last.stream === stream && last.text.length + sent.length <= SCRIPT_CHUNK_MAX) {
      last.text += sent;
    } else {
      for (let at = 0; at < sent.length; at += SCRIPT_CHUNK_MAX) {
        this.#pending.push({ stream, text: sent.slice(at, at + SCRIPT_CHUNK_MAX) });
      }
    }
    this.#timer ??= setTimeout(() => this.#flush(), FLUSH_MS);
  }

  #flush() {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const pending = this.#pending;
    this.#pending = [];
    for (const piece of pending) this.emit(piece);
  }
}
