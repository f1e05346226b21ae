import type { PageContext } from "../http/mod.ts";
import { CsrfField, Flash, Layout } from "../../views/layout.tsx";
import { Moment } from "../../views/moment.tsx";
import type { Notice } from "../outbox/mod.ts";
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from "./events.ts";
import type { DeliveryRow } from "./delivery.ts";
import type { Endpoint } from "./endpoints.ts";

type Ctx = PageContext;

const STATUS_KEY = {
  pending: "webhooks.statusPending",
  held: "webhooks.statusPending",
  sent: "webhooks.statusSent",
  failed: "webhooks.statusFailed",
} as const;

/** The form's values: an endpoint's, or what was typed before a refusal. */
export interface EndpointForm {
  url: string;
  description: string;
  eventTypes: string[];
  enabled: boolean;
}

/**
 * The endpoint list, the secret of the one just added, and the form to add one — empty, or
 * with what was typed and why it was refused (`values`, `error`).
 */
export function WebhooksPage(
  props: {
    c: Ctx;
    endpoints: Endpoint[];
    created?: { endpoint: Endpoint; secret: string };
    values?: EndpointForm;
    error?: string;
  },
) {
  const { c, endpoints, created } = props;
  const t = c.get("t");
  return (
    <Layout c={c} title={t("webhooks.title")}>
      <h1>{t("webhooks.title")}</h1>
      <p class="muted">{t("webhooks.intro")}</p>
      {created && <SecretOnce c={c} endpoint={created.endpoint} secret={created.secret} />}
      <table>
        <thead>
          <tr>
            <th>{t("webhooks.url")}</th>
            <th>{t("webhooks.events")}</th>
            <th>{t("webhooks.state")}</th>
            <th>{t("webhooks.created")}</th>
          </tr>
        </thead>
        <tbody>
          {endpoints.length === 0 && (
            <tr>
              <td colspan={4} class="muted">{t("webhooks.none")}</td>
            </tr>
          )}
          {endpoints.map((e) => (
            <tr>
              <td>
                <a href={`/admin/webhooks/${e.id}`}>
                  <code>{e.url}</code>
                </a>
                {e.description && <div class="muted">{e.description}</div>}
              </td>
              <td>{e.eventTypes.map((type) => eventLabel(c, type)).join(", ")}</td>
              <td>{e.enabled ? t("webhooks.on") : t("webhooks.off")}</td>
              <td>
                <Moment lang={t.lang} at={e.createdAt} style="dateTime" />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>{t("webhooks.add")}</h2>
      <Flash kind="error" message={props.error} />
      <EndpointFields
        c={c}
        action="/admin/webhooks"
        values={props.values ?? { url: "", description: "", eventTypes: [], enabled: true }}
        submit={t("webhooks.add")}
      />
    </Layout>
  );
}

/** The new secret, shown this once, with what to do with it. */
function SecretOnce({ c, endpoint, secret }: { c: Ctx; endpoint: Endpoint; secret: string }) {
  const t = c.get("t");
  return (
    <section class="card" id="webhook-secret">
      <p class="flash info" role="status">{t("webhooks.addedFor", { url: endpoint.url })}</p>
      <label for="secret">{t("webhooks.secret")}</label>
      <input id="secret" type="text" readonly value={secret} />
      <p class="muted">{t("webhooks.secretOnce")}</p>
    </section>
  );
}

/** URL, description, event types (and on/off when editing), posted to `action`. */
export function EndpointFields(
  props: { c: Ctx; action: string; values: EndpointForm; submit: string; editing?: boolean },
) {
  const { c, values } = props;
  const t = c.get("t");
  return (
    <form method="post" action={props.action} class="card">
      <CsrfField c={c} />
      <label for="wh-url">{t("webhooks.url")}</label>
      <input
        id="wh-url"
        type="text"
        inputmode="url"
        name="url"
        required
        maxlength={2000}
        placeholder="https://tickets.example.com/hooks/rescue"
        value={values.url}
      />
      <label for="wh-description">{t("webhooks.description")}</label>
      <input
        id="wh-description"
        type="text"
        name="description"
        maxlength={200}
        value={values.description}
      />
      <fieldset>
        <legend>{t("webhooks.events")}</legend>
        {WEBHOOK_EVENT_TYPES.map((type) => (
          <label>
            <input
              type="checkbox"
              name="eventTypes"
              value={type}
              checked={values.eventTypes.includes(type)}
            />{" "}
            {eventLabel(c, type)} <code class="muted">{type}</code>
          </label>
        ))}
      </fieldset>
      {props.editing && (
        <label>
          <input type="checkbox" name="enabled" value="1" checked={values.enabled} />{" "}
          {t("webhooks.enabled")}
        </label>
      )}
      <button type="submit">{props.submit}</button>
    </form>
  );
}

/** One endpoint: its settings to change, delete, and its deliveries with their answers. */
export function EndpointPage(
  props: {
    c: Ctx;
    endpoint: Endpoint;
    values: EndpointForm;
    deliveries: { rows: DeliveryRow[]; more: boolean; page: number };
    notice?: Notice;
  },
) {
  const { c, endpoint, deliveries } = props;
  const t = c.get("t");
  const base = `/admin/webhooks/${endpoint.id}`;
  return (
    <Layout c={c} title={t("webhooks.endpointTitle")}>
      <p>
        <a href="/admin/webhooks">{t("webhooks.back")}</a>
      </p>
      <h1>
        {t("webhooks.endpointTitle")}: <code>{endpoint.url}</code>
      </h1>
      <Flash kind={props.notice?.kind ?? "info"} message={props.notice?.message} />
      <EndpointFields
        c={c}
        action={base}
        values={props.values}
        submit={t("common.save")}
        editing
      />
      <form method="post" action={`${base}/delete`} class="inline">
        <CsrfField c={c} />
        <button type="submit" class="danger">{t("webhooks.delete")}</button>
      </form>
      <h2>{t("webhooks.deliveries")}</h2>
      <p class="muted">{t("webhooks.deliveriesIntro")}</p>
      <table id="deliveries">
        <thead>
          <tr>
            <th>{t("webhooks.created")}</th>
            <th>{t("webhooks.event")}</th>
            <th>{t("webhooks.webhookId")}</th>
            <th>{t("webhooks.status")}</th>
            <th>{t("webhooks.attempts")}</th>
            <th>{t("webhooks.response")}</th>
            <th>{t("webhooks.nextAttempt")}</th>
            <th>{t("webhooks.actions")}</th>
          </tr>
        </thead>
        <tbody>
          {deliveries.rows.length === 0 && (
            <tr>
              <td colspan={8} class="muted">{t("webhooks.noDeliveries")}</td>
            </tr>
          )}
          {deliveries.rows.map((row) => <DeliveryRowView c={c} row={row} />)}
        </tbody>
      </table>
      <nav class="pager" aria-label={t("webhooks.pages")}>
        {deliveries.page > 1 && (
          <a href={`${base}?page=${deliveries.page - 1}`}>{t("webhooks.newer")}</a>
        )}
        {deliveries.more && (
          <a href={`${base}?page=${deliveries.page + 1}`}>{t("webhooks.older")}</a>
        )}
      </nav>
    </Layout>
  );
}

/** One delivery: when, what, its webhook-id, outcome, the last answer; resend swaps the row. */
export function DeliveryRowView({ c, row }: { c: Ctx; row: DeliveryRow }) {
  const t = c.get("t");
  const action = `/admin/webhooks/deliveries/${row.id}/resend`;
  return (
    <tr id={`delivery-${row.id}`}>
      <td>
        <Moment lang={t.lang} at={row.createdAt} style="dateTime" />
      </td>
      <td>{eventLabel(c, row.eventType)}</td>
      <td>
        <code>{row.id}</code>
      </td>
      <td>{t(STATUS_KEY[row.status])}</td>
      <td>{row.attempts}</td>
      <td>
        {row.lastAttemptAt
          ? (
            <details>
              <summary>
                {row.responseStatus === null
                  ? t("webhooks.noAnswer")
                  : t("webhooks.answered", { status: row.responseStatus, ms: row.responseMs })}
              </summary>
              <p class="muted">
                <Moment lang={t.lang} at={row.lastAttemptAt} style="dateTime" />
              </p>
              {row.lastError && <p class="muted">{row.lastError}</p>}
              {row.responseBody && <pre>{row.responseBody}</pre>}
            </details>
          )
          : <span class="muted">—</span>}
      </td>
      <td>
        {row.nextAttemptAt && row.status === "pending"
          ? <Moment lang={t.lang} at={row.nextAttemptAt} style="dateTime" />
          : <span class="muted">—</span>}
      </td>
      <td>
        <form
          class="inline"
          method="post"
          action={action}
          hx-post={action}
          hx-target="closest tr"
          hx-swap="outerHTML"
        >
          <CsrfField c={c} />
          <button type="submit" class="link">{t("webhooks.resend")}</button>
        </form>
      </td>
    </tr>
  );
}

/** An event type in words (a stored type this code no longer knows: as stored). */
export function eventLabel(c: Ctx, type: string): string {
  if (!(WEBHOOK_EVENT_TYPES as readonly string[]).includes(type)) return type;
  return c.get("t")(`webhooks.types.${type.replace(".", "_") as _TypeKey}`);
}

type _TypeKey = WebhookEventType extends infer T
  ? T extends `${infer A}.${infer B}` ? `${A}_${B}` : never
  : never;
