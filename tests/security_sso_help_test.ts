// Admin Center → Security: "Require two-step verification for everyone" says that people who
// sign in through single sign-on are asked only when single sign-on does not skip the product's
// own two-step verification (its default skips it) — the help promised everyone, after their
// password, while an SSO sign-in went straight to the console.
import assert from "node:assert/strict";
import { ADMIN, startTestApp } from "./support/app.ts";

Deno.test("security page: requiring two-step verification says what single sign-on does to it, en and nl", async () => {
  const t = await startTestApp();
  try {
    const admin = t.client();
    await admin.signIn(ADMIN.email, ADMIN.password);
    const page = await (await admin.get("/admin/security")).text();
    assert.match(
      page,
      /Who signs in through single sign-on is asked only if single sign-on does not skip this product&#39;s two-step verification\./,
    );
    await admin.post("/account/language", { language: "nl" });
    const nl = await (await admin.get("/admin/security")).text();
    assert.match(
      nl,
      /Wie zich met single sign-on aanmeldt, krijgt die vraag alleen als single sign-on de tweestapsverificatie van dit product niet overslaat\./,
    );
  } finally {
    await t.close();
  }
});
