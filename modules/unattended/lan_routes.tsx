/**
 * LAN connect's pages under `/console/computers/:id/lan` (permissions `unattendedAccess` and
 * `lanConnect`, the computer one the technician may use now — lan.ts `lanComputer`):
 * the page, Scan (one per computer at a time), the scan's live hosts (server-sent `host`
 * events carrying the rendered row, then `end`), Stop, a host's key (the Connect dialog) and
 * the push. Bad input is a 400/422 in words; an offline computer a 409. In a cluster these
 * run where the computer's socket is (lan_relay.ts); the host-key pages read the database.
 */
import { type Context, Hono } from "hono";
import {
  type AppEnv,
  type AuthedEnv,
  clientAddress,
  isHtmx,
  liveStream,
  readForm,
  requirePermission,
} from "../http/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import {
  ConnectCredentialsSchema,
  HostKeyFingerprintSchema,
  Ipv4Schema,
} from "../../protocol/mod.ts";
import {
  lanComputer,
  LanPushRefusal,
  type LanScanEvent,
  lanScanOf,
  pushToHost,
  readHostKey,
  scannedSshHost,
  startLanScan,
  stopLanScan,
} from "./lan.ts";
import {
  acceptedBefore,
  acceptHostKey,
  compareHostKey,
  forgetHostKey,
  mayForgetHostKeys,
  rememberedKey,
  rememberedKeys,
} from "./lan_keys.ts";
import { relayToComputerHolder } from "./lan_relay.ts";
import {
  LanConnectDialog,
  LanHostRow,
  LanKeysPage,
  LanPage,
  LanPushed,
  LanScanPanel,
  LanScanState,
} from "./lan_views.tsx";

type C = Context<AuthedEnv>;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function _param(c: C, name: string): string {
  const value = c.req.param(name) ?? "";
  if (!UUID.test(value)) {
    throw new Refusal(404, name === "id" ? "unattended.unknownDevice" : "lan.unknownScan");
  }
  return value;
}

const KEY_TYPE = /^[a-z0-9-]{1,40}$/;

/** After Forget: back to the LAN page or the keys page of that computer, nowhere else. */
function _back(id: string, value: unknown): string {
  const pages = [`/console/computers/${id}/lan`, `/console/computers/${id}/host-keys`];
  return pages.find((page) => page === value) ?? pages[1];
}

function _address(value: unknown): string {
  const parsed = Ipv4Schema.safeParse(value);
  if (!parsed.success) throw new Refusal(400, "lan.badAddress");
  return parsed.data;
}

