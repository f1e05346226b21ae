import { Refusal } from "../refusal/mod.ts";
import { outboxAdminRoutes, outboxId, outboxScope } from "../outbox/mod.ts";
import { mailStore } from "./outbox.ts";
import { resendMail } from "./resend.ts";
import { MAIL_LIST, MessagePage } from "./views.tsx";

/**
 * `/admin/outbox`: admins watch, inspect and resend the outgoing mail about their groups;
 * the page warns while SMTP is not configured, and a resend without htmx shows the message.
 */
export const mailAdminRoutes = outboxAdminRoutes({
  view: MAIL_LIST,
  store: mailStore,
  resend: resendMail,
  configured: (deps) => Boolean(deps.config.smtpUrl),
  resentPage: (c, row, notice) => c.html(<MessagePage c={c} row={row} notice={notice} />),
})
  .get("/:id", async (c) => {
    const row = await mailStore.find(c.get("deps").db, outboxScope(c), outboxId(c));
    if (!row) throw new Refusal(404, "errors.notFound");
    return c.html(<MessagePage c={c} row={row} />);
  });
