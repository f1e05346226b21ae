// Over 400 lines on purpose: the floor, the direct baseline and the relayed product run in one script, so their figures come from the same run.
// `deno task bench:files [--mib=1024] [--files=10000] [--kib=4] [--trace=DIR]
// [--server-flags="…"] [--agent-flags="…"]` (issue 16): the file
// manager's throughput, measured, not timed in a test. One file of 1 GiB and 10,000 files of
// 4 KiB (a node_modules-like tree) both ways between an HTTP client playing the technician's
// browser and a real agent process (agent/main.ts on a private Xvfb, with the V8 flag every start
// of the agent passes: agent/v8_flags.ts) on loopback, through the
// real server (main.ts, PGlite unless DATABASE_URL is set) — every file's SHA-256 checked.
// Baselines in the same run: `cp` (the physical floor: page cache to page cache), the loopback
// floor the target is set against (`scp` and `rsync -a` over a private loopback sshd, when
// openssh-server is installed) and a direct loopback HTTP copy (a plain server process streaming
// disk to socket, no relay). Prints a side-by-side table, the relayed figures against the
// floors, peak RSS of server and agent (overall and in each step), and
// the CPU seconds each process used per GB (per 1,000 files), which a busy machine does not change.
// `--trace=DIR` keeps the processes' output and their RSS every 100 ms (DIR/rss.csv); the flags
// are passed to `deno run` of the server or the agent (`--v8-flags=--trace-gc`, `--cpu-prof`).
import { join } from "node:path";
import { BenchBrowser, freePort, rssMiB, sleep } from "./bench_common.ts";
import { Probe } from "./bench_files/probe.ts";
import { startLoopbackSsh } from "./bench_files/ssh.ts";
import { startXvfb } from "../agent/platform/xvfb_test_support.ts";
import { AGENT_V8_FLAGS } from "../agent/v8_flags.ts";
import { type BlobLike, sendOverSocket } from "../islands/file_manager/upload_socket.ts";
import {
  bundleFromDisk,
  bundleToDisk,
  fileStream,
  makeBig,
  makeSmall,
  sequentialBlob,
  sha256File,
  streamToFile,
  treeHashes,
} from "./bench_files/data.ts";

const option = (name: string, fallback: number) =>
  Number(Deno.args.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback);
const MIB = option("mib", 1024);
const FILES = option("files", 10_000);
const KIB = option("kib", 4);
const text = (name: string) =>
  Deno.args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? "";
const TRACE = text("trace") || null;
const flags = (name: string) => text(name).split(" ").filter(Boolean);
const PASSWORD = "bench files password";
const ADMIN = "bench-files-admin@example.test";
const root = join(import.meta.dirname!, "..");

const work = await Deno.makeTempDir({ prefix: "rescue-bench-files-" });
if (TRACE) await Deno.mkdir(TRACE, { recursive: true });
const probe = new Probe(TRACE);
const client = { name: "client", pid: Deno.pid };
const customer = `${work}/customer`;
const tech = `${work}/tech`;
for (
  const dir of [customer, tech, `${work}/floor`, `${work}/ssh`, `${work}/direct`, `${work}/data`]
) {
  await Deno.mkdir(dir, { recursive: true });
}
const step = (what: string) => console.error(`· ${what}`);
const children: Deno.ChildProcess[] = [];
const stops: (() => Promise<void>)[] = [];
const agentOutput: string[] = [];

interface Row {
  largeDown: number;
  largeUp: number;
  smallDown: number;
  smallUp: number;
}