export const lanRoutes = new Hono<AppEnv>()
  .use("/:id/lan/*", requirePermission("lanConnect"), relayToComputerHolder())
  .use("/:id/lan", requirePermission("lanConnect"), relayToComputerHolder())
  .get("/:id/lan", async (c) => {
    const id = _param(c, "id");
    const { device } = await lanComputer(c.get("deps"), c.get("user"), id);
    const { keys } = await rememberedKeys(c.get("deps"), c.get("user"), id);
    const forgot = c.req.query("forgot");
    const scanId = c.req.query("scan");
    const scan = scanId && UUID.test(scanId)
      ? (() => {
        try {
          return lanScanOf(c.get("deps"), c.get("user"), id, scanId);
        } catch {
          return null;
        }
      })()
      : null;
    return c.html(
      <LanPage
        c={c}
        deviceRef={id}
        computer={device.name}
        scan={scan}
        keys={keys}
        notice={forgot && Ipv4Schema.safeParse(forgot).success
          ? c.get("t")("lan.keys.forgotten", { address: forgot })
          : undefined}
      />,
    );
  })
  .post("/:id/lan/scan", async (c) => {
    const id = _param(c, "id");
    const scan = await startLanScan(c.get("deps"), c.get("user"), id, clientAddress(c));
    if (!isHtmx(c)) return c.redirect(`/console/computers/${id}/lan?scan=${scan.id}`, 303);
    return c.html(<LanScanPanel c={c} deviceRef={id} scan={scan} />);
  })
  .post("/:id/lan/scans/:scan/stop", async (c) => {
    const id = _param(c, "id");
    const scan = await stopLanScan(c.get("deps"), c.get("user"), id, _param(c, "scan"));
    if (!isHtmx(c)) return c.redirect(`/console/computers/${id}/lan?scan=${scan.id}`, 303);
    return c.body(null, 204);
  })
  .get("/:id/lan/scans/:scan/events", async (c) => {
    const id = _param(c, "id");
    const scan = lanScanOf(c.get("deps"), c.get("user"), id, _param(c, "scan"));
    // A reconnecting browser has the rows it was sent: it says how many.
    const after = Number(c.req.header("last-event-id") ?? c.req.query("after") ?? 0) || 0;
    return await liveStream(c, (stream) => {
      let seq = 0;
      const send = (event: LanScanEvent) => {
        seq++;
        if (event.kind === "host") {
          if (seq <= after) return;
          stream.send({
            event: "host",
            id: seq,
            data: String(<LanHostRow c={c} deviceRef={id} host={event.host} />),
          });
          return;
        }
        stream.send({ event: "end", data: String(<LanScanState c={c} end={event.end} />) });
        stream.close();
      };
      for (const host of scan.hosts) send({ kind: "host", host });
      if (scan.end) return send({ kind: "end", end: scan.end });
      scan.listeners.add(send);
      stream.onClose(() => void scan.listeners.delete(send));
    });
  })
  .post("/:id/lan/hosts/:address/key", async (c) => {
    const id = _param(c, "id");
    const address = _address(c.req.param("address"));
    const deps = c.get("deps");
    const { device } = await lanComputer(deps, c.get("user"), id);
    const key = await readHostKey(deps, c.get("user"), id, address);
    const memory = compareHostKey(await rememberedKey(deps, device, address), key.fingerprint);
    return c.html(
      <LanConnectDialog
        c={c}
        deviceRef={id}
        computer={device.name}
        host={key.host}
        fingerprint={key.fingerprint}
        keyType={key.keyType}
        memory={memory}
      />,
    );
  })
  .post("/:id/lan/push", async (c) => {
    const id = _param(c, "id");
    const deps = c.get("deps");
    const user = c.get("user");
    const form = await readForm(c);
    const address = _address(form.address);
    const fingerprint = HostKeyFingerprintSchema.safeParse(form.fingerprint);
    if (!fingerprint.success) throw new Refusal(400, "lan.badFingerprint");
    const keyType = typeof form.keyType === "string" && KEY_TYPE.test(form.keyType)
      ? form.keyType
      : "";
    const credentials = ConnectCredentialsSchema.safeParse({
      user: typeof form.adminUser === "string" ? form.adminUser.trim() : "",
      password: typeof form.adminPassword === "string" ? form.adminPassword : "",
    });
    if (!credentials.success) throw new Refusal(422, "lan.credentialsNeeded");
    const { device } = await lanComputer(deps, user, id);
    scannedSshHost(deps, id, address); // a key is accepted only for a host the scan found
    // Accepted now (remembered, audited), or the very key accepted before; else not at all.
    const memory = compareHostKey(await rememberedKey(deps, device, address), fingerprint.data);
    if (form.acceptKey === "1" && !acceptedBefore(memory)) {
      await acceptHostKey(deps, user, device, {
        address,
        keyType,
        fingerprint: fingerprint.data,
        ip: clientAddress(c),
      });
    } else if (!acceptedBefore(memory)) {
      throw new Refusal(422, "lan.acceptKeyFirst");
    }
    try {
      const session = await pushToHost(deps, user, id, {
        address,
        fingerprint: fingerprint.data,
        credentials: credentials.data,
        ip: clientAddress(c),
      });
      return c.html(
        <LanPushed
          c={c}
          host={session.customerName}
          sessionNumber={String(session.number)}
          sessionId={session.id}
        />,
      );
    } catch (error) {
      // The push's own failure: the dialog again, with the reason and the user name kept.
      if (!(error instanceof LanPushRefusal)) throw error;
      const words = c.get("t")(error.key);
      const host = { address, ports: [22 as const], neighbour: false };
      return c.html(
        <LanConnectDialog
          c={c}
          deviceRef={id}
          computer={device.name}
          host={host}
          fingerprint={fingerprint.data}
          keyType={keyType}
          memory={compareHostKey(await rememberedKey(deps, device, address), fingerprint.data)}
          user={credentials.data.user}
          error={error.detail ? `${words} (${error.detail})` : words}
        />,
        409,
      );
    }
  })
  // The remembered host keys of a computer: also for an admin without LAN connect.
  .get("/:id/host-keys", async (c) => {
    const user = c.get("user");
    if (!mayForgetHostKeys(user)) {
      throw new Refusal(403, "errors.permissionMissing", { params: { permission: "lanConnect" } });
    }
    const { device, keys } = await rememberedKeys(c.get("deps"), user, _param(c, "id"));
    const forgot = c.req.query("forgot");
    return c.html(
      <LanKeysPage
        c={c}
        deviceRef={device.id}
        computer={device.name}
        keys={keys}
        flash={forgot && Ipv4Schema.safeParse(forgot).success
          ? c.get("t")("lan.keys.forgotten", { address: forgot })
          : undefined}
      />,
    );
  })
  .post("/:id/host-keys/:key/forget", async (c) => {
    const id = _param(c, "id");
    const key = c.req.param("key") ?? "";
    if (!UUID.test(key)) throw new Refusal(404, "lan.keys.unknown");
    const form = await readForm(c);
    const gone = await forgetHostKey(c.get("deps"), c.get("user"), id, key, clientAddress(c));
    return c.redirect(`${_back(id, form.back)}?forgot=${gone.address}`, 303);
  });
