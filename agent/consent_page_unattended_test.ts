import assert from "node:assert/strict";
import { ConsentPage } from "./consent_page.ts";
import { agentStrings } from "./strings.ts";

/** The window as its page script talks to it, or as another site would try to. */
function client(page: ConsentPage) {
  return {
    state: async () => await (await fetch(`${page.url}state?after=-1`)).json(),
    post: async (path: string, body: unknown, origin = page.origin) => {
      const response = await fetch(page.url + path, {
        method: "POST",
        headers: { origin, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      await response.body?.cancel();
      return response.status;
    },
  };
}

Deno.test("ConsentPage: the credentials form takes only checked answers from its own page; Disconnect and Revoke only while they mean something", async () => {
  let disconnected = 0;
  let revoked = 0;
  const checked: string[] = [];
  const page = new ConsentPage({
    agent: null,
    strings: agentStrings("en"),
    lang: "en",
    server: "support.example",
    chatUrl: "",
    persistent: true,
    verifyCredentials: ({ user, password }) => {
      checked.push(user);
      return Promise.resolve(
        password === "right"
          ? { ok: true, verified: false, note: "not checked here" }
          : { ok: false, reason: "wrong_password" },
      );
    },
    onDisconnect: () => disconnected++,
    onRevokeAccess: () => Promise.resolve(++revoked > 0),
  });
  const window = client(page);
  try {
    // Idle: no banner, no form, Revoke offered, Disconnect not.
    const idle = await window.state();
    assert.equal(idle.connected, null);
    assert.equal(idle.credentials, null);
    assert.equal(idle.canDisconnect, false);
    assert.equal(await window.post("disconnect", {}), 409);

    const given = page.askCredentials("Ann asks …");
    const { id } = (await window.state()).credentials;
    // Another site's page, a stale form, an oversized answer: refused, nothing checked.
    assert.equal(
      await window.post("credentials", { id, user: "carol", password: "right" }, "http://evil"),
      403,
    );
    assert.equal(
      await window.post("credentials", { id: "old", user: "c", password: "right" }),
      409,
    );
    assert.equal(
      await window.post("credentials", { id, user: "c", password: "x".repeat(600) }),
      400,
    );
    assert.deepEqual(checked, []);
    assert.equal(await window.post("credentials", { id, user: "carol", password: "no" }), 422);
    assert.equal((await window.state()).credentials.error, "wrong_password");
    assert.equal(JSON.stringify(await window.state()).includes('"no"'), false);
    assert.equal(await window.post("credentials", { id, user: " carol ", password: "right" }), 200);
    assert.deepEqual(await given, {
      user: "carol",
      password: "right",
      verified: false,
      note: "not checked here",
    });
    assert.equal((await window.state()).credentials, null);
    // Declined, and aborted (the operation ended): null.
    const declined = page.askCredentials("again");
    await window.post("credentials", { id: (await window.state()).credentials.id, decline: true });
    assert.equal(await declined, null);
    const abort = new AbortController();
    const aborted = page.askCredentials("again", abort.signal);
    abort.abort();
    assert.equal(await aborted, null);

    // Someone connected: the banner, Disconnect, then gone.
    page.setConnected({ technician: "Ann", mode: "unattended" });
    const on = await window.state();
    assert.deepEqual(on.connected, { technician: "Ann", mode: "unattended" });
    assert.equal(on.canDisconnect, true);
    assert.equal(await window.post("disconnect", {}, "http://evil"), 403);
    assert.equal(disconnected, 0);
    assert.equal(await window.post("disconnect", {}), 200);
    assert.equal(disconnected, 1);
    page.setConnected(null);
    assert.equal((await window.state()).connected, null);
    assert.equal(await window.post("revoke-access", {}), 200);
    assert.equal((await window.state()).revoked, true);
    assert.equal(await window.post("revoke-access", {}), 409, "once");
    assert.equal(revoked, 1);
  } finally {
    await page.close();
  }
});
