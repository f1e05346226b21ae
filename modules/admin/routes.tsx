import { Hono } from "hono";
import { eq } from "drizzle-orm";
import { recordAudit } from "../audit/mod.ts";
import { getOrganisation, organisations } from "../auth/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import { type AppEnv, clientAddress, readForm, requireRole } from "../http/mod.ts";
import { SecurityPage } from "./views.tsx";
import { organisationRoutes } from "./organisation_routes.tsx";
import { supportAppRoutes } from "./support_app.tsx";

export const adminRoutes = new Hono<AppEnv>()
  .route("/", organisationRoutes)
  .route("/", supportAppRoutes)
  .use("/security", requireRole("master_admin"))
  .get("/security", async (c) => {
    const org = await getOrganisation(c.get("deps").db, c.get("user").orgId);
    return c.html(<SecurityPage c={c} org={org!} />);
  })
  .post("/security", async (c) => {
    const form = await readForm(c);
    const days = Number(form.rememberDeviceDays);
    if (!Number.isInteger(days) || days < 0 || days > 365) {
      throw new Refusal(400, "admin.rememberDaysInvalid");
    }
    const require2fa = form.require2fa === "1";
    const user = c.get("user");
    const { db, clock } = c.get("deps");
    const before = await getOrganisation(db, user.orgId);
    await db.transaction(async (tx) => {
      await tx.update(organisations).set({ require2fa, rememberDeviceDays: days })
        .where(eq(organisations.id, user.orgId));
      await recordAudit(tx, {
        orgId: user.orgId,
        actorId: user.id,
        actorEmail: user.email,
        action: "org.require_2fa_changed",
        ip: clientAddress(c),
        details: {
          before: {
            require2fa: before?.require2fa,
            rememberDeviceDays: before?.rememberDeviceDays,
          },
          after: { require2fa, rememberDeviceDays: days },
        },
        at: clock.now(),
      });
    });
    return c.redirect("/admin/security?saved=1", 303);
  });
