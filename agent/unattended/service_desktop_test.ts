// The unattended service's desktop (service_desktop.ts) on fake roots: no X server, only
// Xwayland, a display that will not open, a missing library — each said as the hello's
// `noDesktop` code the server words for the technician (as a support app's is) — and a display
// that opens, whose hello says nothing of the kind. The hellos pass the protocol's schema.
import assert from "node:assert/strict";
import { AgentMessageSchema } from "../../protocol/mod.ts";
import { NoDesktop } from "../platform/mod.ts";
import { findServiceDesktop, serviceHello } from "./service_desktop.ts";

async function fakeRoot(files: Record<string, string>): Promise<string> {
  const root = await Deno.makeTempDir({ prefix: "service-desktop-" });
  for (const [path, text] of Object.entries(files)) {
    await Deno.mkdir(`${root}/${path.replace(/\/[^/]+$/, "")}`, { recursive: true });
    await Deno.writeTextFile(`${root}/${path}`, text);
  }
  return root;
}

const BASE = {
  token: "tok_abcdefgh12345678",
  deviceId: "device-0001",
  os: "linux" as const,
  language: "en-GB",
  agentVersion: "1.0.0",
};

const unused = (): never => {
  throw new Error("nothing to open");
};

function assertHello(hello: ReturnType<typeof serviceHello>) {
  const parsed = AgentMessageSchema.safeParse({ type: "hello", ...hello });
  assert.ok(parsed.success, parsed.success ? "" : parsed.error.message);
}

Deno.test("findServiceDesktop() and serviceHello(): no display, or why not, as the hello's noDesktop", async () => {
  const xorg = "/usr/lib/xorg/Xorg\0:0\0-auth\0/var/run/lightdm/root/:0\0";
  const roots = {
    none: await fakeRoot({ "proc/1/cmdline": "init\0" }),
    wayland: await fakeRoot({
      "tmp/.X11-unix/X1024": "",
      "proc/9/cmdline": "/usr/bin/Xwayland\0:1024\0-rootless\0",
    }),
    xorg: await fakeRoot({ "tmp/.X11-unix/X0": "", "proc/100/cmdline": xorg }),
  };
  const lines: string[] = [];
  const log = (line: string) => lines.push(line);
  try {
    const none = await findServiceDesktop(undefined, { log, open: unused, root: roots.none });
    assert.ok(none.desktop instanceof NoDesktop);
    assert.deepEqual(none.said, { reason: "noDisplay" });
    assert.match(none.why ?? "", /no X server runs on this computer/);
    const hello = serviceHello(BASE, none);
    assert.deepEqual(hello.noDesktop, { reason: "noDisplay" });
    assert.deepEqual(hello.screen, { width: 1, height: 1 });
    assertHello(hello);

    const wayland = await findServiceDesktop(undefined, { log, open: unused, root: roots.wayland });
    assert.deepEqual(serviceHello(BASE, wayland).noDesktop, { reason: "waylandScreen" });
    assertHello(serviceHello(BASE, wayland));

    const refused = await findServiceDesktop(undefined, {
      log,
      root: roots.xorg,
      open: () => {
        throw new Error("XOpenDisplay(:0) failed");
      },
    });
    assert.deepEqual(refused.said, { reason: "displayFailed", detail: ":0" });
    assertHello(serviceHello(BASE, refused));
    const library = await findServiceDesktop(undefined, {
      log,
      root: roots.xorg,
      open: () => {
        throw new Error("Could not open library: libXtst.so.6: cannot open shared object file");
      },
    });
    assert.deepEqual(library.said, { reason: "library", detail: "libXtst.so" });

    // A display that opens: its size and layout, no noDesktop.
    const screen = Object.assign(new NoDesktop(), { width: 1280, height: 720 });
    const shared = await findServiceDesktop(undefined, {
      log,
      root: roots.xorg,
      open: () => screen,
    });
    assert.equal(shared.display, ":0");
    assert.equal(shared.said, undefined);
    const seen = serviceHello(BASE, shared);
    assert.equal("noDesktop" in seen, false);
    assert.deepEqual(seen.screen, { width: 1280, height: 720 });
    assertHello(seen);
  } finally {
    for (const root of Object.values(roots)) await Deno.remove(root, { recursive: true });
  }
});
