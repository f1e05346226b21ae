import assert from "node:assert/strict";
import { verifyOsCredentials } from "./os_login.ts";

/** A throwaway account with a known password (root only: useradd + chpasswd), removed after. */
async function withAccount(fn: (user: string, password: string) => Promise<void>) {
  const user = `rsqa${crypto.randomUUID().slice(0, 8)}`;
  const password = `Pw-${crypto.randomUUID()}`;
  const run = async (cmd: string, args: string[], input?: string) => {
    const child = new Deno.Command(cmd, { args, stdin: "piped", stdout: "null", stderr: "piped" })
      .spawn();
    const writer = child.stdin.getWriter();
    if (input) await writer.write(new TextEncoder().encode(input));
    await writer.close();
    const out = await child.output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  };
  await run("useradd", ["-M", "-s", "/usr/sbin/nologin", user]);
  try {
    await run("chpasswd", [], `${user}:${password}\n`);
    await fn(user, password);
  } finally {
    await run("userdel", [user]);
  }
}

Deno.test({
  name:
    "verifyOsCredentials(): an unknown account and a wrong password refused, the right one verified",
  ignore: Deno.build.os !== "linux" || Deno.uid() !== 0,
  async fn() {
    assert.deepEqual(
      await verifyOsCredentials({ user: "no-such-user-xq", password: "x" }),
      { ok: false, reason: "no_such_user" },
    );
    assert.deepEqual(await verifyOsCredentials({ user: "bad user;", password: "x" }), {
      ok: false,
      reason: "bad_input",
    });
    await withAccount(async (user, password) => {
      assert.deepEqual(await verifyOsCredentials({ user, password: password + "x" }), {
        ok: false,
        reason: "wrong_password",
      });
      assert.deepEqual(await verifyOsCredentials({ user, password }), {
        ok: true,
        verified: true,
        note: null,
      });
    });
  },
});
