/**
 * OS credentials typed at Connect reach a device held by ANOTHER instance (issue 19), end to
 * end on PostgreSQL: two real apps on one database (tests/support/cluster.ts, the live bus on
 * LISTEN/NOTIFY), the real agent running as a service (its generated unit's command) whose
 * device socket is held by instance B, a login screen on its Xvfb display (the stand-in
 * greeter: an xterm running a script named like LightDM's that writes what it read to a
 * file), and the technician connecting on instance A with the customer's user name and
 * password in the Connect form. A seals them to the device's X25519 key for the new session
 * and puts the blob in the `deviceJoin` notice; B passes it on; the service opens it and types
 * it into the greeter — which must read exactly the user name and password. Meanwhile every
 * NOTIFY on the bus is recorded: neither the password nor the user name is in any of them, in
 * any row of any table, in the instances' logs or in the service's output.
 * Then an agent from before sealing (no sealing key in its hello), held by B: a Connect with
 * credentials on A is refused with the reason in words; without them it connects.
 */
import assert from "node:assert/strict";
import postgres from "postgres";
import { startClusterApps } from "../support/cluster.ts";
import { TECH_PASSWORD } from "../support/org.ts";
import { technician } from "../support/sessions.ts";
import { startXvfb } from "../../agent/platform/xvfb_test_support.ts";
import { agentCommand, SystemdInstaller, unitCommand } from "../../agent/unattended/installer.ts";
import { greeterLock, standInGreeter } from "../../agent/unattended/greeter_test_support.ts";
import { DeviceService, type JoinRequest } from "../../agent/unattended/service.ts";
import { BUS_CHANNEL } from "../../modules/live/mod.ts";
import { readLog } from "../../modules/support/mod.ts";
import { devices } from "../../modules/unattended/mod.ts";
import { deviceWithGrant } from "../../modules/unattended/test_fixtures.ts";
import { eq } from "drizzle-orm";
import { eventually } from "../support/eventually.ts";

const DATABASE_URL = Deno.env.get("DATABASE_URL");
const step = (what: string) => console.log(`  · ${what}`);
const OS_USER = "anne-cluster-q7";
const OS_PASSWORD = "Pw across-instances-é!9";
const ACCESS = ["unattendedAccess", "startPrivate", "desktopView", "remoteControl"] as const;

/** Every row of every table of the database, as text. */
async function everyRow(sql: postgres.Sql): Promise<string> {
  const tables = await sql<{ name: string }[]>`
    select table_name as name from information_schema.tables
    where table_schema = 'public' and table_type = 'BASE TABLE'`;
  let text = "";
  for (const { name } of tables) {
    const rows = await sql.unsafe(`select t::text as row from "${name}" t`);
    for (const row of rows) text += `${name}: ${row.row}\n`;
  }
  return text;
}

