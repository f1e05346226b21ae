// The organisation's name and logo (issue 13): set by the master admin in the Admin Center
// (audited), shown in the header of customer pages, the logo served same-origin as what its
// magic bytes say, never SVG or HTML, and only a hash some organisation uses.
import assert from "node:assert/strict";
import { storeFile } from "../modules/support/mod.ts";
import { translator } from "../modules/i18n/mod.ts";
import { DEFAULT_FILE_LIMIT } from "../modules/support/test_support.ts";
import { ADMIN, auditActions, startTestApp, type TestApp, type TestClient } from "./support/app.ts";
import { makeGroup, makePerson, TECH_PASSWORD } from "./support/org.ts";
import { technician, workingSession } from "./support/sessions.ts";

const PNG = new Uint8Array([
  ...[0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
  ...new TextEncoder().encode("rest of a small png"),
]);

async function withApp(fn: (t: TestApp) => Promise<void>) {
  const t = await startTestApp();
  try {
    await fn(t);
  } finally {
    await t.close();
  }
}

async function upload(browser: TestClient, name: string, bytes: Uint8Array, type: string) {
  await browser.get("/admin/organisation");
  const form = new FormData();
  form.set("_csrf", browser.csrf);
  form.set("logo", new File([bytes as Uint8Array<ArrayBuffer>], name, { type }));
  return await browser.send("/admin/organisation/logo", {
    method: "POST",
    body: form,
    headers: { origin: "http://localhost" },
  });
}

Deno.test("the master admin renames the organisation; customer pages show the new name", async () => {
  await withApp(async (t) => {
    const admin = t.client();
    await admin.signIn(ADMIN.email, ADMIN.password);
    await admin.get("/admin/organisation");
    const saved = await admin.post("/admin/organisation", { name: "Helpdesk Jansen" });
    assert.equal(saved.status, 303);
    assert.ok((await auditActions(t.deps)).includes("org.renamed"));
    const customer = t.client();
    assert.match(await (await customer.get("/pin")).text(), /class="org-name">Helpdesk Jansen</);
    assert.equal((await admin.post("/admin/organisation", { name: " " })).status, 422);

    const person = await makePerson(t, { groupId: (await makeGroup(t)).id, role: "admin" });
    const other = t.client();
    await other.signIn(person.email, TECH_PASSWORD);
    assert.equal((await other.get("/admin/organisation")).status, 403, "master admin only");
    assert.equal((await other.post("/admin/organisation", { name: "Mine" })).status, 403);
  });
});

Deno.test("a PNG logo is stored and shown on customer pages, served as image/png with nosniff", async () => {
  await withApp(async (t) => {
    const admin = t.client();
    await admin.signIn(ADMIN.email, ADMIN.password);
    const res = await upload(admin, "logo.png", PNG, "image/png");
    assert.equal(res.status, 303, await res.clone().text());
    assert.ok((await auditActions(t.deps)).includes("org.logo_changed"));

    const tech = await technician(t);
    const session = await workingSession(t, tech);
    const customer = t.client();
    for (const path of ["/pin", `/s/${session.token}`]) {
      const html = await (await customer.get(path)).text();
      const src = /class="org-logo" src="([^"]+)"/.exec(html)?.[1];
      assert.ok(src?.startsWith("/branding/logo/"), `${path} shows the logo`);
      const logo = await customer.get(src!);
      assert.equal(logo.status, 200);
      assert.equal(logo.headers.get("content-type"), "image/png");
      assert.equal(logo.headers.get("x-content-type-options"), "nosniff");
      assert.deepEqual(new Uint8Array(await logo.arrayBuffer()), PNG);
    }
    // A page that answers a form — a wrong PIN, a refused admin form — keeps the header too.
    await customer.get("/pin");
    const wrong = await customer.post("/pin", { pin: "000000" });
    assert.equal(wrong.status, 422);
    assert.match(
      await wrong.text(),
      /class="org-logo" src="\/branding\/logo\//,
      "after a wrong PIN",
    );
    await admin.get("/admin/organisation");
    const refused = await admin.post("/admin/organisation", { name: " " });
    assert.equal(refused.status, 422);
    assert.match(await refused.text(), /class="org-logo" src="\/branding\/logo\//, "refused form");

    // A session's file is in the same store: its hash is not a logo, so it is not served.
    const file = await storeFile(
      t.deps,
      session,
      {
        name: "private.txt",
        type: "text/plain",
        bytes: new TextEncoder().encode("the customer's own"),
      },
      { direction: "to_technician" },
      DEFAULT_FILE_LIMIT,
    );
    assert.equal((await customer.get(`/branding/logo/${file.sha256}`)).status, 404);

    const removed = await admin.post("/admin/organisation/logo/remove");
    assert.equal(removed.status, 303);
    assert.doesNotMatch(await (await t.client().get("/pin")).text(), /class="org-logo"/);
  });
});

