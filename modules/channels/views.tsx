import type { PageContext } from "../http/mod.ts";
import type { Translator } from "../i18n/mod.ts";
import { CsrfField, Flash, Layout } from "../../views/layout.tsx";
import { Moment } from "../../views/moment.tsx";
import type { FieldRow } from "./fields.ts";
import { CUSTOMER_NAME_MAX } from "./public.ts";
import { type Callback, type Channel, MAX_CHANNELS } from "./service.ts";

/** The address customers open; the slug is the only secret-ish part. */
export function publicLink(c: PageContext, channel: Channel): string {
  return `${c.get("deps").config.publicUrl}/c/${channel.slug}`;
}

/** `/admin/channels`: every channel of the organisation and the way to add one. */
export function ChannelListPage(
  props: {
    c: PageContext;
    channels: Channel[];
    /** The organisation's channels, all of them: the limit counts those, not the listed. */
    total: number;
    groups: { id: string; name: string }[];
    flash?: { kind: "error" | "info"; message: string };
  },
) {
  const { c, channels } = props;
  const t = c.get("t");
  const groupName = new Map(props.groups.map((g) => [g.id, g.name]));
  const full = props.total >= MAX_CHANNELS;
  return (
    <Layout c={c} title={t("channels.title")}>
      <h1>{t("channels.title")}</h1>
      <Flash kind={props.flash?.kind ?? "info"} message={props.flash?.message} />
      <p class="muted">{t("channels.intro")}</p>
      <div class="row">
        {full
          ? <p class="flash info">{t("channels.limitReached", { max: MAX_CHANNELS })}</p>
          : <a class="button" href="/admin/channels/new">{t("channels.new")}</a>}
        <span class="muted">
          {t("channels.count", { n: props.total, max: MAX_CHANNELS })}
        </span>
        <a href="/admin/fields">{t("channels.manageFields")}</a>
        <a href="/admin/channels/callbacks">{t("channels.callbacks.link")}</a>
      </div>
      <table>
        <thead>
          <tr>
            <th>{t("channels.name")}</th>
            <th>{t("channels.groups")}</th>
            <th>{t("channels.link")}</th>
            <th>{t("channels.status")}</th>
            <th>{t("channels.fieldCount")}</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          {channels.length === 0 && (
            <tr>
              <td colspan={6} class="muted">{t("channels.empty")}</td>
            </tr>
          )}
          {channels.map((ch) => (
            <tr>
              <td>
                <a href={`/admin/channels/${ch.id}`}>{ch.name}</a>
              </td>
              <td>
                {ch.groupIds.map((id) => groupName.get(id)).filter(Boolean).join(", ") ||
                  <span class="muted">{t("channels.noGroupsAssigned")}</span>}
              </td>
              <td>
                <a class="mono" href={publicLink(c, ch)} target="_blank" rel="noopener">
                  /c/{ch.slug}
                </a>
              </td>
              <td>{ch.active ? t("channels.active") : t("channels.inactive")}</td>
              <td>{ch.fields.length}</td>
              <td>
                <a href={`/admin/channels/${ch.id}`}>{t("channels.edit")}</a>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Layout>
  );
}

function When({ c, at }: { c: PageContext; at: Date }) {
  return <Moment lang={c.get("lang")} at={at} style="dateTime" />;
}

/** `/admin/channels/callbacks`: the details customers left to be called back (SPEC A6). */
export function CallbackListPage(
  props: {
    c: PageContext;
    callbacks: Callback[];
    fields: FieldRow[];
    flash?: { kind: "error" | "info"; message: string };
  },
) {
  const { c, callbacks } = props;
  const t = c.get("t");
  const label = new Map(props.fields.map((f) => [f.id, f.label]));
  return (
    <Layout c={c} title={t("channels.callbacks.title")}>
      <p>
        <a href="/admin/channels">{t("channels.backToList")}</a>
      </p>
      <h1>{t("channels.callbacks.title")}</h1>
      <Flash kind={props.flash?.kind ?? "info"} message={props.flash?.message} />
      <p class="muted">{t("channels.callbacks.intro")}</p>
      <table>
        <thead>
          <tr>
            <th>{t("channels.callbacks.channel")}</th>
            <th>{t("channels.callbacks.customer")}</th>
            <th>{t("channels.callbacks.contact")}</th>
            <th>{t("channels.callbacks.details")}</th>
            <th>{t("channels.callbacks.received")}</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          {callbacks.length === 0 && (
            <tr>
              <td colspan={6} class="muted">{t("channels.callbacks.empty")}</td>
            </tr>
          )}
          {callbacks.map((cb) => (
            <tr>
              <td>{cb.channelName}</td>
              <td>{cb.name}</td>
              <td>{cb.contact}</td>
              <td>
                {Object.entries(cb.values).map(([fieldId, value]) => (
                  <div>
                    <span class="muted">
                      {label.get(fieldId) ?? t("channels.callbacks.oldField")}:
                    </span>{" "}
                    {value}
                  </div>
                ))}
              </td>
              <td>
                <When c={c} at={cb.createdAt} />
              </td>
              <td>
                {cb.handledAt
                  ? (
                    <span class="muted">
                      {t("channels.callbacks.handled")} <When c={c} at={cb.handledAt} />
                    </span>
                  )
                  : (
                    <form method="post" action={`/admin/channels/callbacks/${cb.id}/handled`}>
                      <CsrfField c={c} />
                      <button type="submit">{t("channels.callbacks.markHandled")}</button>
                    </form>
                  )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Layout>
  );
}

/** The public link and the form snippet to paste into the organisation's own website. */
export function ChannelLinkCard(
  props: { c: PageContext; channel: Channel; fields: FieldRow[] },
) {
  const { c, channel } = props;
  const t = c.get("t");
  const link = publicLink(c, channel);
  return (
    <section class="card">
      <h2>{t("channels.publicLink")}</h2>
      {!channel.active && <p class="flash info">{t("channels.inactiveHint")}</p>}
      <p>
        <a class="mono" href={link} target="_blank" rel="noopener">{link}</a>
      </p>
      <label for="ch-snippet">{t("channels.snippet")}</label>
      <p class="muted">{t("channels.snippetHelp")}</p>
      <textarea id="ch-snippet" class="snippet" rows={8} readonly>
        {embedSnippet(t, link, channel, props.fields)}
      </textarea>
    </section>
  );
}

/**
 * A plain HTML form (no script, no styling) that posts to the channel's public URL with
 * the same field names as our own page: "name" and `f_<fieldId>`.
 */
export function embedSnippet(
  t: Translator,
  link: string,
  channel: Channel,
  fields: readonly FieldRow[],
): string {
  // GET on purpose: it opens our own page pre-filled, where the customer confirms with a
  // form that carries our CSRF token — a foreign site cannot post into the queue directly.
  const lines = [`<form method="get" action="${escapeHtml(link)}" accept-charset="utf-8">`];
  const input = (label: string, name: string, max: number, required: boolean) =>
    `  <p><label>${escapeHtml(label)}${required ? " *" : ""}<br>` +
    `<input type="text" name="${name}" maxlength="${max}"${required ? " required" : ""}>` +
    `</label></p>`;
  lines.push(input(t("channels.public.yourName"), "name", CUSTOMER_NAME_MAX, true));
  for (const { fieldId, required } of channel.fields) {
    const field = fields.find((f) => f.id === fieldId);
    if (field) lines.push(input(field.label, `f_${field.id}`, field.maxLength, required));
  }
  lines.push(`  <p><button type="submit">${escapeHtml(t("channels.public.start"))}</button></p>`);
  lines.push("</form>");
  return lines.join("\n");
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** Asks before deleting: the link stops working and waiting callback requests go too. */
export function DeleteChannelPage(
  props: { c: PageContext; channel: Channel; callbacks: number },
) {
  const { c, channel } = props;
  const t = c.get("t");
  return (
    <Layout c={c} title={t("channels.deleteTitle", { name: channel.name })}>
      <section class="card narrow">
        <h1>{t("channels.deleteTitle", { name: channel.name })}</h1>
        <p>{t("channels.deleteWarning")}</p>
        {props.callbacks > 0 && (
          <p class="flash error">{t("channels.deleteCallbacks", { count: props.callbacks })}</p>
        )}
        <form method="post" action={`/admin/channels/${channel.id}/delete`} class="row">
          <CsrfField c={c} />
          <button type="submit" class="danger">{t("channels.deleteConfirm")}</button>
          <a href={`/admin/channels/${channel.id}`}>{t("channels.cancel")}</a>
        </form>
      </section>
    </Layout>
  );
}
