/**
 * `/console/history`: search past chats and notes (SPEC T5) — the form with its filters (the
 * days in the viewer's time zone) and the sessions found, each with the matching passages (words found marked).
 */
import type { PageContext } from "../http/mod.ts";
import type { Translator } from "../i18n/mod.ts";
import { timeZones } from "../reports/mod.ts";
import { SESSION_OUTCOMES } from "../sessions/mod.ts";
import { Flash, Layout } from "../../views/layout.tsx";
import { Moment } from "../../views/moment.tsx";
import { MARK_END, MARK_START, type SearchQuery, type SearchResult } from "./search.ts";
import { outcomeLabel, recordPath } from "./views.tsx";

export interface Choice {
  id: string;
  name: string;
}

export interface SearchChoices {
  technicians: Choice[];
  groups: Choice[];
  channels: Choice[];
}

/** A snippet with its marked words in `<mark>`, everything else plain text. */
function Snippet(props: { text: string }) {
  const parts = props.text.split(MARK_START);
  return (
    <span class="snippet">
      {parts[0]}
      {parts.slice(1).map((part) => {
        const [hit, ...rest] = part.split(MARK_END);
        return (
          <>
            <mark>{hit}</mark>
            {rest.join("")}
          </>
        );
      })}
    </span>
  );
}

function Select(
  props: { t: Translator; name: string; label: string; value: string; choices: Choice[] },
) {
  return (
    <div>
      <label for={`search-${props.name}`}>{props.label}</label>
      <select id={`search-${props.name}`} name={props.name}>
        <option value="">{props.t("history.search.any")}</option>
        {props.choices.map((ch) => (
          <option value={ch.id} selected={ch.id === props.value}>{ch.name}</option>
        ))}
      </select>
    </div>
  );
}

export function SearchPage(
  props: {
    c: PageContext;
    query: SearchQuery;
    choices: SearchChoices;
    results?: SearchResult[];
    error?: string;
    /** No time zone was asked for: the page takes the browser's. */
    tzDefaulted?: boolean;
  },
) {
  const { c, query, choices } = props;
  const t = c.get("t");
  const outcomes: Choice[] = [...SESSION_OUTCOMES, "open" as const].map((o) => ({
    id: o,
    name: t(`reports.outcomes.${o}`),
  }));
  return (
    <Layout c={c} title={t("history.search.title")}>
      <h1>{t("history.search.title")}</h1>
      <p class="muted">{t("history.search.intro")}</p>
      <Flash kind="error" message={props.error} />
      <form method="get" action="/console/history" class="card history-search" role="search">
        <div>
          <label for="search-q">{t("history.search.words")}</label>
          <input id="search-q" type="search" name="q" value={query.q} maxlength={200} />
          <p class="muted">{t("history.search.wordsHelp")}</p>
        </div>
        <div class="history-filters">
          <Select
            t={t}
            name="technician"
            label={t("history.search.technician")}
            value={query.technician}
            choices={choices.technicians}
          />
          <Select
            t={t}
            name="group"
            label={t("history.group")}
            value={query.group}
            choices={choices.groups}
          />
          <Select
            t={t}
            name="channel"
            label={t("history.channel")}
            value={query.channel}
            choices={choices.channels}
          />
          <Select
            t={t}
            name="outcome"
            label={t("history.outcome")}
            value={query.outcome}
            choices={outcomes}
          />
          <div>
            <label for="search-from">{t("history.search.from")}</label>
            <input id="search-from" type="date" name="from" value={query.from} />
          </div>
          <div>
            <label for="search-to">{t("history.search.to")}</label>
            <input id="search-to" type="date" name="to" value={query.to} />
          </div>
          <div>
            <label for="search-tz">{t("reports.filters.tz")}</label>
            {/* Not asked for: the browser's zone (static/app.js), as on the report pages. */}
            <select
              id="search-tz"
              name="tz"
              data-browser-zone={props.tzDefaulted ? "1" : undefined}
            >
              {timeZones().map((z) => <option value={z} selected={query.tz === z}>{z}</option>)}
            </select>
          </div>
          <label class="check">
            <input type="checkbox" name="recorded" value="1" checked={query.recorded === "1"} />
            {t("history.search.recorded")}
          </label>
        </div>
        <button type="submit">{t("history.search.submit")}</button>
      </form>
      {props.results && <Results t={t} query={query} results={props.results} />}
    </Layout>
  );
}

function Results(props: { t: Translator; query: SearchQuery; results: SearchResult[] }) {
  const { t, results } = props;
  if (results.length === 0) {
    return <p class="muted search-empty" role="status">{t("history.search.none")}</p>;
  }
  return (
    <section class="search-results" aria-label={t("history.search.results")}>
      <p class="muted" role="status">
        {t("history.search.found", { count: results.length })}
      </p>
      <ol class="search-list">
        {results.map(({ session, hits, recorded }) => (
          <li class="card search-result" data-session={session.id}>
            <h2>
              <a href={recordPath(session.id)}>
                {t("history.recordTitle", {
                  number: session.number,
                  name: session.customerName,
                })}
              </a>
            </h2>
            <p class="muted">
              <Moment lang={t.lang} at={session.createdAt} style="dateTime" />
              {" · "}
              {outcomeLabel(t, session)}
              {recorded && (
                <>
                  {" · "}
                  <span class="recorded-mark">{t("history.search.hasRecording")}</span>
                </>
              )}
            </p>
            {hits.length > 0 && (
              <ul class="search-hits">
                {hits.map((hit) => (
                  <li data-source={hit.source}>
                    <span class="muted">
                      {t(`history.search.source.${hit.source}`)} ·{" "}
                      <Moment lang={t.lang} at={hit.at} style="dateTime" />
                    </span>{" "}
                    <Snippet text={hit.snippet} />
                  </li>
                ))}
              </ul>
            )}
          </li>
        ))}
      </ol>
    </section>
  );
}
