/**
 * Who a process runs as on Windows: its token's user and groups (GetTokenInformation), each
 * SID named by LookupAccountSidW, whether the token is elevated, and membership of
 * BUILTIN\Administrators (CheckTokenMembership).
 */
import { innerOffset, readWide, u32, win32 } from "./ffi.ts";

const TOKEN_QUERY = 0x0008;
const TOKEN_USER = 1;
const TOKEN_GROUPS = 2;
const TOKEN_PRIMARY_GROUP = 5;
const TOKEN_ELEVATION = 20;
const WIN_BUILTIN_ADMINISTRATORS_SID = 26;
/** SE_GROUP_LOGON_ID: the session's own SID, not a group anyone names. */
const SE_GROUP_LOGON_ID = 0xC000_0000;

export interface Account {
  name: string;
  domain: string;
  /** The last sub-authority (the relative id): 500 Administrator, 544 Administrators… */
  rid: number;
  /** S-1-5-21-… */
  sid: string;
}

/** A SID's text form from its bytes (revision, count, 48-bit authority, sub-authorities). */
export function sidString(bytes: Uint8Array): string {
  const count = bytes[1];
  let authority = 0;
  for (let i = 2; i < 8; i++) authority = authority * 256 + bytes[i];
  const parts = [`S-${bytes[0]}-${authority}`];
  for (let i = 0; i < count; i++) parts.push(String(u32(bytes, 8 + i * 4)));
  return parts.join("-");
}

const _names = new Map<string, Account>();

/** The SID at `at` in `buffer` (where a token call wrote it), named. */
function _account(buffer: Uint8Array, at: number): Account | undefined {
  if (at < 0 || at + 8 > buffer.length) return undefined;
  const bytes = buffer.subarray(at, at + 8 + 4 * buffer[at + 1]);
  const sid = sidString(bytes);
  const known = _names.get(sid);
  if (known) return known;
  const name = new Uint8Array(512);
  const domain = new Uint8Array(512);
  const nameSize = new Uint32Array([256]);
  const domainSize = new Uint32Array([256]);
  const ok = win32().advapi32.LookupAccountSidW(
    null,
    Deno.UnsafePointer.of(bytes),
    name,
    new Uint8Array(nameSize.buffer),
    domain,
    new Uint8Array(domainSize.buffer),
    new Uint8Array(4),
  );
  const count = bytes[1];
  const account = {
    name: ok ? readWide(name) : sid,
    domain: ok ? readWide(domain) : "",
    rid: count > 0 ? u32(bytes, 8 + (count - 1) * 4) : 0,
    sid,
  };
  if (_names.size < 10_000) _names.set(sid, account);
  return account;
}

function _info(token: Deno.PointerValue, kind: number): Uint8Array | undefined {
  const { advapi32 } = win32();
  const needed = new Uint32Array(1);
  advapi32.GetTokenInformation(token, kind, new Uint8Array(0), 0, new Uint8Array(needed.buffer));
  if (needed[0] === 0) return undefined;
  const buffer = new Uint8Array(needed[0]);
  const ok = advapi32.GetTokenInformation(
    token,
    kind,
    buffer,
    buffer.length,
    new Uint8Array(needed.buffer),
  );
  return ok ? buffer : undefined;
}

/** A process's token (TOKEN_QUERY); the caller closes it. */
export function openToken(process: Deno.PointerValue): Deno.PointerValue | undefined {
  const out = new BigUint64Array(1);
  const ok = win32().advapi32.OpenProcessToken(process, TOKEN_QUERY, new Uint8Array(out.buffer));
  return ok ? Deno.UnsafePointer.create(out[0]) : undefined;
}

/** The token's user. */
export function tokenUser(token: Deno.PointerValue): Account | undefined {
  const buffer = _info(token, TOKEN_USER);
  return buffer && _account(buffer, innerOffset(buffer, 0));
}

export interface TokenDetails {
  user: Account;
  primaryGroup: Account | undefined;
  groups: Account[];
  elevated: boolean;
  /** Member of BUILTIN\Administrators (enabled in this token: elevated, or UAC off). */
  adminNow: boolean;
  /** BUILTIN\Administrators is in the token at all (possibly deny-only until elevated). */
  adminGroup: boolean;
}

/** Everything the User tab shows about this process's own token. */
export function ownToken(): TokenDetails | undefined {
  const { kernel32, advapi32 } = win32();
  const token = openToken(kernel32.GetCurrentProcess());
  if (!token) return undefined;
  try {
    const user = tokenUser(token);
    if (!user) return undefined;
    const primary = _info(token, TOKEN_PRIMARY_GROUP);
    const groupsBuffer = _info(token, TOKEN_GROUPS);
    const groups: Account[] = [];
    if (groupsBuffer) {
      // TOKEN_GROUPS: DWORD count, then SID_AND_ATTRIBUTES (PSID, DWORD) at 8, 16 bytes each.
      const count = u32(groupsBuffer);
      for (let i = 0; i < Math.min(count, 1000); i++) {
        const attributes = u32(groupsBuffer, 8 + i * 16 + 8);
        if ((attributes & SE_GROUP_LOGON_ID) === SE_GROUP_LOGON_ID) continue;
        const account = _account(groupsBuffer, innerOffset(groupsBuffer, 8 + i * 16));
        // The logon session's own SID (S-1-5-5-x-y) is not a group anyone names.
        if (account && !account.sid.startsWith("S-1-5-5-")) groups.push(account);
      }
    }
    const elevation = _info(token, TOKEN_ELEVATION);
    const adminSid = new Uint8Array(68);
    const size = new Uint32Array([68]);
    advapi32.CreateWellKnownSid(
      WIN_BUILTIN_ADMINISTRATORS_SID,
      null,
      adminSid,
      new Uint8Array(size.buffer),
    );
    const member = new Uint32Array(1);
    const checked = advapi32.CheckTokenMembership(null, adminSid, new Uint8Array(member.buffer));
    const adminText = sidString(adminSid);
    return {
      user,
      primaryGroup: primary ? _account(primary, innerOffset(primary, 0)) : undefined,
      groups,
      elevated: elevation ? u32(elevation) !== 0 : false,
      adminNow: checked !== 0 && member[0] !== 0,
      adminGroup: groups.some((g) => g.sid === adminText),
    };
  } finally {
    kernel32.CloseHandle(token);
  }
}
