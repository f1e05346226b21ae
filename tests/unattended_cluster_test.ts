/**
 * Unattended access across two instances on one PostgreSQL: the device's service holds its
 * socket on instance A (the real client, agent/unattended/service.ts, in this process); a
 * technician connects on instance B; A hears the new session's notice and tells the device
 * to join — once. Runs only with DATABASE_URL (PostgreSQL).
 */
import assert from "node:assert/strict";
import { startClusterApps } from "./support/cluster.ts";
import { technician } from "./support/sessions.ts";
import { DeviceService, type JoinRequest } from "../agent/unattended/service.ts";
import { computersFor, connectUnattended } from "../modules/unattended/mod.ts";
import { deviceWithGrant } from "../modules/unattended/test_fixtures.ts";

Deno.test({
  name: "unattended: a Connect on instance B reaches the device held by instance A, once",
  ignore: !Deno.env.get("DATABASE_URL"),
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const cluster = await startClusterApps(2);
    const [a, b] = cluster.apps;
    let service: DeviceService | null = null;
    try {
      const ann = await technician(a, {
        permissions: ["unattendedAccess", "startPrivate", "desktopView", "remoteControl"],
        name: "Ann",
      });
      const { device, key, deviceId } = await deviceWithGrant(a, ann);
      const joins: JoinRequest[] = [];
      const online = Promise.withResolvers<void>();
      const joined = Promise.withResolvers<void>();
      service = new DeviceService({
        url: `${a.url.replace("http:", "ws:")}/agent/device`,
        deviceId,
        os: "linux",
        name: "reception-pc",
        agentVersion: "test",
        key,
        log: () => {},
        onJoin: (join) => {
          joins.push(join);
          joined.resolve();
          return Promise.resolve();
        },
        onStatus: (status) => status === "online" && online.resolve(),
      });
      service.start();
      await online.promise;
      const [seen] = await computersFor(b.deps, ann);
      assert.equal(seen.online, true, "B sees it online (A holds it)");
      const { session } = await connectUnattended(b.deps, ann, device.id, b.clock.now());
      await joined.promise;
      assert.equal(joins[0].sessionId, session.id);
      assert.equal(joins[0].token, session.token);
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(joins.length, 1, "joined once");
    } finally {
      service?.stop();
      await cluster.close();
    }
  },
});
