// SPEC A9: signing out of a single sign-on session signs out at the identity provider too
// (OpenID Connect RP-Initiated Logout, against a real oidc-provider on loopback): the ID token
// is kept with the session (through the product's own second step too), sign-out sends the
// browser to the provider's end_session_endpoint with it, and after the provider's sign-out the
// next "Sign in with …" asks for the password there again. A provider without sign-out leaves
// it local, and the sign-in page says so.
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { currentTotp } from "../modules/auth/mod.ts";
import { webSessions } from "../modules/auth/schema.ts";
import { auditLog } from "../modules/audit/mod.ts";
import { ADMIN, type TestApp, type TestClient, withTestApp } from "./support/app.ts";
import { enrolTotp } from "./support/totp.ts";
import { makeGroup, makePerson } from "./support/org.ts";
import {
  loginAt,
  providerBrowser,
  startOidcProvider,
  type TestProvider,
} from "./support/oidc_provider.ts";

const sso = { sanitizeResources: false, sanitizeOps: false };

async function withProvider(
  endSession: boolean,
  fn: (t: TestApp, idp: TestProvider, admin: TestClient) => Promise<void>,
) {
  await withTestApp(async (t) => {
    const idp = await startOidcProvider({
      redirectUri: `${t.deps.config.publicUrl}/signin/sso/callback`,
      postLogoutRedirectUri: `${t.deps.config.publicUrl}/signin`,
      endSession,
      accounts: {
        tech: { email: "tech@example.test", email_verified: true, name: "Tess Tech" },
        boss: { email: ADMIN.email, email_verified: true },
      },
    });
    try {
      const admin = t.client();
      assert.equal((await admin.signIn(ADMIN.email, ADMIN.password)).status, 303);
      await admin.get("/admin/sso");
      const saved = await admin.post("/admin/sso", {
        displayName: "Contoso",
        issuer: idp.issuer,
        clientId: idp.clientId,
        clientSecret: idp.clientSecret,
        emailClaim: "email",
        requireVerifiedEmail: "1",
        allowPassword: "1",
        skipTotp: "1",
        provisionGroupId: "",
      });
      assert.equal(saved.headers.get("location"), "/admin/sso?saved=1");
      const group = await makeGroup(t);
      await makePerson(t, { groupId: group.id, email: "tech@example.test" });
      await fn(t, idp, admin);
    } finally {
      await idp.close();
    }
  });
}

/** Signs `browser` in through the provider, whose cookies `jar` keeps. */
async function ssoSignIn(browser: TestClient, jar: Map<string, string>, login = "tech") {
  const started = await browser.get("/signin/sso");
  const back = await loginAt(started.headers.get("location")!, login, jar);
  const res = await browser.get(`${back.pathname}${back.search}`);
  assert.equal(res.status, 303);
  return res;
}

