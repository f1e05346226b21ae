// The XInput 2 layout table (x11_xinput.ts) against this machine's headers: a throwaway C
// program compiled with gcc prints the sizes, offsets and constants the agent writes or reads
// without headers at run time. Ignored where gcc or XInput2.h (libxi-dev) is missing.
import assert from "node:assert/strict";
import { GENERIC_EVENT_COOKIE, XI, XI_EVENT_MASK } from "./x11_xinput.ts";

const HEADER = "/usr/include/X11/extensions/XInput2.h";

async function hasTools(): Promise<boolean> {
  try {
    await Deno.stat(HEADER);
    const gcc = await new Deno.Command("gcc", { args: ["--version"], stdout: "null" }).output();
    return gcc.success;
  } catch {
    return false;
  }
}

const PROGRAM = `
#include <stddef.h>
#include <stdio.h>
#include <X11/Xlib.h>
#include <X11/extensions/XInput2.h>
#define P(name, value) printf("\\"%s\\": %ld,\\n", name, (long)(value))
int main(void) {
  printf("{\\n");
  P("mask.size", sizeof(XIEventMask));
  P("mask.deviceid", offsetof(XIEventMask, deviceid));
  P("mask.maskLen", offsetof(XIEventMask, mask_len));
  P("mask.mask", offsetof(XIEventMask, mask));
  P("cookie.size", sizeof(XGenericEventCookie));
  P("cookie.type", offsetof(XGenericEventCookie, type));
  P("cookie.serial", offsetof(XGenericEventCookie, serial));
  P("cookie.extension", offsetof(XGenericEventCookie, extension));
  P("cookie.evtype", offsetof(XGenericEventCookie, evtype));
  P("xevent.size", sizeof(XEvent));
  P("XI.GenericEvent", GenericEvent);
  P("XI.XI_RawMotion", XI_RawMotion);
  P("XI.XIAllMasterDevices", XIAllMasterDevices);
  P("XI.maskLenFits", XIMaskLen(XI_RawMotion));
  P("XI.Success", Success);
  printf("\\"end\\": 0}\\n");
  return 0;
}
`;

Deno.test({
  name: "x11_xinput's XIEventMask, XGenericEventCookie and constants match XInput2.h",
  ignore: !(await hasTools()),
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "xinput_abi_" });
    try {
      await Deno.writeTextFile(`${dir}/probe.c`, PROGRAM);
      const cc = await new Deno.Command("gcc", {
        args: ["-Wall", "-o", `${dir}/probe`, `${dir}/probe.c`],
        stderr: "piped",
      }).output();
      assert.ok(cc.success, new TextDecoder().decode(cc.stderr));
      const out = await new Deno.Command(`${dir}/probe`, { stdout: "piped" }).output();
      const c: Record<string, number> = JSON.parse(new TextDecoder().decode(out.stdout));
      assert.deepEqual(XI_EVENT_MASK, {
        size: c["mask.size"],
        deviceid: c["mask.deviceid"],
        maskLen: c["mask.maskLen"],
        mask: c["mask.mask"],
      });
      assert.deepEqual(GENERIC_EVENT_COOKIE, {
        size: c["cookie.size"],
        type: c["cookie.type"],
        serial: c["cookie.serial"],
        extension: c["cookie.extension"],
        evtype: c["cookie.evtype"],
      });
      // The cookie is read out of the XEvent buffer XNextEvent fills (XEVENT_SIZE bytes).
      assert.ok(GENERIC_EVENT_COOKIE.size <= c["xevent.size"]);
      assert.equal(XI.GenericEvent, c["XI.GenericEvent"]);
      assert.equal(XI.XI_RawMotion, c["XI.XI_RawMotion"]);
      assert.equal(XI.XIAllMasterDevices, c["XI.XIAllMasterDevices"]);
      assert.equal(XI.Success, c["XI.Success"]);
      assert.ok(XI.maskLen >= c["XI.maskLenFits"], "the mask holds XI_RawMotion's bit");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
