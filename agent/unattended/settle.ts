/**
 * The support app a service runs, kept where the customer's download is not. The portable
 * package's read-me says to delete its folder when the session is over, and a service started
 * from that folder would stop working then (at the next boot or restart). So at install the
 * runtime (deno, deno.exe) and the bundled agent.js — with the DLLs beside them (Windows codecs)
 * and the package's ca.pem that the trust names — are copied into `<into>/app-<version>`, and the
 * service runs that copy. One folder per content: a running service's files are never written
 * over (Windows refuses to anyway) — a newer app approved later gets a folder of its own, and the
 * folders no longer used are removed when they can be. A compiled agent is one file, copied
 * alike. A checkout's main.ts (development, the tests) is left where it is.
 */
import { basename, dirname, join } from "node:path";

/** The certificate trust a service runs with (installer.ts `ServiceSpec.trust`). */
export type Trust = { DENO_CERT?: string; DENO_TLS_CA_STORE?: string };

export interface SettledApp {
  command: string[];
  trust: Trust;
  /** The folder the app now runs from (null: left where it was). */
  dir: string | null;
}

const APP_PREFIX = "app-";

async function _digest(parts: readonly Uint8Array[]): Promise<string> {
  const joined = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const part of parts) {
    joined.set(part, at);
    at += part.byteLength;
  }
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", joined));
  return [...hash.slice(0, 6)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Copies the app `command` runs into `into` (see above); the command and trust to use now. */
export async function settleApp(
  command: readonly string[],
  into: string,
  trust: Trust = {},
): Promise<SettledApp> {
  const exec = command[0];
  const script = command.length > 1 ? command.at(-1)! : null;
  if (script !== null && basename(script) !== "agent.js") {
    return { command: [...command], trust: { ...trust }, dir: null };
  }
  const files: { from: string; name: string }[] = [{ from: exec, name: basename(exec) }];
  if (script !== null) files.push({ from: script, name: "agent.js" });
  // The DLLs beside the runtime and the script (the codecs; what a runtime loads from its folder).
  for (const folder of new Set([dirname(exec), ...(script !== null ? [dirname(script)] : [])])) {
    for await (const entry of Deno.readDir(folder)) {
      if (
        entry.isFile && /\.dll$/i.test(entry.name) && !files.some((f) => f.name === entry.name)
      ) {
        files.push({ from: join(folder, entry.name), name: entry.name });
      }
    }
  }
  const cert = trust.DENO_CERT;
  if (cert) files.push({ from: cert, name: "ca.pem" });
  // The version: the script's bytes and the runtime's size (a compiled agent: its bytes).
  const version = await _digest([
    await Deno.readFile(script ?? exec),
    new TextEncoder().encode(String((await Deno.stat(exec)).size)),
    ...(cert ? [await Deno.readFile(cert)] : []),
  ]);
  const dir = join(into, `${APP_PREFIX}${version}`);
  const done = join(dir, ".complete");
  if (!(await Deno.stat(done).then(() => true, () => false))) {
    const partial = `${dir}.partial`;
    await Deno.remove(partial, { recursive: true }).catch(() => {});
    await Deno.mkdir(partial, { recursive: true });
    for (const file of files) await Deno.copyFile(file.from, join(partial, file.name));
    await Deno.writeTextFile(join(partial, ".complete"), "");
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    await Deno.rename(partial, dir);
  }
  await pruneApps(into, dir);
  const settled = [join(dir, basename(exec)), ...command.slice(1)];
  if (script !== null) settled[settled.length - 1] = join(dir, "agent.js");
  return {
    command: settled,
    trust: cert ? { ...trust, DENO_CERT: join(dir, "ca.pem") } : { ...trust },
    dir,
  };
}

/**
 * Removes the app copies in `into` but `keep` (null: all) that no running service uses any
 * more — one in use on Windows stays (refused), and goes at a later install or uninstall.
 */
export async function pruneApps(into: string, keep: string | null): Promise<void> {
  for await (const entry of Deno.readDir(into)) {
    if (entry.isDirectory && entry.name.startsWith(APP_PREFIX) && join(into, entry.name) !== keep) {
      await Deno.remove(join(into, entry.name), { recursive: true }).catch(() => {});
    }
  }
}
