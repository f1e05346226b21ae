/**
 * Test support: what a Windows program under Wine ended with and wrote (`exitAndOutput`), and
 * running it once more when Wine killed it (`againWhenKilled`). Apart from the Wine harness
 * (wine_test_support.ts, which re-exports it) so that both stay small; no Wine needed here.
 */

/** What a Windows program ended with and wrote. */
export interface Output {
  code: number;
  /** The Unix signal that ended Wine's process for it, if one did ("SIGKILL"). */
  signal: Deno.Signal | null;
  stdout: string;
  stderr: string;
}

/**
 * Why a Windows program can end with SIGKILL (exit 137) that it never asked for: wineserver
 * sends it to a process it has told to end (a console whose host went, the prefix's shutdown)
 * and that has not gone within a second. It met the Wine tests under CI's load several times
 * (2026-12-07: windows_system_test, windows_service_test; then windows_files_test, whose
 * program had got as far as reading the drives; 2026-12-08, in two rehearsals in a row:
 * windows_service_test's installer 11 s into the test, vp8_windows_test's encode 5 s in) without a cause found here: not reproduced by 25
 * runs of a V8 program under 16 busy loops and a memory churner, nor by windows_files_test alone
 * under 14. A program that Wine killed says nothing of the code under test.
 */
export const KILLED = "killed (SIGKILL), not ended by itself";

/**
 * How a killed run is run again: `true` when it can simply be repeated, else what puts back
 * what the first run may have changed.
 */
export type Again = true | (() => Promise<void>);

/**
 * `once()`'s output; when Wine killed that run (SIGKILL) and `again` is given, `again()` (unless
 * `true`) and then `once()`'s second output. Twice killed is a failure the caller sees.
 */
export async function againWhenKilled(
  what: string,
  once: () => Promise<Output>,
  again?: Again,
): Promise<Output> {
  const first = await once();
  if (first.signal !== "SIGKILL" || !again) return first;
  console.warn(`${what}: ${KILLED}; run once more\n${tails(first)}`);
  if (again !== true) await again();
  return await once();
}

/** The ends of a program's output, for a failure's message. */
export function tails(out: Output, chars = 1500): string {
  return `exit ${out.code}${out.signal ? ` (${out.signal})` : ""}\n` +
    `stdout …${out.stdout.slice(-chars)}\nstderr …${out.stderr.slice(-chars)}`;
}

/**
 * A Windows program's exit code and what it wrote. Not `output()`, which waits for the pipes'
 * end: a program that finds the prefix's services gone makes Wine start them again, and they
 * inherit its pipes and live until stop() — the test waited for ever (seen in CI, 2026-12-07:
 * windows_scripts_test 20 minutes on a stderr held by services.exe, winedevice.exe, rpcss.exe…).
 * What the program wrote is in the pipes when it has exited; it is read until the pipes end or
 * nothing more has come for a moment.
 */
export async function exitAndOutput(child: Deno.ChildProcess): Promise<Output> {
  let lastData = Date.now();
  const drain = (stream: ReadableStream<Uint8Array>) => {
    const reader = stream.getReader();
    const chunks: Uint8Array[] = [];
    const ended = (async () => {
      for (;;) {
        const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
        if (done || !value) return;
        chunks.push(value);
        lastData = Date.now();
      }
    })();
    return { ended, chunks, cancel: () => reader.cancel().catch(() => {}) };
  };
  const out = drain(child.stdout);
  const err = drain(child.stderr);
  const { code, signal } = await child.status;
  const ended = Promise.all([out.ended, err.ended]);
  let quiet = false;
  ended.then(() => quiet = true);
  while (!quiet && Date.now() - lastData < 500) await new Promise((r) => setTimeout(r, 50));
  await Promise.all([out.cancel(), err.cancel()]);
  await ended;
  const text = (chunks: Uint8Array[]) => {
    const decoder = new TextDecoder();
    return chunks.map((c) => decoder.decode(c, { stream: true })).join("") + decoder.decode();
  };
  return { code, signal, stdout: text(out.chunks), stderr: text(err.chunks) };
}