/** An upload over the data socket, as the island sends it (cookies and Origin as a browser). */
function socketUpload(browser: BenchBrowser, path: string, body: BlobLike) {
  const cookie = [...browser.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  return sendOverSocket(
    browser.base + path,
    body,
    new AbortController().signal,
    (address) =>
      // Deno's WebSocket takes headers in its second argument; the DOM type does not know it.
      new WebSocket(address, {
        headers: { cookie, origin: browser.base },
      } as unknown as string[]),
  );
}

function mbps(bytes: number, seconds: number) {
  return bytes / 1e6 / seconds;
}

async function cp(args: string[]) {
  const out = await new Deno.Command("cp", { args }).output();
  if (!out.success) throw new Error(`cp ${args.join(" ")} failed`);
}

try {
  step(`making ${MIB} MiB and ${FILES} × ${KIB} KiB in ${work}`);
  const largeBytes = MIB * 1024 * 1024;
  await makeBig(`${customer}/big.bin`, largeBytes);
  makeSmall(customer, FILES, KIB * 1024);
  const bigSha = await sha256File(`${customer}/big.bin`);
  const smallHashes = treeHashes(`${customer}/tree`);

  // ---- the floor: cp, page cache to page cache ----
  step("cp");
  const cpLarge = await probe.step(
    "cp large",
    [],
    () => cp([`${customer}/big.bin`, `${work}/floor/big.bin`]),
  );
  const cpSmall = await probe.step(
    "cp small",
    [],
    () => cp(["-r", `${customer}/tree`, `${work}/floor/tree`]),
  );
  const floor: Row = {
    largeDown: mbps(largeBytes, cpLarge.seconds),
    largeUp: mbps(largeBytes, cpLarge.seconds),
    smallDown: FILES / cpSmall.seconds,
    smallUp: FILES / cpSmall.seconds,
  };

  // ---- the loopback floor: scp and rsync over ssh ----
  step("loopback ssh");
  const ssh = await startLoopbackSsh(`${work}/sshd`);
  let sshRow: Row | null = null;
  if (ssh) {
    stops.push(() => ssh.stop());
    const sshd = [{ name: "sshd", pid: ssh.pid }];
    const down = await probe.step(
      "ssh large down",
      sshd,
      () => ssh.scp(`${customer}/big.bin`, `${work}/ssh/big.bin`),
    );
    const up = await probe.step(
      "ssh large up",
      sshd,
      () => ssh.scp(`${work}/ssh/big.bin`, `${work}/ssh/big-up.bin`),
    );
    const smallDown = await probe.step(
      "ssh small down",
      sshd,
      () => ssh.rsync(`${customer}/tree`, `${work}/ssh/tree`),
    );
    const smallUp = await probe.step(
      "ssh small up",
      sshd,
      () => ssh.rsync(`${work}/ssh/tree`, `${work}/ssh/tree-up`),
    );
    sshRow = {
      largeDown: mbps(largeBytes, down.seconds),
      largeUp: mbps(largeBytes, up.seconds),
      smallDown: FILES / smallDown.seconds,
      smallUp: FILES / smallUp.seconds,
    };
    await ssh.stop();
    await Deno.remove(`${work}/ssh`, { recursive: true });
  }

  // ---- direct loopback HTTP, no relay ----
  step("direct HTTP");
  const direct = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "tools/bench_files/direct_server.ts"],
    cwd: root,
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  children.push(direct);
  const directPort = Number(
    (await direct.stdout.pipeThrough(new TextDecoderStream()).getReader().read()).value,
  );
  const d = `http://127.0.0.1:${directPort}`;
  const directServer = { name: "direct", pid: direct.pid };
  const enc = encodeURIComponent;
  const dLargeDown = await probe.step(
    "direct large down",
    [directServer, client],
    async () =>
      await streamToFile(
        (await fetch(`${d}/file?path=${enc(`${customer}/big.bin`)}`)).body!,
        `${work}/direct/big.bin`,
      ),
  );
  const dLargeUp = await probe.step("direct large up", [directServer, client], async () => {
    const source = fileStream(`${work}/direct/big.bin`);
    const res = await fetch(`${d}/file?path=${enc(`${customer}/direct-up.bin`)}`, {
      method: "POST",
      body: source.stream,
      headers: { "content-length": String(largeBytes) },
    });
    return await res.json();
  });
  const dSmallDown = await probe.step(
    "direct small down",
    [directServer, client],
    async () =>
      await bundleToDisk(
        (await fetch(`${d}/bundle?root=${enc(customer)}&name=tree`)).body!,
        `${work}/direct`,
      ),
  );
  const dSmallUp = await probe.step("direct small up", [directServer, client], async () => {
    await Deno.mkdir(`${customer}/direct-up`);
    const bundle = bundleFromDisk(`${work}/direct`, ["tree"]);
    const res = await fetch(`${d}/bundle?dest=${enc(`${customer}/direct-up`)}`, {
      method: "POST",
      body: bundle.stream,
      headers: { "content-length": String(bundle.length) },
    });
    return await res.json();
  });
  const directRow: Row = {
    largeDown: mbps(largeBytes, dLargeDown.seconds),
    largeUp: mbps(largeBytes, dLargeUp.seconds),
    smallDown: FILES / dSmallDown.seconds,
    smallUp: FILES / dSmallUp.seconds,
  };
  const directOk = dLargeDown.result.sha256 === bigSha && dLargeUp.result.sha256 === bigSha &&
    dSmallDown.result.bad === 0 && dSmallDown.result.files === FILES &&
    dSmallUp.result.files === FILES;
  direct.kill();
  await direct.status;
  await Deno.remove(`${customer}/direct-up`, { recursive: true });
  await Deno.remove(`${customer}/direct-up.bin`);

  // ---- the product: browser ⇄ server ⇄ agent ----
  step("seeding, server, Xvfb, agent");
  const seeded = JSON.parse(
    new TextDecoder().decode(
      (await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "tools/bench_files/seed.ts", `${work}/data`, ADMIN, PASSWORD],
        cwd: root,
        env: { DATABASE_URL: Deno.env.get("DATABASE_URL") ?? "" },
        stderr: "inherit",
      }).output()).stdout,
    ),
  ) as { email: string; sessionId: string; token: string };
  const port = freePort();
  const base = `http://127.0.0.1:${port}`;
  const server = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", ...flags("server-flags"), "main.ts"],
    cwd: root,
    env: {
      DATA_DIR: `${work}/data`,
      PORT: String(port),
      HOST: "127.0.0.1",
      PUBLIC_URL: base,
      RESCUE_ADMIN_EMAIL: ADMIN,
      RESCUE_ADMIN_PASSWORD: PASSWORD,
      RESCUE_LOG: "off",
      DATABASE_URL: Deno.env.get("DATABASE_URL") ?? "",
    },
    stdout: TRACE ? "piped" : "null",
    stderr: "inherit",
  }).spawn();
  children.push(server);
  if (TRACE) {
    const log = await Deno.open(`${TRACE}/server.log`, {
      write: true,
      create: true,
      truncate: true,
    });
    server.stdout.pipeTo(log.writable).catch(() => {});
  }
  while (!(await fetch(`${base}/healthz`).then((r) => (r.body?.cancel(), r.ok), () => false))) {
    await sleep(100);
  }
  const xvfb = await startXvfb({ width: 640, height: 480 });
  stops.push(() => xvfb.stop());
  const agent = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      // As every launch of the agent (agent/v8_flags.ts); more from --agent-flags add to it.
      AGENT_V8_FLAGS,
      ...flags("agent-flags"),
      "agent/main.ts",
      "--link",
      `${base}/s/${seeded.token}`,
      "--no-open",
      "--state-dir",
      `${work}/agent-state`,
    ],
    cwd: root,
    env: {
      DISPLAY: xvfb.display,
      HOME: customer,
      XDG_DATA_HOME: `${customer}/.local/share`,
      XDG_CONFIG_HOME: `${customer}/.config`,
      LANG: "en_US.UTF-8",
    },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  children.push(agent);
  const page = Promise.withResolvers<string>();
  for (const stream of [agent.stdout, agent.stderr]) {
    (async () => {
      for await (const text of stream.pipeThrough(new TextDecoderStream())) {
        agentOutput.push(text);
        const match = /PAGE (\S+)/.exec(text);
        if (match) page.resolve(match[1]);
      }
    })();
  }
  agent.status.then((s) =>
    page.reject(new Error(`agent exited ${s.code}: ${agentOutput.join("")}`))
  );
  const consentPage = await page.promise;

  const browser = new BenchBrowser(base);
  await browser.page("/signin");
  await browser.post("/signin", { email: seeded.email, password: PASSWORD });
  await browser.page("/console");
  const session = `/console/sessions/${seeded.sessionId}`;
  const P = `${session}/file-manager`;
  const json = async (path: string, body?: unknown) => {
    const res = await browser.request(
      path,
      body === undefined ? {} : {
        method: "POST",
        body: JSON.stringify(body),
        headers: { "content-type": "application/json", "x-csrf-token": browser.csrf },
      },
    );
    const data = await res.json().catch(() => ({}));
    return { status: res.status, data };
  };
  // Start the session once the customer (the agent) is there, then ask for the files.
  for (let i = 0; (await json(`${P}/roots`)).data.error === "no_session"; i++) {
    if (i > 300) throw new Error("the session could not be started");
    await browser.post(`${session}/start`);
    await sleep(100);
  }
  await browser.post(`${session}/agent/request`, { capability: "files" });
  const origin = new URL(consentPage).origin;
  for (let i = 0;; i++) {
    const state = await (await fetch(`${consentPage}state`)).json();
    const question = state.questions?.find((q: { capability: string }) => q.capability === "files");
    if (question) {
      const answered = await fetch(`${consentPage}answer`, {
        method: "POST",
        headers: { origin, "content-type": "application/json" },
        body: JSON.stringify({ capability: "files", id: question.id, allow: true }),
      });
      await answered.body?.cancel();
      break;
    }
    if (i > 300) throw new Error("the files question never came");
    await sleep(100);
  }
  while ((await json(`${P}/roots`)).status !== 200) await sleep(100);
  await sleep(2000); // start-up garbage settles
  const watched = [{ name: "server", pid: server.pid }, { name: "agent", pid: agent.pid }, client];
  const rest = await Promise.all(watched.map((w) => rssMiB(w.pid)));

  step("relayed: large ↓");
  const rLargeDown = await probe.step("relayed large down", watched, async () => {
    const opened = await json(`${P}/downloads`, { path: `${customer}/big.bin` });
    const res = await browser.request(`${P}/transfers/${opened.data.id}/data?from=0`);
    const got = await streamToFile(res.body!, `${tech}/big.bin`);
    const view = (await json(`${P}/transfers/${opened.data.id}?wait=1`)).data;
    return { ...got, agentSha: view.sha256, view: JSON.stringify(view) };
  });
  step("relayed: large ↑");
  await Deno.mkdir(`${customer}/up`);
  const rLargeUp = await probe.step("relayed large up", watched, async () => {
    const opened = await json(`${P}/uploads`, {
      folder: `${customer}/up`,
      name: "big.bin",
      size: largeBytes,
    });
    // As the island sends: over the data socket (islands/file_manager/upload_socket.ts).
    const source = fileStream(`${tech}/big.bin`);
    const sent = await socketUpload(
      browser,
      `${P}/transfers/${opened.data.id}/socket?from=0`,
      sequentialBlob(source.stream, largeBytes),
    );
    if (!sent || sent === "unopened" || sent.status !== 200) {
      throw new Error(`large upload: ${JSON.stringify(sent)}`);
    }
    return (await json(`${P}/transfers/${opened.data.id}/commit`, { sha256: await source.done }))
      .data;
  });
  step("relayed: small ↓");
  const rSmallDown = await probe.step("relayed small down", watched, async () => {
    const opened = await json(`${P}/downloads`, { folder: customer, names: ["tree"] });
    const res = await browser.request(`${P}/transfers/${opened.data.id}/data?from=0`);
    return await bundleToDisk(res.body!, tech);
  });
  step("relayed: small ↑");
  const rSmallUp = await probe.step("relayed small up", watched, async () => {
    const opened = await json(`${P}/uploads`, { folder: `${customer}/up`, bundle: true });
    const bundle = bundleFromDisk(tech, ["tree"]);
    const sent = await socketUpload(
      browser,
      `${P}/transfers/${opened.data.id}/socket?from=0`,
      sequentialBlob(bundle.stream, bundle.length),
    );
    if (!sent || sent === "unopened") throw new Error(`bundle upload: ${sent}`);
    return sent.body as { state: string; entries: number };
  });
  const relayed: Row = {
    largeDown: mbps(largeBytes, rLargeDown.seconds),
    largeUp: mbps(largeBytes, rLargeUp.seconds),
    smallDown: FILES / rSmallDown.seconds,
    smallUp: FILES / rSmallUp.seconds,
  };
  const upTree = treeHashes(`${customer}/up/tree`);
  const relayedOk = rLargeDown.result.sha256 === bigSha && rLargeDown.result.agentSha === bigSha &&
    rLargeUp.result.state === "done" && rLargeUp.result.sha256 === bigSha &&
    await sha256File(`${customer}/up/big.bin`) === bigSha &&
    rSmallDown.result.bad === 0 && rSmallDown.result.files === FILES &&
    rSmallUp.result.state === "done" && upTree.size === FILES &&
    [...smallHashes].every(([k, v]) => upTree.get(k) === v);
  const peak = (i: number) =>
    Math.max(rLargeDown.peaks[i], rLargeUp.peaks[i], rSmallDown.peaks[i], rSmallUp.peaks[i]);

  const load = (await Deno.readTextFile("/proc/loadavg")).split(" ").slice(0, 3).join(" ");
  const cell = (n: number, w = 13) => n.toFixed(n >= 100 ? 0 : 1).padStart(w);
  const line = (name: string, r: Row) =>
    name.padEnd(34) + cell(r.largeDown) + cell(r.largeUp) + cell(r.smallDown, 16) +
    cell(r.smallUp, 16);
  const ratio = (a: Row, b: Row): Row => ({
    largeDown: b.largeDown / a.largeDown,
    largeUp: b.largeUp / a.largeUp,
    smallDown: b.smallDown / a.smallDown,
    smallUp: b.smallUp / a.smallUp,
  });
  const times = (r: Row) =>
    "".padEnd(34) + [r.largeDown, r.largeUp].map((n) => `${n.toFixed(1)}×`.padStart(13)).join("") +
    [r.smallDown, r.smallUp].map((n) => `${n.toFixed(1)}×`.padStart(16)).join("");
  console.log(
    `bench:files — 1 × ${MIB} MiB and ${FILES} × ${KIB} KiB, loopback, ${Deno.build.os}, ` +
      `${navigator.hardwareConcurrency} CPUs, load average ${load}`,
  );
  console.log(
    "".padEnd(34) + "large ↓ MB/s".padStart(13) + "large ↑ MB/s".padStart(13) +
      "small ↓ files/s".padStart(16) + "small ↑ files/s".padStart(16),
  );
  console.log(line("cp (floor)", floor));
  if (sshRow) console.log(line("loopback ssh (scp / rsync -a)", sshRow));
  else console.log("loopback ssh: not measured (no sshd: apt-get install openssh-server)");
  console.log(line("direct loopback HTTP", directRow));
  console.log(line("relayed browser⇄server⇄agent", relayed));
  console.log("cp (physical floor) / relayed:");
  console.log(times(ratio(relayed, floor)));
  if (sshRow) {
    console.log("loopback ssh / relayed (target ≤ 2×):");
    console.log(times(ratio(relayed, sshRow)));
  }
  console.log("direct HTTP / relayed:");
  console.log(times(ratio(relayed, directRow)));
  const met = (ok: boolean) => ok ? "met" : "NOT met";
  console.log(
    `targets: ≥ 100 MB/s each way ${met(relayed.largeDown >= 100 && relayed.largeUp >= 100)}; ` +
      `≥ 1,000 files/s each way ${met(relayed.smallDown >= 1000 && relayed.smallUp >= 1000)}; ` +
      `within 2× of loopback ssh ${
        sshRow ? met(Object.values(ratio(relayed, sshRow)).every((r) => r <= 2)) : "not measured"
      }`,
  );
  console.log(
    `peak RSS: server ${peak(0)} MiB (at rest ${rest[0]}), agent ${peak(1)} MiB (at rest ${
      rest[1]
    }); direct server ${Math.max(dLargeDown.peaks[0], dLargeUp.peaks[0])} MiB`,
  );
  // Peak RSS of each process in each step: whether memory stays flat with the number of files
  // (run with two --files counts and compare the small columns).
  const relayedSteps = [rLargeDown, rLargeUp, rSmallDown, rSmallUp];
  const rssLine = (name: string, i: number) =>
    name.padEnd(34) +
    relayedSteps.map((s, k) => String(s.peaks[i]).padStart(k < 2 ? 13 : 16)).join("");
  console.log("peak RSS in each step, MiB:");
  for (const [i, name] of ["server", "agent", "client"].entries()) {
    console.log(rssLine(`relayed: ${name}, at rest ${rest[i]}`, i));
  }
  // CPU per unit of work: large columns per GB, small ones per 1,000 files.
  const perUnit = (steps: { cpu: number[] }[], i: number) => {
    const units = [largeBytes / 1e9, largeBytes / 1e9, FILES / 1000, FILES / 1000];
    return steps.map((step, k) => step.cpu[i] / units[k]);
  };
  const cpuLine = (name: string, v: number[]) =>
    name.padEnd(34) + v.map((n, k) => n.toFixed(2).padStart(k < 2 ? 13 : 16)).join("");
  const directSteps = [dLargeDown, dLargeUp, dSmallDown, dSmallUp];
  console.log("CPU seconds per GB (large) and per 1,000 files (small), by process:");
  console.log(cpuLine("direct: server", perUnit(directSteps, 0)));
  console.log(cpuLine("direct: client", perUnit(directSteps, 1)));
  for (const [i, name] of ["server", "agent", "client (the browser)"].entries()) {
    console.log(cpuLine(`relayed: ${name}`, perUnit(relayedSteps, i)));
  }
  console.log(
    `integrity: direct ${directOk ? "all SHA-256 equal" : "MISMATCH"}; relayed ${
      relayedOk ? "all SHA-256 equal (agent's and browser's)" : "MISMATCH"
    }`,
  );
  if (!relayedOk) {
    console.error(JSON.stringify({
      bigSha,
      largeDown: rLargeDown.result,
      largeUp: { state: rLargeUp.result.state, sha256: rLargeUp.result.sha256 },
      smallDown: rSmallDown.result,
      smallUp: { state: rSmallUp.result.state, entries: rSmallUp.result.entries },
      upTree: upTree.size,
    }));
    Deno.exitCode = 1;
  }
} finally {
  for (const child of children.reverse()) {
    try {
      child.kill();
      await child.status;
    } catch {
      // gone already
    }
  }
  for (const stop of stops) await stop().catch(() => {});
  if (TRACE) {
    await probe.save();
    await Deno.writeTextFile(`${TRACE}/agent.log`, agentOutput.join(""));
  }
  await Deno.remove(work, { recursive: true }).catch(() => {});
}
