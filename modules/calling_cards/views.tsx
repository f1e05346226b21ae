/**
 * Calling cards' pages: the Admin Center list (a card per channel), the card's form with a
 * preview in its colours, and the workspace's deploy dialog.
 */
import type { Context } from "hono";
import type { AuthedEnv } from "../http/mod.ts";
import type { Channel } from "../channels/mod.ts";
import { CsrfField, Layout } from "../../views/layout.tsx";
import type { CallingCard } from "./service.ts";

type C = Context<AuthedEnv>;

export function CardList(props: { c: C; rows: { channel: Channel; card: CallingCard | null }[] }) {
  const t = props.c.get("t");
  return (
    <Layout c={props.c} title={t("callingCards.title")}>
      <section class="card">
        <h1>{t("callingCards.title")}</h1>
        <p class="muted">{t("callingCards.intro")}</p>
        {props.rows.length === 0
          ? <p>{t("callingCards.noChannels")}</p>
          : (
            <table class="calling-cards">
              <thead>
                <tr>
                  <th>{t("callingCards.channel")}</th>
                  <th>{t("callingCards.card")}</th>
                  <th></th>
                </tr>
              </thead>
              <tbody>
                {props.rows.map(({ channel, card }) => (
                  <tr data-channel={channel.id}>
                    <td>{channel.name}</td>
                    <td>
                      {card ? card.name : <span class="muted">{t("callingCards.none")}</span>}
                    </td>
                    <td>
                      <a href={`/admin/calling-cards/${channel.id}`}>
                        {card ? t("callingCards.edit") : t("callingCards.create")}
                      </a>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
      </section>
    </Layout>
  );
}

/** What the card form shows: the card's values, or what was typed before a refusal. */
export type CardValues = Pick<
  CallingCard,
  "name" | "text" | "helpUrl" | "accent" | "background" | "groupIds"
>;

export function CardForm(props: {
  c: C;
  channel: Channel;
  card: CallingCard | null;
  groups: { id: string; name: string }[];
  /** After a refusal: what was typed, and why it was refused. */
  values?: CardValues;
  error?: string;
}) {
  const { c, channel, card } = props;
  const v = props.values ?? card;
  const t = c.get("t");
  const base = `/admin/calling-cards/${channel.id}`;
  return (
    <Layout c={c} title={t("callingCards.formTitle", { channel: channel.name })}>
      <section class="card narrow">
        <h1>{t("callingCards.formTitle", { channel: channel.name })}</h1>
        {c.req.query("saved") && <p class="flash info" role="status">{t("callingCards.saved")}</p>}
        {props.error && <p class="flash error" role="alert">{props.error}</p>}
        <form method="post" action={base} enctype="multipart/form-data" class="stack">
          <CsrfField c={c} />
          <label for="cc-name">{t("callingCards.name")}</label>
          <input
            id="cc-name"
            name="name"
            required
            maxlength={80}
            value={v?.name ?? channel.name}
          />
          <label for="cc-text">{t("callingCards.text")}</label>
          <textarea id="cc-text" name="text" maxlength={500}>{v?.text ?? ""}</textarea>
          <label for="cc-help">{t("callingCards.helpUrl")}</label>
          <input
            id="cc-help"
            name="helpUrl"
            type="url"
            maxlength={300}
            value={v?.helpUrl ?? ""}
          />
          <div class="row">
            <label>
              {t("callingCards.accent")}{" "}
              <input name="accent" type="color" value={v?.accent ?? "#1d4ed8"} />
            </label>
            <label>
              {t("callingCards.background")}{" "}
              <input name="background" type="color" value={v?.background ?? "#ffffff"} />
            </label>
          </div>
          <label for="cc-logo">{t("callingCards.logo")}</label>
          <input id="cc-logo" name="logo" type="file" accept="image/png,image/jpeg,image/webp" />
          <p class="muted">{t("callingCards.logoHelp")}</p>
          {card?.logoSha256 && (
            <label>
              <input type="checkbox" name="removeLogo" value="1" /> {t("callingCards.removeLogo")}
            </label>
          )}
          <fieldset aria-describedby="cc-groups-help">
            <legend>{t("callingCards.groups")}</legend>
            <p class="muted" id="cc-groups-help">{t("callingCards.groupsHelp")}</p>
            {props.groups.length === 0 && <p>{t("callingCards.noGroups")}</p>}
            {props.groups.map((g) => (
              <label>
                <input
                  type="checkbox"
                  name="groups"
                  value={g.id}
                  checked={v?.groupIds.includes(g.id)}
                />{" "}
                {g.name}
              </label>
            ))}
          </fieldset>
          <button type="submit">{t("callingCards.save")}</button>
        </form>
        {card && (
          <>
            <h2>{t("callingCards.packages")}</h2>
            <p>
              <a href={`${base}/package/linux-x64`}>Linux</a> ·{" "}
              <a href={`${base}/package/windows-x64`}>Windows</a> ·{" "}
              <a href={`${base}/package/darwin-arm64`}>macOS</a>
            </p>
            <form method="post" action={`${base}/delete`}>
              <CsrfField c={c} />
              <button type="submit" class="danger">{t("callingCards.delete")}</button>
            </form>
          </>
        )}
      </section>
    </Layout>
  );
}

export function DeployDialog(
  props: { c: C; sessionId: string; cards: { id: string; name: string }[] },
) {
  const t = props.c.get("t");
  return (
    <div class="card dialog" id="calling-card-dialog" role="dialog" aria-labelledby="cc-title">
      <h2 id="cc-title">{t("callingCards.deployTitle")}</h2>
      {props.cards.length === 0
        ? <p>{t("callingCards.noneForGroup")}</p>
        : (
          <form hx-post={`/console/sessions/${props.sessionId}/calling-card`} hx-target="#dialog">
            <label for="cc-card">{t("callingCards.card")}</label>
            <select id="cc-card" name="cardId">
              {props.cards.map((card) => <option value={card.id}>{card.name}</option>)}
            </select>
            <fieldset>
              <legend>{t("callingCards.when")}</legend>
              <label>
                <input type="radio" name="start" value="now" checked /> {t("callingCards.startNow")}
              </label>
              <label>
                <input type="radio" name="start" value="boot" /> {t("callingCards.startBoot")}
              </label>
            </fieldset>
            <p class="muted">{t("callingCards.consent")}</p>
            <button type="submit">{t("callingCards.deploy")}</button>
          </form>
        )}
      <button type="button" class="secondary" data-close-dialog="dialog">
        {t("console.close")}
      </button>
    </div>
  );
}
