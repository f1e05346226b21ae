import { Hono } from "hono";
import type { Context } from "hono";
import { Refusal } from "../refusal/mod.ts";
import { type AppEnv, type AuthedEnv, requireRole } from "../http/mod.ts";
import {
  type Notice,
  outboxId,
  type OutboxListProps,
  outboxListQuery,
  outboxScope,
  renderOutboxList,
  resendActor,
} from "../outbox/mod.ts";
import { smsGatewayOf } from "./delivery.ts";
import { type SmsRow, smsStore } from "./outbox.ts";
import { resendSms } from "./resend.ts";
import { SMS_LIST, SmsRowView } from "./views.tsx";

/** `/admin/sms`: admins watch and resend the text messages about their groups. */
export const smsAdminRoutes = new Hono<AppEnv>()
  .use("*", requireRole("master_admin", "admin"))
  .get("/", async (c) => {
    const query = outboxListQuery(c);
    const result = await smsStore.list(c.get("deps").db, outboxScope(c), query);
    return _list(c, { c, result, status: query.status });
  })
  .post("/resend-held", async (c) => {
    const deps = c.get("deps");
    const resent = await resendSms(deps, outboxScope(c), { actor: resendActor(c) });
    const result = await smsStore.list(deps.db, outboxScope(c));
    const notice = {
      kind: "info" as const,
      message: c.get("t")("sms.resentMany", { total: resent.length }),
    };
    return _list(c, { c, result, notice });
  })
  .post("/:id/resend", async (c) => {
    const deps = c.get("deps");
    const id = outboxId(c);
    const resent = await resendSms(deps, outboxScope(c), { actor: resendActor(c), ids: [id] });
    const row = resent.length > 0 ? await smsStore.find(deps.db, outboxScope(c), id) : undefined;
    if (!row) throw new Refusal(404, "errors.notFound");
    c.header("Vary", "HX-Request");
    if (c.req.header("hx-request") === "true") return c.html(<SmsRowView c={c} row={row} />);
    // Without htmx there is no row to swap: show the list with the outcome on top.
    const t = c.get("t");
    const notice: Notice = row.status === "sent"
      ? { kind: "info", message: t("sms.resentSent") }
      : { kind: "error", message: t("sms.resentFailed", { error: row.lastError }) };
    const result = await smsStore.list(deps.db, outboxScope(c));
    return _list(c, { c, result, notice });
  });

/** The page, or for htmx just the table; the page warns while no gateway is configured. */
function _list(c: Context<AuthedEnv>, props: OutboxListProps<SmsRow>) {
  const configured = () => Boolean(smsGatewayOf(c.get("deps")));
  return renderOutboxList(c, { view: SMS_LIST, props, configured });
}
