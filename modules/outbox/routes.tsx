/**
 * The admin routes every outbox has, mounted by the mail and SMS modules: the list (status
 * filter, pages), "send all held", and resending one message, which answers htmx with the
 * message's row and a plain form post with the page the outbox chooses.
 */
import { Hono } from "hono";
import type { Context } from "hono";
import { Refusal } from "../refusal/mod.ts";
import { type AppDeps, type AppEnv, type AuthedEnv, requireRole } from "../http/mod.ts";
import { outboxId, outboxListQuery, outboxScope, resendActor } from "./request.ts";
import type { ResendActor } from "./resend.ts";
import type { OutboxRow, OutboxScope, OutboxStore } from "./store.ts";
import {
  type Notice,
  type OutboxListProps,
  type OutboxListView,
  renderOutboxList,
} from "./views.tsx";

type Ctx = Context<AuthedEnv>;

/** What sets one outbox's routes apart. */
export interface OutboxAdmin<Row extends OutboxRow> {
  view: OutboxListView<Row>;
  store: OutboxStore<Row>;
  /** Queues the held (or the `ids`) messages again; refuses while nothing can send. */
  resend(
    deps: AppDeps,
    scope: OutboxScope,
    options: { actor: ResendActor; ids?: string[] },
  ): Promise<Row[]>;
  /** Whether anything is configured to send with (the list warns while not). */
  configured(deps: AppDeps): boolean;
  /** The answer to a resend posted without htmx, with its outcome on top. */
  resentPage(c: Ctx, row: Row, notice: Notice): Response | Promise<Response>;
}

/** `/` (the list), `/resend-held` and `/:id/resend` for admins; add an outbox's own routes. */
export function outboxAdminRoutes<Row extends OutboxRow>(admin: OutboxAdmin<Row>) {
  const { view, store } = admin;
  const list = (c: Ctx, props: OutboxListProps<Row>) =>
    renderOutboxList(c, { view, props, configured: () => admin.configured(c.get("deps")) });
  return new Hono<AppEnv>()
    .use("*", requireRole("master_admin", "admin"))
    .get("/", async (c) => {
      const query = outboxListQuery(c);
      const result = await store.list(c.get("deps").db, outboxScope(c), query);
      return list(c, { c, result, status: query.status });
    })
    .post("/resend-held", async (c) => {
      const deps = c.get("deps");
      const resent = await admin.resend(deps, outboxScope(c), { actor: resendActor(c) });
      const result = await store.list(deps.db, outboxScope(c));
      const notice: Notice = {
        kind: "info",
        message: c.get("t")(`${view.ns}.resentMany`, { total: resent.length }),
      };
      return list(c, { c, result, notice });
    })
    .post("/:id/resend", async (c) => {
      const deps = c.get("deps");
      const id = outboxId(c);
      const resent = await admin.resend(deps, outboxScope(c), { actor: resendActor(c), ids: [id] });
      const row = resent.length > 0 ? await store.find(deps.db, outboxScope(c), id) : undefined;
      if (!row) throw new Refusal(404, "errors.notFound");
      c.header("Vary", "HX-Request");
      if (c.req.header("hx-request") === "true") return c.html(<view.Row c={c} row={row} />);
      const t = c.get("t");
      const notice: Notice = row.status === "sent"
        ? { kind: "info", message: t(`${view.ns}.resentSent`) }
        : { kind: "error", message: t(`${view.ns}.resentFailed`, { error: row.lastError }) };
      return admin.resentPage(c, row, notice);
    });
}

/** The list page with `notice` on top (for an outbox whose resend answers with the list). */
export async function outboxListWithNotice<Row extends OutboxRow>(
  admin: Pick<OutboxAdmin<Row>, "view" | "store" | "configured">,
  c: Ctx,
  notice: Notice,
) {
  const result = await admin.store.list(c.get("deps").db, outboxScope(c));
  return renderOutboxList(c, {
    view: admin.view,
    props: { c, result, notice },
    configured: () => admin.configured(c.get("deps")),
  });
}
