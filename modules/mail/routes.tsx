import { Hono } from "hono";
import type { Context } from "hono";
import { Refusal } from "../refusal/mod.ts";
import { type AppEnv, type AuthedEnv, requireRole } from "../http/mod.ts";
import {
  outboxId,
  type OutboxListProps,
  outboxListQuery,
  outboxScope,
  renderOutboxList,
  resendActor,
} from "../outbox/mod.ts";
import { type MailRow, mailStore } from "./outbox.ts";
import { resendMail } from "./resend.ts";
import { MAIL_LIST, MessagePage, OutboxRowView } from "./views.tsx";

/** `/admin/outbox`: admins watch, inspect and resend the outgoing mail about their groups. */
export const mailAdminRoutes = new Hono<AppEnv>()
  .use("*", requireRole("master_admin", "admin"))
  .get("/", async (c) => {
    const query = outboxListQuery(c);
    const result = await mailStore.list(c.get("deps").db, outboxScope(c), query);
    return _list(c, { c, result, status: query.status });
  })
  .post("/resend-held", async (c) => {
    const deps = c.get("deps");
    const resent = await resendMail(deps, outboxScope(c), { actor: resendActor(c) });
    const result = await mailStore.list(deps.db, outboxScope(c));
    const notice = {
      kind: "info" as const,
      message: c.get("t")("mail.resentMany", { total: resent.length }),
    };
    return _list(c, { c, result, notice });
  })
  .get("/:id", async (c) => {
    const row = await mailStore.find(c.get("deps").db, outboxScope(c), outboxId(c));
    if (!row) throw new Refusal(404, "errors.notFound");
    return c.html(<MessagePage c={c} row={row} />);
  })
  .post("/:id/resend", async (c) => {
    const deps = c.get("deps");
    const id = outboxId(c);
    const resent = await resendMail(deps, outboxScope(c), { actor: resendActor(c), ids: [id] });
    const row = resent.length > 0 ? await mailStore.find(deps.db, outboxScope(c), id) : undefined;
    if (!row) throw new Refusal(404, "errors.notFound");
    c.header("Vary", "HX-Request");
    if (c.req.header("hx-request") === "true") return c.html(<OutboxRowView c={c} row={row} />);
    const t = c.get("t");
    const notice = row.status === "sent"
      ? { kind: "info" as const, message: t("mail.resentSent") }
      : { kind: "error" as const, message: t("mail.resentFailed", { error: row.lastError }) };
    return c.html(<MessagePage c={c} row={row} notice={notice} />);
  });

/** The list page, or for htmx its table; the page warns while SMTP is not configured. */
function _list(c: Context<AuthedEnv>, props: OutboxListProps<MailRow>) {
  const configured = () => Boolean(c.get("deps").config.smtpUrl);
  return renderOutboxList(c, { view: MAIL_LIST, props, configured });
}
