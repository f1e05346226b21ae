// Over 400 lines on purpose: every refusal case of the sign-in shares the provider and flow helpers above them (withProvider, configure, start, callback); split, each part would copy them.
// SPEC A9: single sign-on through a real OpenID Connect provider (oidc-provider on loopback):
// the Admin Center settings (master admin only, discovery checked on save, secret sealed), the
// sign-in and every way it is refused — tampered state, another nonce, expiry, an unverified
// or unknown e-mail, a deactivated account — and just-in-time provisioning into a group.
import assert from "node:assert/strict";
import { desc, eq } from "drizzle-orm";
import { currentTotp, users } from "../modules/auth/mod.ts";
import { enrolTotp } from "./support/totp.ts";
import { auditLog } from "../modules/audit/mod.ts";
import { groupMembers } from "../modules/org/mod.ts";
import { ssoSettings } from "../modules/sso/schema.ts";
import { ADMIN, type TestApp, type TestClient, withTestApp } from "./support/app.ts";
import { makeGroup, makePerson, TECH_PASSWORD } from "./support/org.ts";
import { loginAt, startOidcProvider, type TestProvider } from "./support/oidc_provider.ts";

const sso = { sanitizeResources: false, sanitizeOps: false };

async function withProvider(
  fn: (t: TestApp, idp: TestProvider, admin: TestClient) => Promise<void>,
) {
  await withTestApp(async (t) => {
    const idp = await startOidcProvider({
      redirectUri: `${t.deps.config.publicUrl}/signin/sso/callback`,
      accounts: {
        tech: { email: "Tech@Example.test", email_verified: true, name: "Tess Tech" },
        unverified: { email: "tech@example.test", email_verified: false },
        stranger: { email: "new.person@example.test", email_verified: true, name: "New Person" },
        noemail: { name: "Nobody" },
        boss: { email: ADMIN.email, email_verified: true },
      },
      otherClientId: "another-app",
    });
    try {
      const admin = t.client();
      assert.equal((await admin.signIn(ADMIN.email, ADMIN.password)).status, 303);
      await fn(t, idp, admin);
    } finally {
      await idp.close();
    }
  });
}

async function configure(admin: TestClient, idp: TestProvider, extra: Record<string, string> = {}) {
  await admin.get("/admin/sso");
  return await admin.post("/admin/sso", {
    displayName: "Contoso",
    issuer: idp.issuer,
    clientId: idp.clientId,
    clientSecret: idp.clientSecret,
    emailClaim: "email",
    requireVerifiedEmail: "1",
    allowPassword: "1",
    skipTotp: "1",
    provisionGroupId: "",
    ...extra,
  });
}

/** Starts a sign-in in `browser`; returns the provider's authorization URL. */
async function start(browser: TestClient): Promise<string> {
  const res = await browser.get("/signin/sso");
  assert.equal(res.status, 303);
  const location = res.headers.get("location")!;
  assert.match(location, /^http:\/\/127\.0\.0\.1:\d+\/auth\?/);
  return location;
}

async function callback(browser: TestClient, url: URL) {
  return await browser.get(`${url.pathname}${url.search}`);
}

async function failureOf(t: TestApp) {
  // In the order written: without an order PostgreSQL returns the heap's, and rows of earlier
  // tests deleted from the shared database leave room that later rows fill (seen in CI).
  const rows = await t.deps.db.select().from(auditLog).where(
    eq(auditLog.action, "auth.sso_failed"),
  ).orderBy(auditLog.id);
  return rows.map((r) => (r.details as { reason: string }).reason);
}

