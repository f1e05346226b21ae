// Test fixture for tests/e2e/windows_files_browser_test.ts, bundled and run by the Windows Deno
// under Wine: the real file handlers (they choose the Windows layer themselves), asked by JSON
// lines on stdin ({ id, kind, request }) and answering on stdout ({ id, result | error |
// event }); their data legs go to the server (`Deno.args`: server, session token, data folder).
import { fileHandlers } from "./handlers.ts";

const [serverUrl, token, dataDir] = Deno.args;
const handlers = fileHandlers({
  os: "windows",
  serverUrl,
  token,
  dataDir,
  log: console.error,
}) as Record<string, (request: unknown, ctx: unknown) => Promise<unknown>>;
const encoder = new TextEncoder();
const write = (message: unknown) =>
  Deno.stdout.writeSync(encoder.encode(JSON.stringify(message) + "\n"));
write({ ready: true });
let pending = "";
for await (const chunk of Deno.stdin.readable.pipeThrough(new TextDecoderStream())) {
  pending += chunk;
  for (let at = pending.indexOf("\n"); at >= 0; at = pending.indexOf("\n")) {
    const { id, kind, request } = JSON.parse(pending.slice(0, at));
    pending = pending.slice(at + 1);
    handlers[kind](request, {
      signal: new AbortController().signal,
      emit: (event: unknown) => write({ id, event }),
      confirm: () => Promise.resolve(true),
      log: () => {},
    }).then(
      (result) => write({ id, result }),
      (error) => write({ id, error: { code: error.code ?? "io", message: String(error.message) } }),
    );
  }
}
