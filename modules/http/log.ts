import type { Logger } from "./types.ts";

/**
 * Structured JSON lines on stdout/stderr; `base` fields (e.g. the request id) on every line.
 * A `sink` that drops every line is how RESCUE_LOG=off silences it (see main.ts).
 */
export function createLogger(
  base: Record<string, unknown> = {},
  sink: (line: string, level: string) => void = defaultSink,
): Logger {
  const write = (level: string, msg: string, fields?: Record<string, unknown>) =>
    sink(JSON.stringify({ ts: new Date().toISOString(), level, msg, ...base, ...fields }), level);
  return {
    info: (msg, fields) => write("info", msg, fields),
    warn: (msg, fields) => write("warn", msg, fields),
    error: (msg, fields) => write("error", msg, fields),
    child: (fields) => createLogger({ ...base, ...fields }, sink),
  };
}

function defaultSink(line: string, level: string) {
  if (level === "error") console.error(line);
  else console.log(line);
}
