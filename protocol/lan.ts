/**
 * LAN connect (SPEC C9) on the device socket (device.ts): a technician asks a computer with
 * unattended access to list the computers it reaches on its own networks (`lanScan`, stopped
 * by `lanStop`), and to push the support app to one of them over SSH (`lanHostKey` first: the
 * host's key fingerprint is shown to the technician and accepted, then `lanPush` with the
 * administrator's credentials sealed to the device for that push). The agent does none of it
 * unless asked on its device socket; every field is bounded.
 */
import { z } from "zod";

/** The ports a scan knocks on: SSH, SMB, RDP, WinRM (HTTP). */
export const LAN_PORTS = [22, 445, 3389, 5985] as const;
export type LanPort = typeof LAN_PORTS[number];

/** What an open port suggests about a host (the page words it). */
export const LAN_KINDS = ["ssh", "windows"] as const;
export type LanKind = typeof LAN_KINDS[number];

/** Which kind each port suggests. */
export const LAN_PORT_KIND: Record<LanPort, LanKind> = {
  22: "ssh",
  445: "windows",
  3389: "windows",
  5985: "windows",
};

/** A dotted IPv4 address (each part 0–255, no leading zeros). */
export const Ipv4Schema = z.string().max(15).regex(
  /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/,
);

/** A host name from reverse DNS (RFC 1123 characters, at most 253). */
export const HostNameSchema = z.string().min(1).max(253).regex(/^[A-Za-z0-9._-]+$/);

/** An OpenSSH key fingerprint as `ssh-keygen -l` prints it (`SHA256:` + base64, no padding). */
export const HostKeyFingerprintSchema = z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/);

/** One host a scan found. */
export const LanHostSchema = z.strictObject({
  address: Ipv4Schema,
  name: HostNameSchema.optional(),
  /** Open among LAN_PORTS, ascending. */
  ports: z.array(z.union(LAN_PORTS.map((p) => z.literal(p)))).max(LAN_PORTS.length),
  /** Seen in the computer's neighbour (ARP) table. */
  neighbour: z.boolean(),
});
export type LanHost = z.infer<typeof LanHostSchema>;

/** Why a scan ended early or a push failed (the page words each). */
export const LAN_SCAN_ERRORS = ["busy", "no_networks", "failed"] as const;
export const LAN_PUSH_ERRORS = [
  "busy",
  "no_ssh_client",
  "unreachable",
  "host_key_changed",
  "auth_failed",
  "copy_failed",
  "start_failed",
  "sealed_unreadable",
  "unsupported",
  "failed",
] as const;
export type LanPushError = typeof LAN_PUSH_ERRORS[number];

/** How a push reaches a host: over SSH (built) or to Windows over SMB/WinRM (not yet). */
export const LAN_PUSH_METHODS = ["ssh", "windows"] as const;

const scanId = z.uuid();

/** Server → device. */
export const LanServerMessages = [
  z.strictObject({ type: z.literal("lanScan"), scanId }),
  z.strictObject({ type: z.literal("lanStop"), scanId }),
  /** Read the host's SSH key (for the technician to accept its fingerprint). */
  z.strictObject({ type: z.literal("lanHostKey"), pushId: z.uuid(), address: Ipv4Schema }),
  /**
   * Copy the portable support app to `address` and start it with `pin`: only if the host's
   * key is the accepted `fingerprint`. device.ts adds `sealedCredentials` (the administrator's
   * user name and password sealed to the device for `pushId`, sealed_credentials.ts).
   */
  z.strictObject({
    type: z.literal("lanPush"),
    pushId: z.uuid(),
    address: Ipv4Schema,
    method: z.enum(LAN_PUSH_METHODS),
    fingerprint: HostKeyFingerprintSchema,
    pin: z.string().regex(/^[0-9]{4,12}$/),
    /** The new session's download of the portable support app (`/s/<token>/agent`). */
    packagePath: z.string().regex(/^\/s\/[A-Za-z0-9_-]{8,64}\/agent$/),
  }),
] as const;

/** Device → server. */
export const LanAgentMessages = [
  z.strictObject({ type: z.literal("lanHost"), scanId, host: LanHostSchema }),
  z.strictObject({
    type: z.literal("lanScanDone"),
    scanId,
    scanned: z.number().int().nonnegative().max(4096),
    stopped: z.boolean(),
    error: z.enum(LAN_SCAN_ERRORS).optional(),
  }),
  z.strictObject({
    type: z.literal("lanHostKeyResult"),
    pushId: z.uuid(),
    fingerprint: HostKeyFingerprintSchema.optional(),
    keyType: z.string().regex(/^[a-z0-9-]{1,40}$/).optional(),
    error: z.enum(LAN_PUSH_ERRORS).optional(),
  }),
  z.strictObject({
    type: z.literal("lanPushResult"),
    pushId: z.uuid(),
    ok: z.boolean(),
    error: z.enum(LAN_PUSH_ERRORS).optional(),
    /** The OS's own words (ssh's last line), for the technician; never the credentials. */
    detail: z.string().max(300).optional(),
  }),
] as const;