Deno.test({
  ...sso,
  name:
    "SSO: the master admin saves the provider (checked, secret sealed); the button signs a technician in",
  fn: () =>
    withProvider(async (t, idp, admin) => {
      const group = await makeGroup(t);
      const tech = await makePerson(t, { groupId: group.id, email: "tech@example.test" });
      assert.equal((await configure(admin, idp)).headers.get("location"), "/admin/sso?saved=1");
      const page = await (await admin.get("/admin/sso")).text();
      assert.match(page, /Single sign-on is on: the sign-in page shows “Sign in with Contoso”/);
      assert.doesNotMatch(page, new RegExp(idp.clientSecret), "the secret is never shown");
      const [stored] = await t.deps.db.select().from(ssoSettings);
      assert.match(stored.clientSecret, /^v1:/, "sealed at rest");
      assert.ok(!stored.clientSecret.includes(idp.clientSecret));

      const browser = t.client();
      const signin = await (await browser.get("/signin")).text();
      assert.match(signin, /Sign in with Contoso/);
      const back = await loginAt(await start(browser), "tech");
      const res = await callback(browser, back);
      assert.equal(res.status, 303);
      assert.equal(res.headers.get("location"), "/console");
      assert.equal((await browser.get("/console")).status, 200, "signed in (mixed-case e-mail)");
      const [entry] = await t.deps.db.select().from(auditLog)
        .where(eq(auditLog.action, "auth.signin_sso"));
      assert.equal(entry.actorId, tech.id);

      // A callback replayed (the login row is used once) is refused.
      const replay = await t.client().get(`${back.pathname}${back.search}`);
      assert.equal(replay.headers.get("location"), "/signin?sso=state");

      // Turned off: no button, and the start says single sign-on is not available.
      await admin.get("/admin/sso");
      const off = await admin.post("/admin/sso/remove");
      assert.equal(off.headers.get("location"), "/admin/sso?removed=1");
      assert.match(await (await admin.get("/admin/sso?removed=1")).text(), /Single sign-on is off/);
      assert.doesNotMatch(await (await t.client().get("/signin")).text(), /Sign in with/);
      assert.equal(
        (await t.client().get("/signin/sso")).headers.get("location"),
        "/signin?sso=unavailable",
      );
      const changes = await t.deps.db.select().from(auditLog)
        .where(eq(auditLog.action, "org.sso_changed"));
      assert.equal(changes.length, 2, "saved, then turned off");
      assert.ok(!JSON.stringify(changes.map((c) => c.details)).includes(idp.clientSecret));
    }),
});

Deno.test({
  ...sso,
  name: "SSO: saving says what failed at the issuer, and keeps what was typed",
  fn: () =>
    withProvider(async (_t, idp, admin) => {
      const unreachable = await configure(admin, idp, { issuer: "http://127.0.0.1:9/" });
      assert.equal(unreachable.status, 422);
      assert.match(await unreachable.text(), /The issuer could not be reached/);
      const other = await configure(admin, idp, { issuer: `${idp.issuer}/elsewhere` });
      assert.equal(other.status, 422);
      const text = await other.text();
      assert.match(text, /did not answer with an OpenID Connect discovery document|another issuer/);
      assert.match(text, /value="Contoso"/, "what was typed stays");
      const plain = await configure(admin, idp, { issuer: "http://idp.example.test/" });
      assert.match(await plain.text(), /must be an https:\/\/ address/);
      assert.equal((await admin.get("/signin/sso")).status, 303);
    }),
});

Deno.test({
  ...sso,
  name:
    "SSO: the settings page and its saves are the master admin's (403 for an admin and a technician)",
  fn: () =>
    withProvider(async (t, idp, admin) => {
      const group = await makeGroup(t);
      for (const role of ["admin", "technician"] as const) {
        const person = await makePerson(t, { groupId: group.id, role });
        const browser = t.client();
        assert.equal((await browser.signIn(person.email, TECH_PASSWORD)).status, 303);
        assert.equal((await browser.get("/admin/sso")).status, 403, role);
        await browser.get("/console");
        assert.equal((await configure(browser, idp)).status, 403, role);
        assert.equal((await browser.post("/admin/sso/remove")).status, 403, role);
      }
      assert.equal((await admin.get("/admin/sso")).status, 200);
    }),
});