Deno.test({
  name:
    "e2e: credentials typed at Connect on instance A reach the login screen of a device held by instance B, sealed; an older agent there is refused in words",
  ignore: !DATABASE_URL,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    using _greeters = await greeterLock(); // a real LightDM may run in another test
    const xvfb = await startXvfb({ width: 1024, height: 640 });
    const cluster = await startClusterApps(2);
    const [a, b] = cluster.apps;
    const sql = postgres(DATABASE_URL!, { max: 2, onnotice: () => {} });
    const root = await Deno.makeTempDir({ prefix: "rescue-cluster-sign-in-" });
    const children: Deno.ChildProcess[] = [];
    let older: DeviceService | null = null;
    try {
      // Every notice any instance sends, as PostgreSQL delivers it.
      const notices: string[] = [];
      await sql.listen(BUS_CHANNEL, (payload) => notices.push(payload));
      const ann = await technician(a, { permissions: [...ACCESS], name: "Ann" });
      const stateDir = `${root}/var/lib/rescue-agent`;
      const { device } = await deviceWithGrant(a, ann, {
        dir: stateDir,
        window: { kind: "unlimited" },
      });

      // --- the service, its socket on B ---
      const unit = await Deno.readTextFile(
        await new SystemdInstaller(root).install({
          server: b.url,
          stateDir,
          command: agentCommand(),
          display: xvfb.display,
        }),
      );
      const { argv, env } = unitCommand(unit);
      const service = new Deno.Command(argv[0], {
        args: argv.slice(1),
        env: { ...env, LANG: "en_US.UTF-8", HOME: root },
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      children.push(service);
      let serviceSaid = "";
      for (const stream of [service.stdout, service.stderr]) {
        stream.pipeThrough(new TextDecoderStream()).pipeTo(
          new WritableStream({ write: (chunk) => void (serviceSaid += chunk) }),
        ).catch(() => {});
      }
      const row = await eventually("the device online on B", async () => {
        const [row] = await a.deps.db.select().from(devices).where(eq(devices.id, device.id));
        return row.onlineInstance === b.deps.instance.id && row.sealingKey ? row : null;
      });
      assert.match(row.sealingKey!, /^[A-Za-z0-9_-]{43}$/);
      step("the service is online on B with its sealing key");

      // --- the login screen, and Connect on A with the customer's credentials ---
      const greeter = await standInGreeter(xvfb.display, root);
      children.push(greeter.child);
      const client = a.client();
      await client.signIn(ann.email, TECH_PASSWORD);
      const connected = await client.post(`/console/computers/${device.id}/connect`, {
        osUser: OS_USER,
        osPassword: OS_PASSWORD,
      });
      assert.equal(connected.status, 303, await connected.text());
      const sessionId = /open=([0-9a-f-]{36})/.exec(connected.headers.get("location") ?? "")![1];
      const read = await eventually(
        "the greeter read the credentials",
        () => Deno.readTextFile(greeter.read).catch(() => ""),
      );
      assert.equal(read, `${OS_USER}\n${OS_PASSWORD}\n`);
      const signIn = async () =>
        (await readLog(a.deps.db, sessionId)).map((line) => line.body)
          .filter((body) => body.startsWith("log.unattendedSignIn."));
      await eventually(
        "the greeter closed, in the session's log",
        async () => (await signIn()).includes("log.unattendedSignIn.greeter_closed"),
      );
      assert.deepEqual(await signIn(), [
        "log.unattendedSignIn.signing_in",
        "log.unattendedSignIn.greeter_closed",
      ]);
      step("Connect on A: the greeter on B's device read the user name and password");

      // --- where they went: sealed in the notice, in the clear nowhere ---
      const joinNotice = notices.map((payload) => JSON.parse(payload).event)
        .find((event) => event.kind === "deviceJoin" && event.sessionId === sessionId);
      assert.ok(joinNotice?.sealedCredentials, "the notice carried them, sealed");
      assert.equal(joinNotice.deviceRef, device.id);
      const everywhere = {
        notices: notices.join("\n"),
        rows: await everyRow(sql),
        logs: [...a.logLines, ...b.logLines].join("\n"),
        service: serviceSaid,
      };
      assert.match(everywhere.rows, /unattended\.connected/, "the rows were read");
      for (const [where, text] of Object.entries(everywhere)) {
        assert.ok(!text.includes(OS_PASSWORD), `the password is not in the ${where}`);
        assert.ok(!text.includes(OS_USER), `the user name is not in the ${where}`);
      }
      step("sealed in the notice; not in any notice, row, log line or service output in clear");

      // --- an agent from before sealing, held by B ---
      const previous = await deviceWithGrant(a, ann, {
        name: "old-pc",
        window: { kind: "unlimited" },
      });
      const joins: JoinRequest[] = [];
      const online = Promise.withResolvers<void>();
      older = new DeviceService({
        url: `${b.url.replace("http:", "ws:")}/agent/device`,
        deviceId: previous.deviceId,
        os: "linux",
        name: "old-pc",
        agentVersion: "before-sealing",
        key: previous.key,
        log: () => {},
        onJoin: (join) => (joins.push(join), Promise.resolve()),
        onStatus: (status) => status === "online" && online.resolve(),
      });
      older.start();
      await online.promise;
      const refused = await client.post(`/console/computers/${previous.device.id}/connect`, {
        osUser: OS_USER,
        osPassword: OS_PASSWORD,
      });
      assert.equal(refused.status, 409);
      assert.match(
        await refused.text(),
        /cannot reach this computer securely: its agent is connected to another server/,
      );
      assert.equal(joins.length, 0);
      const plain = await client.post(`/console/computers/${previous.device.id}/connect`, {});
      assert.equal(plain.status, 303);
      await eventually("the older agent joined", () => joins.length === 1);
      assert.equal(joins[0].credentials, undefined);
      step("an older agent held by B: Connect with credentials refused in words; without, joined");
    } finally {
      older?.stop();
      for (const child of children) {
        try {
          child.kill("SIGKILL");
        } catch { /* gone */ }
        await child.status.catch(() => {});
      }
      await sql.end({ timeout: 1 }).catch(() => {});
      await cluster.close();
      await xvfb.stop();
      await Deno.remove(root, { recursive: true }).catch(() => {});
    }
  },
});
