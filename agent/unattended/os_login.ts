/**
 * The OS side of "the customer's credentials": checking them when the customer types them in
 * the agent's window.
 *
 * Checking, on Linux, without root: the account must exist (`getent passwd`, so LDAP and
 * other NSS sources count). The password is checked with PAM's own helper `unix_chkpwd` —
 * the setgid program pam_unix runs for unprivileged processes such as screen lockers (the
 * password on a pipe, NUL-terminated; exit 0 = right, 7 = wrong). It checks only the account
 * the agent runs as (or any account when the agent runs as root); for another account, or
 * where the helper is missing, the credentials are kept "not verified" and the window says so.
 *
 * Signing in with them on the login screen is login_screen.ts.
 */
import type { OsCredentials } from "./credentials.ts";

export type CredentialCheck =
  | { ok: true; verified: boolean; note: string | null }
  | { ok: false; reason: "no_such_user" | "wrong_password" | "bad_input" };

const HELPERS = ["/usr/sbin/unix_chkpwd", "/sbin/unix_chkpwd"];
const PAM_AUTH_ERR = 7;

async function _run(
  program: string,
  args: string[],
  input?: Uint8Array,
): Promise<{ code: number; stdout: string } | null> {
  try {
    const child = new Deno.Command(program, {
      args,
      stdin: input ? "piped" : "null",
      stdout: "piped",
      stderr: "null",
      env: { LANG: "C" },
    }).spawn();
    if (input) {
      const writer = child.stdin.getWriter();
      await writer.write(input);
      await writer.close();
    }
    const out = await child.output();
    return { code: out.code, stdout: new TextDecoder().decode(out.stdout) };
  } catch {
    return null;
  }
}

/** Checks the customer's OS credentials as far as this system allows without root. */
export async function verifyOsCredentials(
  credentials: OsCredentials,
  os: "linux" | "windows" | "darwin" = Deno.build.os as "linux",
): Promise<CredentialCheck> {
  const { user, password } = credentials;
  if (!/^[A-Za-z0-9._][A-Za-z0-9._@-]{0,63}$/.test(user) || password.length === 0) {
    return { ok: false, reason: "bad_input" };
  }
  if (os !== "linux") {
    return { ok: true, verified: false, note: "Not checked: no check built for this system" };
  }
  const entry = await _run("getent", ["passwd", user]);
  if (entry === null) {
    return { ok: true, verified: false, note: "Not checked: this system cannot look up accounts" };
  }
  if (entry.code !== 0) return { ok: false, reason: "no_such_user" };
  const uid = Number(entry.stdout.split(":")[2]);
  const self = Deno.uid() === 0 || uid === Deno.uid();
  const helper = HELPERS.find((path) => {
    try {
      return Deno.statSync(path).isFile;
    } catch {
      return false;
    }
  });
  if (!self || !helper) {
    return {
      ok: true,
      verified: false,
      note: !helper
        ? "The account exists; the password was not checked (no password helper here)"
        : "The account exists; only the account this app runs as can have its password checked",
    };
  }
  const bytes = new TextEncoder().encode(password.slice(0, 512) + "\0");
  const result = await _run(helper, [user, "nonull"], bytes);
  bytes.fill(0);
  if (result?.code === 0) return { ok: true, verified: true, note: null };
  if (result?.code === PAM_AUTH_ERR) return { ok: false, reason: "wrong_password" };
  return {
    ok: true,
    verified: false,
    note: "The account exists; the system's password check did not answer",
  };
}