function jwtPayload(token: string) {
  return JSON.parse(atob(token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")));
}

Deno.test({
  ...sso,
  name:
    "SSO sign-out: the browser goes to the provider's end_session_endpoint with the ID token; after it, the provider asks for the password again",
  fn: () =>
    withProvider(true, async (t, idp, admin) => {
      const page = await (await admin.get("/admin/sso")).text();
      assert.match(page, /Sign-out redirect URI to register at the identity provider/);
      assert.match(page, new RegExp(`value="${t.deps.config.publicUrl}/signin"`));

      const jar = new Map<string, string>();
      const browser = t.client();
      assert.equal((await ssoSignIn(browser, jar)).headers.get("location"), "/console");
      // While the provider's session lasts, its next sign-in goes straight through (no login
      // page: the callback at once).
      const again = await t.client().get("/signin/sso");
      const go = providerBrowser(jar);
      const through = await go(again.headers.get("location")!);
      assert.match(through.headers.get("location")!, /\/signin\/sso\/callback\?/);

      await browser.get("/console");
      const out = await browser.post("/signout");
      assert.equal(out.status, 200);
      const html = await out.text();
      assert.match(html, /You are signed out here\. Now signing you out at Contoso too…/);
      const href = /http-equiv="refresh" content="0;url=([^"]+)"/.exec(html)![1]
        .replaceAll("&amp;", "&");
      assert.match(html, /Continue to Contoso/);
      const endSession = new URL(href);
      assert.equal(endSession.origin + endSession.pathname, `${idp.issuer}/session/end`);
      assert.equal(
        endSession.searchParams.get("post_logout_redirect_uri"),
        `${t.deps.config.publicUrl}/signin`,
      );
      const hint = jwtPayload(endSession.searchParams.get("id_token_hint")!);
      assert.equal(hint.sub, "tech");
      assert.equal(hint.aud, idp.clientId);
      assert.equal((await browser.get("/console")).status, 303, "signed out here");
      assert.equal((await t.deps.db.select().from(webSessions)).length, 1, "only the admin's");
      const [audited] = await t.deps.db.select().from(auditLog)
        .where(eq(auditLog.action, "auth.signout"));
      assert.deepEqual(audited.details, { provider: "signed out" });

      // At the provider: its confirmation page, "yes", then back to our sign-in page.
      const confirm = await go(href);
      assert.equal(confirm.status, 200);
      const xsrf = /name="xsrf" value="([^"]+)"/.exec(confirm.text)![1];
      const done = await go(`${idp.issuer}/session/end/confirm`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ xsrf, logout: "yes" }),
      });
      assert.equal(done.status, 303);
      assert.equal(
        new URL(done.headers.get("location")!).href,
        `${t.deps.config.publicUrl}/signin`,
      );

      // The next "Sign in with Contoso" in this browser asks for the password at the provider.
      const next = await browser.get("/signin/sso");
      const asked = await go(next.headers.get("location")!);
      assert.match(asked.headers.get("location")!, /\/interaction\//, "the login page again");
      const login = await go(new URL(asked.headers.get("location")!, idp.issuer).href);
      assert.match(login.text, /name="password"/);
    }),
});

Deno.test({
  ...sso,
  name: "SSO sign-out: the ID token goes with the session through the product's own code step",
  fn: () =>
    withProvider(true, async (t, idp, admin) => {
      const { confirmed, secret } = await enrolTotp(
        admin,
        (secret) => currentTotp(secret, t.clock.now()),
      );
      assert.equal(confirmed.status, 200);
      await admin.get("/admin/sso");
      await admin.post("/admin/sso", {
        displayName: "Contoso",
        issuer: idp.issuer,
        clientId: idp.clientId,
        clientSecret: "",
        emailClaim: "email",
        requireVerifiedEmail: "1",
        allowPassword: "1",
        skipTotp: "",
        provisionGroupId: "",
      });
      const browser = t.client();
      const res = await ssoSignIn(browser, new Map(), "boss");
      assert.equal(res.headers.get("location"), "/signin/2fa");
      await browser.get("/signin/2fa");
      t.clock.advance(30_000); // the enrolment's code is spent
      const code = await currentTotp(secret, t.clock.now());
      const full = await browser.post("/signin/2fa", { code });
      assert.equal(full.headers.get("location"), "/console");
      await browser.get("/console");
      const out = await browser.post("/signout");
      assert.equal(out.status, 200);
      assert.match(await out.text(), new RegExp(`url=${idp.issuer}/session/end\\?`));
    }),
});

Deno.test({
  ...sso,
  name:
    "SSO sign-out without an end_session_endpoint stays local, and the sign-in page says so; a password session's sign-out says nothing of it",
  fn: () =>
    withProvider(false, async (t, _idp, admin) => {
      const browser = t.client();
      await ssoSignIn(browser, new Map());
      await browser.get("/console");
      const out = await browser.post("/signout");
      assert.equal(out.status, 303);
      assert.equal(out.headers.get("location"), "/signin?signedOut=local");
      assert.equal((await browser.get("/console")).status, 303, "signed out here");
      const page = await (await browser.get("/signin?signedOut=local")).text();
      assert.match(page, /You are signed out here\. Contoso offers this product no sign-out/);
      const [audited] = await t.deps.db.select().from(auditLog)
        .where(eq(auditLog.action, "auth.signout"));
      assert.deepEqual(audited.details, { provider: "local only" });

      await admin.get("/console");
      const local = await admin.post("/signout");
      assert.equal(local.headers.get("location"), "/signin", "a password session: nothing to say");
    }),
});
