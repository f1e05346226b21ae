// The device's sign-in report on the real `/agent/device` socket (issue 19): the service (the
// agent's own DeviceService, with the device key) tells how signing in on the login screen
// went; the server words it in the session's log — only for a session it told the device to
// join, a few lines per session at most.
import assert from "node:assert/strict";
import { servedAppTest } from "../../tests/support/sockets.ts";
import { carolSession, technician } from "../../tests/support/sessions.ts";
import { DeviceService, type JoinRequest } from "../../agent/unattended/service.ts";
import { readLog } from "../support/mod.ts";
import { connectUnattended } from "./connect.ts";
import { deviceWithGrant } from "./test_fixtures.ts";

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 10_000) {
  const end = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > end) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const signInLines = async (t: Parameters<Parameters<typeof servedAppTest>[1]>[0], id: string) =>
  (await readLog(t.deps.db, id)).filter((line) => line.body.startsWith("log.unattendedSignIn."))
    .map((line) => [line.body, line.data]);

servedAppTest(
  "/agent/device: a signIn report becomes a line in the joined session's log, and only there",
  async (t, port) => {
    const ann = await technician(t, {
      permissions: ["unattendedAccess", "startPrivate", "desktopView", "remoteControl"],
    });
    const pc = await deviceWithGrant(t, ann, { window: { kind: "unlimited" } });
    const joins: JoinRequest[] = [];
    const service = new DeviceService({
      url: `ws://127.0.0.1:${port}/agent/device`,
      deviceId: pc.deviceId,
      os: "linux",
      name: "reception-pc",
      agentVersion: "test",
      key: pc.key,
      log: () => {},
      onJoin: (join) => {
        joins.push(join);
        return Promise.resolve();
      },
    });
    service.start();
    try {
      await until("the device online", () => Promise.resolve(service.welcomes > 0 || undefined));
      const { session } = await connectUnattended(t.deps, ann, pc.device.id, t.clock.now());
      await until("the join", () => Promise.resolve(joins[0]));
      const elsewhere = await carolSession(t, ann);

      service.reportSignIn({ sessionId: elsewhere.id, code: "greeter_closed", greeter: "sddm" });
      service.reportSignIn({ sessionId: session.id, code: "signing_in", greeter: "lightdm_gtk" });
      for (let i = 0; i < 6; i++) {
        service.reportSignIn({
          sessionId: session.id,
          code: "greeter_stayed",
          greeter: "gdm_xorg",
        });
      }
      await until("four lines", async () => {
        const lines = await signInLines(t, session.id);
        return lines.length >= 4 ? lines : undefined;
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.deepEqual(await signInLines(t, session.id), [
        ["log.unattendedSignIn.signing_in", { greeter: "LightDM GTK" }],
        ["log.unattendedSignIn.greeter_stayed", { greeter: "GDM" }],
        ["log.unattendedSignIn.greeter_stayed", { greeter: "GDM" }],
        ["log.unattendedSignIn.greeter_stayed", { greeter: "GDM" }],
      ], "four lines at most");
      assert.deepEqual(await signInLines(t, elsewhere.id), [], "not a session it joined");
    } finally {
      service.stop();
      await service.done;
    }
  },
);