Deno.test("an SVG, an HTML page named .png and an oversized image are refused as logos", async () => {
  await withApp(async (t) => {
    const admin = t.client();
    await admin.signIn(ADMIN.email, ADMIN.password);
    const svg = new TextEncoder().encode(
      `<svg xmlns="http://www.w3.org/2000/svg"><script>1</script></svg>`,
    );
    // Each refusal is the organisation page again, with why (not a page without its forms).
    const refused = async (res: Response, status: number, why: RegExp) => {
      assert.equal(res.status, status);
      const page = await res.text();
      assert.match(page, why);
      assert.match(page, /<input id="org-logo" type="file"/);
    };
    await refused(await upload(admin, "logo.svg", svg, "image/svg+xml"), 415, /SVG is not/);
    const html = new TextEncoder().encode("<html><script>alert(1)</script></html>");
    await refused(await upload(admin, "logo.png", html, "image/png"), 415, /PNG, JPEG or WebP/);
    const big = new Uint8Array(300 * 1024);
    big.set(PNG);
    await refused(await upload(admin, "big.png", big, "image/png"), 413, /at most 256 KB/);
    // A name that is too long: the page again with the name as typed, to shorten.
    await admin.get("/admin/organisation");
    const long = "Helpdesk ".repeat(12);
    const named = await admin.post("/admin/organisation", { name: long });
    await refused(named.clone(), 422, /at most 100 characters/);
    assert.match(await named.text(), new RegExp(`id="org-name"[^>]* value="${long}"`));
    assert.doesNotMatch(await (await t.client().get("/pin")).text(), /class="org-logo"/);
  });
});

Deno.test("signed-out pages link to the technician sign-in in the header", async () => {
  await withApp(async (t) => {
    const visitor = t.client();
    const pin = await (await visitor.get("/pin")).text();
    assert.match(pin, /<header class="topbar">[\s\S]*href="\/signin"[\s\S]*<\/header>/);
    assert.match(pin, /Technician sign-in/);
  });
});

Deno.test("the organisation created from the environment is named in LANG's language or RESCUE_ORG_NAME", async () => {
  for (
    const [env, name] of [
      [{ LANG: "nl_NL.UTF-8" }, "Mijn organisatie"],
      [{ LANG: "en_GB.UTF-8" }, "My organisation"],
      [{ LANG: "pt_BR.UTF-8" }, translator("pt-br")("admin.defaultOrgName")],
      // A customer-only language is no staff language: the admin's organisation in English.
      [{ LANG: "ru_RU.UTF-8" }, "My organisation"],
      [{ LANG: "nl_NL.UTF-8", RESCUE_ORG_NAME: "Helpdesk Jansen" }, "Helpdesk Jansen"],
    ] as [Record<string, string>, string][]
  ) {
    const t = await startTestApp({ env });
    try {
      const html = await (await t.client().get("/pin")).text();
      assert.match(html, new RegExp(`class="org-name">${name}<`));
    } finally {
      await t.close();
    }
  }
});
