import { type Context, Hono } from "hono";
import { eq } from "drizzle-orm";
import { recordAudit } from "../audit/mod.ts";
import { getOrganisation, organisations } from "../auth/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import { type AppEnv, type AuthedEnv, clientAddress, readForm, requireRole } from "../http/mod.ts";
import { forgetBranding, LOGO_MAX_BYTES, openLogo, sniffLogo, storeLogo } from "./branding.ts";
import { OrganisationPage } from "./views_organisation.tsx";

const NAME_MAX = 100;

/** /admin/organisation: the name and logo customers see (master admin only, audited). */
export const organisationRoutes = new Hono<AppEnv>()
  .use("/organisation", requireRole("master_admin"))
  .use("/organisation/*", requireRole("master_admin"))
  .get("/organisation", async (c) => await page(c))
  .post("/organisation", async (c) => {
    const typed = (await readForm(c)).name ?? "";
    const name = typed.trim();
    if (!name || name.length > NAME_MAX) {
      return await page(c, { refusal: new Refusal(422, "admin.orgNameInvalid"), name: typed });
    }
    await change(c, { name }, "org.renamed");
    return c.redirect("/admin/organisation?saved=1", 303);
  })
  .post("/organisation/logo", async (c) => {
    const body = await c.req.parseBody();
    const file = body.logo;
    const refused = (refusal: Refusal) => page(c, { refusal });
    if (!(file instanceof File) || file.size === 0) {
      return await refused(new Refusal(422, "admin.logoMissing"));
    }
    if (file.size > LOGO_MAX_BYTES) {
      const kb = LOGO_MAX_BYTES / 1024;
      return await refused(new Refusal(413, "admin.logoTooLarge", { params: { kb } }));
    }
    const bytes = new Uint8Array(await file.arrayBuffer());
    const type = sniffLogo(bytes);
    if (!type) return await refused(new Refusal(415, "admin.logoType"));
    const stored = await storeLogo(c.get("deps").files, bytes, type);
    await change(c, stored, "org.logo_changed");
    return c.redirect("/admin/organisation?saved=1", 303);
  })
  .post("/organisation/logo/remove", async (c) => {
    await change(c, { logoSha256: null, logoType: null }, "org.logo_changed");
    return c.redirect("/admin/organisation?saved=1", 303);
  });

/** The logo, by its hash: public (customer pages show it), same origin, never sniffed. */
export const logoRoutes = new Hono<AppEnv>()
  .get("/branding/logo/:sha256", async (c) => {
    const { db, files } = c.get("deps");
    const logo = await openLogo(db, files, c.req.param("sha256"));
    if (!logo) throw new Refusal(404, "errors.notFound");
    return c.body(logo.body, 200, {
      "Content-Type": logo.type,
      "Content-Length": String(logo.size),
      "X-Content-Type-Options": "nosniff",
      "Content-Security-Policy": "default-src 'none'",
      // The hash is in the URL: a new logo is a new URL.
      "Cache-Control": "public, max-age=31536000, immutable",
    });
  });

/**
 * The organisation page; after a refusal with its message (at its status) and the name as
 * typed, so the admin corrects it there instead of on an error page without the forms.
 */
async function page(c: Context<AuthedEnv>, refused: { refusal?: Refusal; name?: string } = {}) {
  const org = await getOrganisation(c.get("deps").db, c.get("user").orgId);
  const { refusal } = refused;
  const error = refusal && c.get("t")(refusal.key, refusal.params);
  return c.html(
    <OrganisationPage c={c} org={org!} error={error} name={refused.name} />,
    (refusal?.status ?? 200) as 200,
  );
}

type Change =
  | { name: string }
  | { logoSha256: string | null; logoType: "image/png" | "image/jpeg" | "image/webp" | null };

async function change(
  c: Context<AuthedEnv>,
  after: Change,
  action: "org.renamed" | "org.logo_changed",
) {
  const user = c.get("user");
  const { db, clock } = c.get("deps");
  const before = await getOrganisation(db, user.orgId);
  await db.transaction(async (tx) => {
    await tx.update(organisations).set(after).where(eq(organisations.id, user.orgId));
    await recordAudit(tx, {
      orgId: user.orgId,
      actorId: user.id,
      actorEmail: user.email,
      action,
      ip: clientAddress(c),
      details: {
        before: "name" in after ? { name: before?.name } : { logoSha256: before?.logoSha256 },
        after,
      },
      at: clock.now(),
    });
  });
  forgetBranding(db);
}
