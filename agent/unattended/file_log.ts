/**
 * A log file for a process without a console (the Windows service and its session helper):
 * each line timestamped with the process id; past `maxBytes` the file is moved aside to
 * `<path>.1` (one generation kept), so it never grows without bound.
 */

const LOG_MAX_BYTES = 1 << 20;

/** Appends each line, timestamped, to `path`; moves it aside past `maxBytes`. */
export function fileLog(path: string, maxBytes = LOG_MAX_BYTES): (line: string) => void {
  let size = (() => {
    try {
      return Deno.statSync(path).size;
    } catch {
      return 0;
    }
  })();
  return (line) => {
    const text = `${new Date().toISOString()} [${Deno.pid}] ${line}\n`;
    try {
      if (size + text.length > maxBytes) {
        Deno.renameSync(path, `${path}.1`);
        size = 0;
      }
      Deno.writeTextFileSync(path, text, { append: true });
      size += text.length;
    } catch {
      // The folder went away (uninstalled while running): nothing to keep the line in.
    }
  };
}