Deno.test({
  ...sso,
  name:
    "SSO refuses a tampered state, another nonce, another client's code, an expired sign-in and garbage, each audited",
  fn: () =>
    withProvider(async (t, idp, admin) => {
      const group = await makeGroup(t);
      await makePerson(t, { groupId: group.id, email: "tech@example.test" });
      await configure(admin, idp);

      const tampered = t.client();
      const back = await loginAt(await start(tampered), "tech");
      back.searchParams.set("state", `${back.searchParams.get("state")}x`);
      const res = await callback(tampered, back);
      assert.equal(res.headers.get("location"), "/signin?sso=state");
      assert.equal((await tampered.get("/console")).status, 303, "not signed in");
      const page = await (await tampered.get("/signin?sso=state")).text();
      assert.match(page, /could not be matched to this browser/);

      const nonce = t.client();
      const url = new URL(await start(nonce));
      url.searchParams.set("nonce", "an-attackers-nonce-0123456789");
      const refused = await callback(nonce, await loginAt(url.href, "tech"));
      assert.equal(refused.headers.get("location"), "/signin?sso=token");
      const [nonceEntry] = await t.deps.db.select().from(auditLog)
        .where(eq(auditLog.action, "auth.sso_failed")).orderBy(desc(auditLog.id)).limit(1);
      assert.match((nonceEntry.details as { detail: string }).detail, /nonce/);
      assert.equal((await nonce.get("/console")).status, 303);

      // A code the provider issued to another client (another audience) is not ours.
      const audience = t.client();
      const foreign = new URL(await start(audience));
      foreign.searchParams.set("client_id", "another-app");
      const theirs = await callback(audience, await loginAt(foreign.href, "tech"));
      assert.equal(theirs.headers.get("location"), "/signin?sso=token");
      assert.equal((await audience.get("/console")).status, 303);

      const slow = t.client();
      const later = await loginAt(await start(slow), "tech");
      t.clock.advance(11 * 60_000);
      assert.equal((await callback(slow, later)).headers.get("location"), "/signin?sso=expired");

      const garbage = t.client();
      for (
        const query of [
          "",
          "?code=&state=",
          "?state=%FF%FE&code[]=1",
          `?error=access_denied&state=${"x".repeat(5000)}`,
        ]
      ) {
        const answer = await garbage.get(`/signin/sso/callback${query}`);
        assert.equal(answer.status, 303, query);
        assert.equal(answer.headers.get("location"), "/signin?sso=state");
      }
      const denied = t.client();
      const denial = new URL(await start(denied));
      const provider = new URL(`${t.deps.config.publicUrl}/signin/sso/callback`);
      provider.searchParams.set("error", "access_denied");
      provider.searchParams.set("state", denial.searchParams.get("state")!);
      assert.equal(
        (await callback(denied, provider)).headers.get("location"),
        "/signin?sso=provider",
      );
      assert.match(
        await (await denied.get("/signin?sso=provider")).text(),
        /identity provider did not sign you in/,
      );
      assert.doesNotMatch(await (await denied.get("/signin?sso=%3Cb%3E")).text(), /<b>/);

      assert.deepEqual(await failureOf(t), [
        "state",
        "token",
        "token",
        "expired",
        "state",
        "state",
        "state",
        "state",
        "provider",
      ]);
    }),
});

Deno.test({
  ...sso,
  name: "SSO refuses an unverified e-mail, no e-mail, an unknown e-mail and a deactivated account",
  fn: () =>
    withProvider(async (t, idp, admin) => {
      const group = await makeGroup(t);
      const tech = await makePerson(t, { groupId: group.id, email: "tech@example.test" });
      await configure(admin, idp);
      const attempt = async (login: string) => {
        const browser = t.client();
        const res = await callback(browser, await loginAt(await start(browser), login));
        assert.equal((await browser.get("/console")).status, 303, login);
        return res.headers.get("location");
      };
      assert.equal(await attempt("unverified"), "/signin?sso=unverified");
      assert.equal(await attempt("noemail"), "/signin?sso=noEmail");
      assert.equal(await attempt("stranger"), "/signin?sso=unknown");
      await t.deps.db.update(users).set({ active: false }).where(eq(users.id, tech.id));
      assert.equal(await attempt("tech"), "/signin?sso=deactivated");
      assert.deepEqual(await failureOf(t), ["unverified", "noEmail", "unknown", "deactivated"]);
      // The admin may accept unverified addresses.
      await t.deps.db.update(users).set({ active: true }).where(eq(users.id, tech.id));
      await configure(admin, idp, { requireVerifiedEmail: "", clientSecret: "" });
      const browser = t.client();
      const res = await callback(browser, await loginAt(await start(browser), "unverified"));
      assert.equal(res.headers.get("location"), "/console", "the stored secret was kept");
      assert.equal((await browser.get("/console")).status, 200);
    }),
});

Deno.test({
  ...sso,
  name: "SSO provisions an unknown e-mail into the admin's group (just-in-time), audited",
  fn: () =>
    withProvider(async (t, idp, admin) => {
      const group = await makeGroup(t, { name: "Helpdesk" });
      await admin.get("/admin/sso");
      assert.match(
        await (await admin.get("/admin/sso")).text(),
        /Add them as technicians to group “Helpdesk”/,
      );
      await configure(admin, idp, { provisionGroupId: group.id });
      const browser = t.client();
      const res = await callback(browser, await loginAt(await start(browser), "stranger"));
      assert.equal(res.headers.get("location"), "/console");
      const [made] = await t.deps.db.select().from(users)
        .where(eq(users.email, "new.person@example.test"));
      assert.equal(made.role, "technician");
      assert.equal(made.name, "New Person");
      assert.equal(made.passwordHash, null);
      const [member] = await t.deps.db.select().from(groupMembers)
        .where(eq(groupMembers.userId, made.id));
      assert.equal(member.groupId, group.id);
      const actions = (await t.deps.db.select().from(auditLog)).map((r) => r.action);
      assert.ok(actions.includes("auth.sso_provisioned"));
      assert.equal((await browser.get("/console")).status, 200);
      const account = await browser.get("/account");
      assert.equal(account.status, 200, "My account without a password");
      const accountPage = await account.text();
      assert.match(accountPage, /You have no password here: you sign in through single sign-on/);
      assert.doesNotMatch(accountPage, /name="current"/, "no form that needs a current password");
      assert.ok(actions.includes("auth.signin_sso"));
    }),
});

