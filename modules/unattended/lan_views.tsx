/**
 * "Computers on this network" (`/console/computers/:id/lan`, LAN connect): Scan and Stop, the
 * hosts as they stream in (static/lan_scan.js puts each `LanHostRow` the server renders into
 * the table), and the Connect dialog of a host with SSH: its key's fingerprint to accept, an
 * administrator's user name and password. Windows hosts are listed with Connect disabled and
 * the reason. The page, the stream's rows and the dialog come from these components.
 */
import type { PageContext } from "../http/mod.ts";
import { CsrfField, Flash, Layout } from "../../views/layout.tsx";
import { LAN_PORT_KIND, type LanHost } from "../../protocol/mod.ts";
import { Moment } from "../../views/moment.tsx";
import type { LanScan, ScanEnd } from "./lan.ts";
import type { KeyMemory, RememberedKey } from "./lan_keys.ts";

type C = PageContext;
const PORT_NAMES: Record<number, string> = {
  22: "SSH",
  445: "SMB",
  3389: "RDP",
  5985: "WinRM",
};

function _base(deviceRef: string) {
  return `/console/computers/${deviceRef}/lan`;
}

export function LanPage(
  props: {
    c: C;
    deviceRef: string;
    computer: string;
    scan: LanScan | null;
    keys: RememberedKey[];
    flash?: string;
    notice?: string;
  },
) {
  const { c, deviceRef, computer } = props;
  const t = c.get("t");
  return (
    <Layout c={c} title={t("lan.title", { computer })}>
      <p>
        <a href="/console/computers">{t("lan.back")}</a>
      </p>
      <h1>{t("lan.title", { computer })}</h1>
      <p class="muted">{t("lan.intro", { computer })}</p>
      <Flash kind="error" message={props.flash} />
      <Flash kind="info" message={props.notice} />
      <LanScanPanel c={c} deviceRef={deviceRef} scan={props.scan} />
      <section id="lan-dialog"></section>
      <LanKeyList c={c} deviceRef={deviceRef} keys={props.keys} back={_base(deviceRef)} />
      <script type="module" src="/static/lan_scan.js"></script>
    </Layout>
  );
}

