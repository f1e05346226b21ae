// Test fixture for windows_scripts_test.ts, bundled and run by the Windows Deno under Wine: the
// real scripts.run handler (os "windows") on the request in Deno.args[0] (JSON), the customer's
// answer in Deno.args[1] ("allow" or "decline"). Prints one JSON line: { asked, outputs, result }
// or { asked, outputs, error: { code, message } }.
import { scriptRunHandler } from "./handlers.ts";

const request = JSON.parse(Deno.args[0]);
const allow = Deno.args[1] === "allow";
const asked: string[] = [];
const outputs: unknown[] = [];
const handler = scriptRunHandler({ os: "windows" } as never, { language: "en" });
const ctx = {
  signal: new AbortController().signal,
  emit: (output: unknown) => outputs.push(output),
  confirm: (detail: string) => {
    asked.push(detail);
    return Promise.resolve(allow);
  },
  log: () => {},
};
try {
  const result = await handler(request, ctx as never);
  console.log(JSON.stringify({ asked, outputs, result }));
} catch (error) {
  const e = error as { code?: string; message?: string };
  console.log(
    JSON.stringify({ asked, outputs, error: { code: e.code ?? "", message: e.message } }),
  );
}
