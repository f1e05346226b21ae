import assert from "node:assert/strict";
import { ADMIN, startTestApp } from "./support/app.ts";

Deno.test("sign-in with the bootstrap admin reaches the console", async () => {
  const t = await startTestApp();
  try {
    const browser = t.client();
    const res = await browser.signIn(ADMIN.email, ADMIN.password);
    assert.equal(res.status, 303);
    assert.equal(res.headers.get("location"), "/console");
    const home = await browser.get("/console");
    assert.equal(home.status, 200);
  } finally {
    await t.close();
  }
});
