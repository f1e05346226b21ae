// Single sign-on's settings through /api/v1 (SPEC A9, A10), against a real OpenID Connect
// provider on loopback: the master admin reads, sets and removes them through the same
// service as /admin/sso (the discovery document read first, the secret sealed, write-only and
// kept when omitted, audited); bad input is refused field by field and changes nothing, the
// issuer's failures are named; an admin and a technician get 403.
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { auditLog } from "../modules/audit/mod.ts";
import { ssoSettings } from "../modules/sso/schema.ts";
import { openClientSecret } from "../modules/sso/secret.ts";
import { ADMIN, type TestApp, withTestApp } from "./support/app.ts";
import { makeGroup, makePerson, TECH_PASSWORD } from "./support/org.ts";
import { startOidcProvider } from "./support/oidc_provider.ts";

const sso = { sanitizeResources: false, sanitizeOps: false };

async function tokenFor(t: TestApp, email: string, password: string) {
  const res = await t.app.request("http://localhost/api/v1/auth/token", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password }),
  });
  assert.equal(res.status, 201);
  return (await res.json()).token as string;
}

function call(t: TestApp, token: string, method: string, body?: unknown) {
  return t.app.request("http://localhost/api/v1/sso", {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

Deno.test({
  ...sso,
  name:
    "API SSO settings: the master admin reads, sets (discovery checked, secret write-only) and removes them; bad input named by field; others 403",
  fn: () =>
    withTestApp(async (t) => {
      const publicUrl = t.deps.config.publicUrl;
      const idp = await startOidcProvider({
        redirectUri: `${publicUrl}/signin/sso/callback`,
        accounts: {},
      });
      try {
        const master = await tokenFor(t, ADMIN.email, ADMIN.password);
        const group = await makeGroup(t, { name: "Helpdesk" });
        const adminRow = await makePerson(t, { groupId: group.id, role: "admin" });
        const techRow = await makePerson(t, { groupId: group.id });
        const admin = await tokenFor(t, adminRow.email, TECH_PASSWORD);
        const tech = await tokenFor(t, techRow.email, TECH_PASSWORD);

        const off = await call(t, master, "GET");
        assert.equal(off.status, 200);
        assert.deepEqual(await off.json(), {
          redirectUri: `${publicUrl}/signin/sso/callback`,
          postLogoutRedirectUri: `${publicUrl}/signin`,
          settings: null,
        });

        const body = {
          displayName: "Contoso",
          issuer: idp.issuer,
          clientId: idp.clientId,
          clientSecret: idp.clientSecret,
          provisionGroupId: group.id,
        };
        for (const [token, who] of [[admin, "admin"], [tech, "technician"]]) {
          assert.equal((await call(t, token, "GET")).status, 403, who);
          assert.equal((await call(t, token, "PUT", body)).status, 403, who);
          assert.equal((await call(t, token, "DELETE")).status, 403, who);
        }
        assert.equal((await t.deps.db.select().from(ssoSettings)).length, 0);

        // Not JSON at all: 400, a problem document.
        const garbled = await t.app.request("http://localhost/api/v1/sso", {
          method: "PUT",
          headers: { authorization: `Bearer ${master}`, "content-type": "application/json" },
          body: "{displayName:",
        });
        assert.equal(garbled.status, 400);
        assert.match(garbled.headers.get("content-type")!, /problem\+json/);
        // Bad input: each refusal names its field; nothing is stored.
        const issuesOf = async (input: Record<string, unknown>) => {
          const res = await call(t, master, "PUT", { ...body, ...input });
          assert.equal(res.status, 422, JSON.stringify(input));
          assert.match(res.headers.get("content-type")!, /problem\+json/);
          return (await res.json()).issues as { path: string; code?: string; message: string }[];
        };
        assert.equal((await issuesOf({ allowPassword: "yes" }))[0].path, "allowPassword");
        assert.equal((await issuesOf({ displayName: " " }))[0].path, "displayName");
        assert.equal((await issuesOf({ issuer: "ftp://idp.example" }))[0].path, "issuer");
        assert.equal((await issuesOf({ clientSecret: undefined }))[0].path, "clientSecret");
        assert.equal((await issuesOf({ emailClaim: "e mail" }))[0].path, "emailClaim");
        const group404 = "00000000-0000-4000-8000-000000000000";
        assert.equal((await issuesOf({ provisionGroupId: group404 }))[0].path, "provisionGroupId");
        // The issuer's failures, named.
        const [unreachable] = await issuesOf({ issuer: "http://127.0.0.1:9/" });
        assert.deepEqual([unreachable.path, unreachable.code], ["issuer", "unreachable"]);
        assert.match(unreachable.message, /The issuer could not be reached/);
        const [elsewhere] = await issuesOf({ issuer: `${idp.issuer}/elsewhere` });
        assert.equal(elsewhere.path, "issuer");
        assert.ok(["notDiscovery", "issuerMismatch"].includes(elsewhere.code!), elsewhere.code);
        assert.equal((await t.deps.db.select().from(ssoSettings)).length, 0, "nothing saved");

        const saved = await call(t, master, "PUT", body);
        assert.equal(saved.status, 200);
        const text = await saved.text();
        assert.ok(!text.includes(idp.clientSecret), "the secret is never returned");
        const { settings } = JSON.parse(text);
        assert.equal(settings.displayName, "Contoso");
        assert.equal(settings.issuer, `${idp.issuer}/`);
        assert.equal(settings.clientSecretSet, true);
        assert.equal(settings.provisionGroupId, group.id);
        assert.equal(settings.requireVerifiedEmail, true, "the page's defaults");
        const [row] = await t.deps.db.select().from(ssoSettings);
        assert.match(row.clientSecret, /^v1:/, "sealed at rest");

        // The secret omitted keeps the stored one (still checked at the issuer).
        const { clientSecret: _, ...noSecret } = body;
        const kept = await call(t, master, "PUT", { ...noSecret, allowPassword: false });
        assert.equal(kept.status, 200);
        assert.equal((await kept.json()).settings.allowPassword, false);
        const [after] = await t.deps.db.select().from(ssoSettings);
        assert.equal(
          await openClientSecret(t.deps.config, after.orgId, after.clientSecret),
          idp.clientSecret,
          "the stored secret is kept (sealed again)",
        );
        const read = await (await call(t, master, "GET")).text();
        assert.ok(!read.includes(idp.clientSecret) && !read.includes(row.clientSecret));

        assert.equal((await call(t, master, "DELETE")).status, 204);
        assert.equal((await t.deps.db.select().from(ssoSettings)).length, 0);
        assert.equal((await (await call(t, master, "GET")).json()).settings, null);
        const changes = await t.deps.db.select().from(auditLog)
          .where(eq(auditLog.action, "org.sso_changed"));
        assert.equal(changes.length, 3, "set, changed, removed");
        assert.ok(!JSON.stringify(changes.map((c) => c.details)).includes(idp.clientSecret));
      } finally {
        await idp.close();
      }
    }),
});