Deno.test({
  ...sso,
  name:
    "SSO with password sign-in off: a technician's right password is refused, the master admin's is not",
  fn: () =>
    withProvider(async (t, idp, admin) => {
      const group = await makeGroup(t);
      const tech = await makePerson(t, { groupId: group.id });
      const before = await (await t.client().get("/signin")).text();
      assert.doesNotMatch(before, /Sign in with Contoso/, "no button before it is set up");
      await configure(admin, idp, { allowPassword: "" });
      const page = await (await t.client().get("/signin")).text();
      assert.match(page, /Sign in with Contoso/);
      assert.match(
        page,
        /Only the master admin can also sign in with an e-mail address and password/,
      );
      const browser = t.client();
      const res = await browser.signIn(tech.email, TECH_PASSWORD);
      assert.equal(res.status, 403);
      assert.match(await res.text(), /signs in through single sign-on/);
      assert.equal((await browser.get("/console")).status, 303);
      assert.equal((await t.client().signIn(ADMIN.email, ADMIN.password)).status, 303);

      // Nor does the password get the technician an API token; the master admin's still does.
      const token = (email: string, password: string) =>
        t.app.request("http://localhost/api/v1/auth/token", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ email, password }),
        });
      const refused = await token(tech.email, TECH_PASSWORD);
      assert.equal(refused.status, 403);
      assert.match((await refused.json()).detail, /single sign-on/);
      assert.equal((await token(ADMIN.email, ADMIN.password)).status, 201);
    }),
});

Deno.test({
  ...sso,
  name: "SSO and two-step verification: skipped by default, asked for when the admin says so",
  fn: () =>
    withProvider(async (t, idp, admin) => {
      const { confirmed } = await enrolTotp(admin, (secret) => currentTotp(secret, t.clock.now()));
      assert.equal(confirmed.status, 200);
      await configure(admin, idp);
      const skipped = t.client();
      const res = await callback(skipped, await loginAt(await start(skipped), "boss"));
      assert.equal(res.headers.get("location"), "/console", "the IdP's MFA stands");

      await configure(admin, idp, { skipTotp: "" });
      const asked = t.client();
      const second = await callback(asked, await loginAt(await start(asked), "boss"));
      assert.equal(second.headers.get("location"), "/signin/2fa");
      assert.equal((await asked.get("/console")).status, 303, "no console before the code");
      assert.equal((await asked.get("/signin/2fa")).status, 200);
    }),
});

Deno.test({
  ...sso,
  name:
    "SSO: starting sign-ins is limited per address (each stores a login row), then starts again",
  fn: () =>
    withProvider(async (t, idp, admin) => {
      await configure(admin, idp);
      const browser = t.client();
      const statuses = [];
      for (let i = 0; i < 61; i++) statuses.push((await browser.get("/signin/sso")).status);
      assert.deepEqual(statuses, [...Array(60).fill(303), 429]);
      const refused = await browser.get("/signin/sso");
      assert.ok(Number(refused.headers.get("retry-after")) > 0);
      assert.match(await refused.text(), /Too many requests/);
      t.clock.advance(2 * 60_000);
      assert.equal((await browser.get("/signin/sso")).status, 303);
    }),
});

Deno.test({
  ...sso,
  name:
    "SSO: the page asked for before signing in opens after it; a foreign next is dropped; the audit log reads it",
  fn: () =>
    withProvider(async (t, idp, admin) => {
      const group = await makeGroup(t);
      await makePerson(t, { groupId: group.id, email: "tech@example.test" });
      await configure(admin, idp);
      const signIn = await (await t.client().get("/signin?next=/account")).text();
      assert.match(signIn, /href="\/signin\/sso\?next=%2Faccount"/);
      for (const [next, lands] of [["/account", "/account"], ["//evil.example/x", "/console"]]) {
        const browser = t.client();
        const started = await browser.get(`/signin/sso?next=${encodeURIComponent(next)}`);
        const back = await loginAt(started.headers.get("location")!, "tech");
        assert.equal((await callback(browser, back)).headers.get("location"), lands, next);
      }
      const audit = await (await admin.get("/admin/audit")).text();
      assert.match(audit, /signed in via SSO/);
      assert.match(audit, /changed the single sign-on settings/);
    }),
});
