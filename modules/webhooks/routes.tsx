/**
 * `/admin/webhooks` (master admin): the endpoints, adding one (its secret shown once),
 * changing and deleting one, its deliveries with their answers, and resending a delivery.
 */
import { Hono } from "hono";
import type { Context } from "hono";
import { type AppEnv, type AuthedEnv, changeContext, requireRole } from "../http/mod.ts";
import { outboxId } from "../outbox/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import {
  createEndpoint,
  deleteEndpoint,
  type EndpointInput,
  findEndpoint,
  listDeliveries,
  listEndpoints,
  resendDelivery,
  updateEndpoint,
} from "./endpoints.ts";
import { DeliveryRowView, EndpointPage, WebhooksPage } from "./views.tsx";

type Ctx = Context<AuthedEnv>;

export const webhookAdminRoutes = new Hono<AppEnv>()
  .use("*", requireRole("master_admin"))
  .get("/", async (c) => {
    const deps = c.get("deps");
    return c.html(
      <WebhooksPage c={c} endpoints={await listEndpoints(deps, c.get("user").orgId)} />,
    );
  })
  .post("/", async (c) => {
    const deps = c.get("deps");
    const input = await _input(c);
    const endpoints = () => listEndpoints(deps, c.get("user").orgId);
    const refusal = await _refused(() => createEndpoint(deps, changeContext(c), input));
    if (refusal instanceof Refusal) {
      // The page again with what was typed and why it was refused, not a page without the form.
      const form = { ...input, enabled: true };
      const error = c.get("t")(refusal.key, refusal.params);
      return c.html(
        <WebhooksPage c={c} endpoints={await endpoints()} values={form} error={error} />,
        refusal.status as 422,
      );
    }
    c.header("Cache-Control", "no-store");
    return c.html(<WebhooksPage c={c} endpoints={await endpoints()} created={refusal} />, 201);
  })
  .post("/deliveries/:id/resend", async (c) => {
    const row = await resendDelivery(c.get("deps"), changeContext(c), outboxId(c));
    c.header("Vary", "HX-Request");
    if (c.req.header("hx-request") === "true") return c.html(<DeliveryRowView c={c} row={row} />);
    return c.redirect(`/admin/webhooks/${row.endpointId}?resent=${row.status}`, 303);
  })
  .get("/:id", async (c) => {
    const deps = c.get("deps");
    const endpoint = await findEndpoint(deps, c.get("user").orgId, outboxId(c));
    const page = Number.parseInt(c.req.query("page") ?? "1", 10);
    const deliveries = await listDeliveries(deps, endpoint.orgId, {
      endpointId: endpoint.id,
      page: Number.isFinite(page) ? page : 1,
    });
    const t = c.get("t");
    const resent = c.req.query("resent");
    const saved = c.req.query("saved");
    const notice = saved ? { kind: "info" as const, message: t("common.saved") } : resent
      ? {
        kind: resent === "sent" ? "info" as const : "error" as const,
        message: resent === "sent" ? t("webhooks.resentSent") : t("webhooks.resentFailed"),
      }
      : undefined;
    return c.html(
      <EndpointPage
        c={c}
        endpoint={endpoint}
        values={endpoint}
        deliveries={deliveries}
        notice={notice}
      />,
    );
  })
  .post("/:id", async (c) => {
    const id = outboxId(c);
    const deps = c.get("deps");
    const form = { ...await _input(c), enabled: (await c.req.parseBody()).enabled === "1" };
    const refusal = await _refused(() => updateEndpoint(deps, changeContext(c), id, form));
    if (refusal instanceof Refusal) {
      const endpoint = await findEndpoint(deps, c.get("user").orgId, id);
      const deliveries = await listDeliveries(deps, endpoint.orgId, { endpointId: id, page: 1 });
      const message = c.get("t")(refusal.key, refusal.params);
      return c.html(
        <EndpointPage
          c={c}
          endpoint={endpoint}
          values={form}
          deliveries={deliveries}
          notice={{ kind: "error", message }}
        />,
        refusal.status as 422,
      );
    }
    return c.redirect(`/admin/webhooks/${id}?saved=1`, 303);
  })
  .post("/:id/delete", async (c) => {
    await deleteEndpoint(c.get("deps"), changeContext(c), outboxId(c));
    return c.redirect("/admin/webhooks", 303);
  });

/** What `save` returns, or its refusal of the input (a 422); anything else is thrown on. */
async function _refused<T>(save: () => Promise<T>): Promise<T | Refusal> {
  try {
    return await save();
  } catch (error) {
    if (error instanceof Refusal && error.status === 422) return error;
    throw error;
  }
}

/** The form: URL, description, the ticked event types (a lone string or none at all too). */
async function _input(c: Ctx): Promise<EndpointInput> {
  const body = await c.req.parseBody({ all: true });
  const text = (v: unknown) => (typeof v === "string" ? v : "");
  const types = body.eventTypes;
  const list = Array.isArray(types) ? types : types === undefined ? [] : [types];
  if (list.some((v) => typeof v !== "string")) throw new Refusal(422, "webhooks.unknownEvent");
  return {
    url: text(body.url),
    description: text(body.description),
    eventTypes: list as string[],
  };
}
