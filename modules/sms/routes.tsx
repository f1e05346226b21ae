import { type OutboxAdmin, outboxAdminRoutes, outboxListWithNotice } from "../outbox/mod.ts";
import { smsGatewayOf } from "./delivery.ts";
import { type SmsRow, smsStore } from "./outbox.ts";
import { resendSms } from "./resend.ts";
import { SMS_LIST } from "./views.tsx";

const _sms: Pick<OutboxAdmin<SmsRow>, "view" | "store" | "configured"> = {
  view: SMS_LIST,
  store: smsStore,
  configured: (deps) => Boolean(smsGatewayOf(deps)),
};

/**
 * `/admin/sms`: admins watch and resend the text messages about their groups; the page warns
 * while no gateway is configured. Without htmx there is no row to swap: a resend shows the
 * list with the outcome on top.
 */
export const smsAdminRoutes = outboxAdminRoutes({
  ..._sms,
  resend: resendSms,
  resentPage: (c, _row, notice) => outboxListWithNotice(_sms, c, notice),
});
