// `deno task build:agent [--server https://support.example.com]`: compiles the customer
// agent with `deno compile` for each target whose runtime can be downloaded, into
// `dist/agent/rescue-agent-<os>-<arch>[.exe]`. The server's address is baked in
// (`agent/build_config.json`, included in the binary); the server hands each customer the
// binary for their OS named `rescue-agent-<session token>[.exe]`, which is how the agent
// knows its session. Where a target cannot be built (no internet to fetch its runtime, as
// on our CI machines) it says so and goes on; the pages then show the run command instead.
import { parseArgs } from "node:util";
import { AGENT_V8_FLAGS } from "../agent/v8_flags.ts";

const TARGETS = [
  { target: "x86_64-unknown-linux-gnu", name: "linux-x86_64" },
  { target: "aarch64-unknown-linux-gnu", name: "linux-aarch64" },
  { target: "x86_64-pc-windows-msvc", name: "windows-x86_64.exe" },
  { target: "x86_64-apple-darwin", name: "darwin-x86_64" },
  { target: "aarch64-apple-darwin", name: "darwin-aarch64" },
];

const { values } = parseArgs({ args: Deno.args, options: { server: { type: "string" } } });
const server = values.server ?? Deno.env.get("PUBLIC_URL") ?? "http://localhost:8080";
await Deno.writeTextFile(
  new URL("../agent/build_config.json", import.meta.url),
  JSON.stringify({ server: new URL(server).origin }, null, 2) + "\n",
);
await Deno.mkdir(new URL("../dist/agent/", import.meta.url), { recursive: true });

let built = 0;
for (const { target, name } of TARGETS) {
  const output = new URL(`../dist/agent/rescue-agent-${name}`, import.meta.url).pathname;
  const result = await new Deno.Command(Deno.execPath(), {
    args: [
      "compile",
      "--allow-net",
      "--allow-env",
      "--allow-ffi",
      "--allow-read",
      "--allow-write",
      "--allow-run",
      "--allow-sys",
      AGENT_V8_FLAGS,
      "--include",
      "agent/build_config.json",
      "--target",
      target,
      "--output",
      output,
      "agent/main.ts",
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (result.success) {
    built++;
    console.log(`built ${output}`);
  } else {
    const reason = new TextDecoder().decode(result.stderr).trim().split("\n").slice(-1)[0];
    console.log(`could not build ${target}: ${reason}`);
  }
}
console.log(`${built} of ${TARGETS.length} targets built (server ${server})`);
if (built === 0) {
  console.log("Customers are shown the `deno task agent` run command until a binary exists.");
}