/** The scan: its button, its state, its hosts (streamed while it runs). */
export function LanScanPanel(props: { c: C; deviceRef: string; scan: LanScan | null }) {
  const { c, deviceRef, scan } = props;
  const t = c.get("t");
  const base = _base(deviceRef);
  const running = scan !== null && scan.end === null;
  return (
    <section
      id="lan-scan"
      class="card"
      data-lan-events={running ? `${base}/scans/${scan.id}/events` : undefined}
    >
      <div class="row">
        <form
          method="post"
          action={`${base}/scan`}
          hx-post={`${base}/scan`}
          hx-target="#lan-scan"
          hx-swap="outerHTML"
        >
          <CsrfField c={c} />
          <button type="submit" data-lan-scan disabled={running}>
            {scan ? t("lan.scanAgain") : t("lan.scan")}
          </button>
        </form>
        {running && (
          <form
            method="post"
            action={`${base}/scans/${scan.id}/stop`}
            hx-post={`${base}/scans/${scan.id}/stop`}
            hx-swap="none"
            data-lan-stop
          >
            <CsrfField c={c} />
            <button type="submit">{t("lan.stop")}</button>
          </form>
        )}
        <p class="muted" data-lan-state role="status">
          {scan ? <LanScanState c={c} end={scan.end} /> : t("lan.notScanned")}
        </p>
      </div>
      {scan && (
        <table class="lan-hosts">
          <thead>
            <tr>
              <th scope="col">{t("lan.address")}</th>
              <th scope="col">{t("lan.name")}</th>
              <th scope="col">{t("lan.ports")}</th>
              <th scope="col">{t("lan.kind")}</th>
              <th scope="col">{t("unattended.actions")}</th>
            </tr>
          </thead>
          <tbody data-lan-hosts>
            {scan.hosts.map((host) => <LanHostRow c={c} deviceRef={deviceRef} host={host} />)}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** What the scan is doing, or how it ended. */
export function LanScanState(props: { c: C; end: ScanEnd | null }) {
  const t = props.c.get("t");
  const { end } = props;
  if (!end) return <span data-lan-running>{t("lan.scanning")}</span>;
  if (end.error) {
    const known = ["busy", "no_networks", "failed", "timeout", "disconnected"].includes(end.error);
    return (
      <span data-lan-ended="error">
        {t(known ? `lan.scanError.${end.error as "busy"}` : "lan.scanError.failed")}
      </span>
    );
  }
  return (
    <span data-lan-ended={end.stopped ? "stopped" : "done"}>
      {t(end.stopped ? "lan.stopped" : "lan.done")}
    </span>
  );
}

/** One host: address, name, open ports, what they suggest, Connect (SSH) or why not. */
export function LanHostRow(props: { c: C; deviceRef: string; host: LanHost }) {
  const { c, deviceRef, host } = props;
  const t = c.get("t");
  const kinds = new Set(host.ports.map((port) => LAN_PORT_KIND[port]));
  const ssh = kinds.has("ssh");
  return (
    <tr data-lan-host={host.address} data-ssh={ssh ? "1" : "0"}>
      <th scope="row">{host.address}</th>
      <td>{host.name ?? ""}</td>
      <td>{host.ports.map((port) => `${port} (${PORT_NAMES[port]})`).join(", ")}</td>
      <td>
        {kinds.size === 0 ? t("lan.kindNone") : [...kinds].map((kind) => t(`lan.kindName.${kind}`))
          .join(" · ")}
      </td>
      <td>
        {ssh
          ? (
            <form
              method="post"
              action={`${_base(deviceRef)}/hosts/${host.address}/key`}
              hx-post={`${_base(deviceRef)}/hosts/${host.address}/key`}
              hx-target="#lan-dialog"
              hx-swap="outerHTML"
            >
              <CsrfField c={c} />
              <button type="submit" data-lan-connect={host.address}>{t("lan.connect")}</button>
            </form>
          )
          : (
            <>
              <button type="button" disabled aria-describedby={`why-${host.address}`}>
                {t("lan.connect")}
              </button>
              <div class="muted" id={`why-${host.address}`} data-lan-why>
                {t(kinds.has("windows") ? "lan.windowsNotYet" : "lan.nothingToPush")}
              </div>
            </>
          )}
      </td>
    </tr>
  );
}

export interface ConnectDialogProps {
  c: C;
  deviceRef: string;
  computer: string;
  host: LanHost;
  fingerprint: string;
  keyType: string;
  /** The key against the one remembered for this host (lan_keys.ts). */
  memory: KeyMemory;
  error?: string;
  user?: string;
}

/** Connect to a host with SSH: accept its key, an administrator's user name and password. */
export function LanConnectDialog(props: ConnectDialogProps) {
  const { c, host } = props;
  const t = c.get("t");
  const label = host.name ? `${host.name} (${host.address})` : host.address;
  return (
    <section id="lan-dialog" class="card lan-connect" data-lan-dialog={host.address}>
      <h2>{t("lan.connectTitle", { host: label })}</h2>
      {props.error && <p class="flash error" role="alert" data-lan-error>{props.error}</p>}
      <form
        method="post"
        action={`${_base(props.deviceRef)}/push`}
        hx-post={`${_base(props.deviceRef)}/push`}
        hx-target="#lan-dialog"
        hx-swap="outerHTML"
        hx-disabled-elt="find button"
      >
        <CsrfField c={c} />
        <input type="hidden" name="address" value={host.address} />
        <input type="hidden" name="fingerprint" value={props.fingerprint} />
        <input type="hidden" name="keyType" value={props.keyType} />
        <p>{t("lan.hostKey")}</p>
        <p>
          {props.keyType && <code>{props.keyType}</code>}{" "}
          <code data-lan-fingerprint>
            {props.fingerprint}
          </code>
        </p>
        <KeyMemoryNote c={c} memory={props.memory} />
        {props.memory.kind !== "same" && (
          <>
            {props.memory.kind === "new" && <p class="muted">{t("lan.hostKeyHelp")}</p>}
            <label class="check">
              <input type="checkbox" name="acceptKey" value="1" required />
              {t(props.memory.kind === "changed" ? "lan.keys.acceptNew" : "lan.acceptKey")}
            </label>
          </>
        )}
        <label for="lan-user">{t("lan.adminUser")}</label>
        <input
          id="lan-user"
          type="text"
          name="adminUser"
          maxlength={64}
          required
          autocomplete="off"
          value={props.user ?? ""}
        />
        <label for="lan-password">{t("lan.adminPassword")}</label>
        <input
          id="lan-password"
          type="password"
          name="adminPassword"
          maxlength={512}
          required
          autocomplete="off"
        />
        <p class="muted">{t("lan.credentialsHelp", { computer: props.computer })}</p>
        <button type="submit" data-lan-push>{t("lan.push")}</button>
      </form>
    </section>
  );
}

/** The push went through: the new session is in the technician's queue. */
export function LanPushed(props: { c: C; host: string; sessionNumber: string; sessionId: string }) {
  const t = props.c.get("t");
  return (
    <section id="lan-dialog" class="card" data-lan-pushed={props.sessionId}>
      <p class="flash info" role="status">
        {t("lan.pushed", { host: props.host, number: props.sessionNumber })}
      </p>
      <a href={`/console?open=${props.sessionId}`}>{t("lan.openConsole")}</a>
    </section>
  );
}

/** The key is the one accepted before (by whom, when), or — loudly — a different one. */
function KeyMemoryNote(props: { c: C; memory: KeyMemory }) {
  const { c, memory } = props;
  const t = c.get("t");
  if (memory.kind === "new") return null;
  const { remembered } = memory;
  const accepted = (
    <>
      {t("lan.keys.acceptedBy", { name: remembered.acceptedByName })}
      {" · "}
      <Moment lang={c.get("lang")} at={remembered.acceptedAt} style="dateTime" />
    </>
  );
  if (memory.kind === "same") {
    return (
      <div class="flash info" role="status" data-lan-key="same">
        <p>{t("lan.keys.same")}</p>
        <p class="muted">{accepted}</p>
      </div>
    );
  }
  return (
    <div class="flash error" role="alert" data-lan-key="changed">
      <p>
        <strong>{t("lan.keys.changedTitle")}</strong> {t("lan.keys.changed")}
      </p>
      <p>
        {t("lan.keys.before")} <code data-lan-old-fingerprint>{remembered.fingerprint}</code>
        <br />
        {accepted}
      </p>
    </div>
  );
}

/**
 * The host keys remembered for this computer, each with Forget (a technician with
 * `lanConnect`, an admin). `back`: the page the Forget returns to.
 */
export function LanKeyList(
  props: { c: C; deviceRef: string; keys: RememberedKey[]; back: string },
) {
  const { c, deviceRef, keys } = props;
  const t = c.get("t");
  return (
    <section class="card" id="lan-keys">
      <h2>{t("lan.keys.title")}</h2>
      {keys.length === 0 ? <p class="muted">{t("lan.keys.none")}</p> : (
        <table class="lan-keys">
          <thead>
            <tr>
              <th scope="col">{t("lan.address")}</th>
              <th scope="col">{t("lan.keys.key")}</th>
              <th scope="col">{t("lan.keys.accepted")}</th>
              <th scope="col">{t("unattended.actions")}</th>
            </tr>
          </thead>
          <tbody>
            {keys.map((key) => (
              <tr data-lan-key-row={key.address}>
                <th scope="row">{key.address}</th>
                <td>
                  <code>{key.keyType}</code> <code>{key.fingerprint}</code>
                </td>
                <td>
                  {t("lan.keys.acceptedBy", { name: key.acceptedByName })}
                  {" · "}
                  <Moment lang={c.get("lang")} at={key.acceptedAt} style="dateTime" />
                </td>
                <td>
                  <form
                    method="post"
                    action={`/console/computers/${deviceRef}/host-keys/${key.id}/forget`}
                  >
                    <CsrfField c={c} />
                    <input type="hidden" name="back" value={props.back} />
                    <button type="submit" class="secondary small" data-lan-forget={key.address}>
                      {t("lan.keys.forget")}
                    </button>
                  </form>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p class="muted">{t("lan.keys.help")}</p>
    </section>
  );
}

/** `/console/computers/:id/host-keys`: the list alone (an admin may have no LAN connect). */
export function LanKeysPage(
  props: { c: C; deviceRef: string; computer: string; keys: RememberedKey[]; flash?: string },
) {
  const { c, computer } = props;
  const t = c.get("t");
  return (
    <Layout c={c} title={t("lan.keys.pageTitle", { computer })}>
      <p>
        <a href="/console/computers">{t("lan.back")}</a>
      </p>
      <h1>{t("lan.keys.pageTitle", { computer })}</h1>
      <Flash kind="info" message={props.flash} />
      <LanKeyList
        c={c}
        deviceRef={props.deviceRef}
        keys={props.keys}
        back={`/console/computers/${props.deviceRef}/host-keys`}
      />
    </Layout>
  );
}
