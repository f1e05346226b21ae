/**
 * For the file manager's end-to-end test (tests/e2e/browser_files_test.ts): the agent program
 * run with its own home folder (the customer's files), trees of SHA-256 on disk and in the
 * technician's browser storage (the origin private file system the file manager's left pane
 * uses in headless Chromium, where no folder picker can be answered), and small waits.
 */
import type { Page } from "playwright-core";
import type { AppDeps, CurrentUser } from "../../modules/http/mod.ts";
import { createPrivateSession, findByToken, startSession } from "../../modules/support/mod.ts";
import { runAgent } from "./agent_e2e.ts";

/** Progress lines, so a stuck step names itself in the test output. */
export const step = (what: string) => console.log(`  · ${what}`);
export { runAgent };

export async function waitFor(what: string, check: () => Promise<boolean> | boolean, ms = 20_000) {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export async function sha256(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Every file (its SHA-256) and folder ("dir") under `root` on disk, by relative path. */
export async function diskTree(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (dir: string, prefix: string) => {
    for await (const entry of Deno.readDir(dir)) {
      const rel = prefix + entry.name;
      if (entry.isDirectory) {
        out[rel] = "dir";
        await walk(`${dir}/${entry.name}`, `${rel}/`);
      } else out[rel] = await sha256(await Deno.readFile(`${dir}/${entry.name}`));
    }
  };
  await walk(root, "");
  return out;
}

/** The same for a folder of the page's browser storage ("" its root). */
export function storageTree(page: Page, folder = ""): Promise<Record<string, string>> {
  return page.evaluate(async (folder) => {
    const out: Record<string, string> = {};
    const hex = (buffer: ArrayBuffer) =>
      [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, "0")).join("");
    let root = await navigator.storage.getDirectory();
    for (const part of folder.split("/").filter(Boolean)) {
      root = await root.getDirectoryHandle(part);
    }
    const walk = async (dir: FileSystemDirectoryHandle, prefix: string) => {
      for await (const handle of dir.values()) {
        const rel = prefix + handle.name;
        if (handle.kind === "directory") {
          out[rel] = "dir";
          await walk(handle as FileSystemDirectoryHandle, `${rel}/`);
        } else {
          const file = await (handle as FileSystemFileHandle).getFile();
          out[rel] = hex(await crypto.subtle.digest("SHA-256", await file.arrayBuffer()));
        }
      }
    };
    await walk(root, "");
    return out;
  }, folder);
}

/** Writes a file into the page's browser storage (the technician's own side changing). */
export function storageWrite(page: Page, path: string, text: string): Promise<void> {
  return page.evaluate(async ({ path, text }) => {
    const parts = path.split("/");
    let dir = await navigator.storage.getDirectory();
    for (const part of parts.slice(0, -1)) {
      dir = await dir.getDirectoryHandle(part, { create: true });
    }
    const file = await dir.getFileHandle(parts[parts.length - 1], { create: true });
    const writable = await file.createWritable();
    await writable.write(text);
    await writable.close();
  }, { path, text });
}

/** The customer's files: a small tree, a text file to edit and a large file to cut. */
export async function customerFiles(home: string, bigMiB: number) {
  const write = (path: string, text: string) => Deno.writeTextFile(`${home}/${path}`, text);
  await Deno.mkdir(`${home}/project/sub`, { recursive: true });
  await Deno.mkdir(`${home}/project/deep/er`, { recursive: true });
  await write("project/a.txt", "alpha\n");
  await write("project/sub/b.log", "beta log line\n".repeat(100));
  await Deno.writeFile(`${home}/project/sub/c.bin`, crypto.getRandomValues(new Uint8Array(60_000)));
  await write("project/deep/er/d.txt", "delta\n");
  await write("project/.hidden", "not shown unless asked\n");
  await write("notes.txt", "line one\nline two\n");
  const block = new Uint8Array(1024 * 1024);
  for (let at = 0; at < block.length; at += 65536) {
    crypto.getRandomValues(block.subarray(at, at + 65536));
  }
  const big = await Deno.open(`${home}/big.bin`, { write: true, create: true, truncate: true });
  for (let i = 0; i < bigMiB; i++) {
    block[0] = i & 0xff;
    block[1] = i >> 8;
    for (let done = 0; done < block.length;) done += await big.write(block.subarray(done));
  }
  big.close();
}

/**
 * A PIN session for the customer Carol made by `tech` (the product's call, not the console),
 * the real support app joined by its PIN (`agent`: runAgent's options; `started` gets the app's
 * run at once, for the test's clean-up), its own window open on its consent page (`newPage`),
 * then — once the customer is connected — the session started by `tech`.
 */
export async function startedPinSession(
  deps: AppDeps,
  tech: CurrentUser,
  newPage: () => Promise<Page>,
  agent: Omit<Parameters<typeof runAgent>[0], "pin">,
  started: (run: ReturnType<typeof runAgent>) => void,
) {
  const created = await createPrivateSession(deps, tech, {
    method: "pin",
    customerName: "Carol",
    fields: {},
  });
  const run = runAgent({ pin: created.session.pin!, ...agent });
  started(run);
  const appWindow = await newPage();
  await appWindow.goto(await run.page);
  await appWindow.locator("#consent").waitFor();
  await waitFor(
    "the customer connected",
    async () => (await findByToken(deps, created.session.token))?.customerState === "connected",
  );
  await startSession(deps, tech, created.session.id);
  return { created, id: created.session.id, run, appWindow };
}
