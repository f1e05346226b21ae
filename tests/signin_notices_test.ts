// What a person is told around signing in (issue 13, "smaller things a user noticed"): a
// set-password link ends on a sign-in page that says so and has the e-mail filled in; a
// TOTP code already used (at enrolment) is refused with "wait for the next code".
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { users } from "../modules/auth/mod.ts";
import { invitations } from "../modules/org/schema.ts";
import { randomToken, sha256Hex } from "../modules/tokens/mod.ts";
import { ADMIN, withTestApp } from "./support/app.ts";
import { enrolTotp, oathtool } from "./support/totp.ts";

Deno.test("set-password lands on a sign-in page that says the password is set, e-mail filled in", async () => {
  await withTestApp(async (t) => {
    const [master] = await t.deps.db.select().from(users).where(eq(users.email, ADMIN.email));
    const [person] = await t.deps.db.insert(users).values({
      orgId: master.orgId,
      email: "new.tech@example.test",
      name: "New Tech",
      role: "technician",
      passwordHash: null,
      createdAt: t.clock.now(),
    }).returning();
    const token = randomToken();
    await t.deps.db.insert(invitations).values({
      userId: person.id,
      tokenHash: await sha256Hex(token),
      createdAt: t.clock.now(),
      expiresAt: new Date(t.clock.now().getTime() + 86_400_000),
    });
    const browser = t.client();
    await browser.get(`/invite/${token}`);
    const password = "a new long password";
    const set = await browser.post(`/invite/${token}`, { password, confirm: password });
    assert.equal(set.status, 303);
    const page = await browser.get(set.headers.get("location")!);
    const html = await page.text();
    assert.match(html, /Your password is set/);
    assert.match(html, /name="email"[^>]*value="new\.tech@example\.test"/);
    const signedIn = await browser.signIn("new.tech@example.test", password);
    assert.equal(signedIn.status, 303);
  });
});

Deno.test("a TOTP code used at enrolment is refused at sign-in with 'wait for the next code'", async () => {
  await withTestApp(async (t) => {
    const browser = t.client();
    await browser.signIn(ADMIN.email, ADMIN.password);
    const { secret, code, confirmed } = await enrolTotp(
      browser,
      (secret) => oathtool(secret, t.clock.now()),
    );
    assert.equal(confirmed.status, 200);

    const again = t.client();
    await again.signIn(ADMIN.email, ADMIN.password);
    await again.get("/signin/2fa");
    const refused = await again.post("/signin/2fa", { code });
    assert.equal(refused.status, 401);
    assert.match(await refused.text(), /Wait for the next code/);
    const wrongDigit = String((Number(code[0]) + 1) % 10) + code.slice(1);
    const wrong = await again.post("/signin/2fa", { code: wrongDigit });
    assert.doesNotMatch(await wrong.text(), /Wait for the next code/, "a wrong code says wrong");

    t.clock.advance(30_000);
    const next = await oathtool(secret, t.clock.now());
    const accepted = await again.post("/signin/2fa", { code: next });
    assert.equal(accepted.headers.get("location"), "/console");
  });
});
