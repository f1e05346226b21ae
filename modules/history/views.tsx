/**
 * Past sessions on screen (SPEC T5): the History tab of a session's workspace (earlier
 * sessions of the same device or customer, each with its log and notes) and a session's
 * record page — statuses with times, who took part, chat and events, files with both
 * hashes, notes and the customer's survey answers.
 */
import type { PageContext } from "../http/mod.ts";
import type { Translator } from "../i18n/mod.ts";
import { LogLineView, translateStored } from "../console/mod.ts";
import type { LogLine, SupportSession } from "../support/mod.ts";
import { SurveyAnswersCard } from "../surveys/mod.ts";
import { mayDeleteRecordings, RecordingList } from "../recording/mod.ts";
import { Layout } from "../../views/layout.tsx";
import { Moment } from "../../views/moment.tsx";
import type { NoteLine, PastSession, SessionRecord } from "./service.ts";

export const recordPath = (id: string) => `/console/history/session/${id}`;
const fileHref = (sessionId: string, fileId: string) => `${recordPath(sessionId)}/files/${fileId}`;

/** "Closed by technician", or "Still open" for a session that has not ended. */
export function outcomeLabel(t: Translator, session: SupportSession): string {
  if (!session.endedAt) return t("reports.outcomes.open");
  return session.outcome ? translateStored(t, `reports.outcomes.${session.outcome}`) : "–";
}

/** The History tab's content (a fragment the workspace loads when it opens). */
export function HistoryTab(props: { t: Translator; past: PastSession[] }) {
  const { t, past } = props;
  if (past.length === 0) return <p class="muted history-empty">{t("history.none")}</p>;
  return (
    <div class="history-tab">
      <p class="muted">{t("history.intro", { count: past.length })}</p>
      <ol class="history-list">
        {past.map((p) => (
          <li class="history-item" data-history-session={p.session.id}>
            <details>
              <summary>
                <span class="mono">{`#${p.session.number}`}</span>{" "}
                <Moment lang={t.lang} at={p.session.createdAt} style="dateTime" />
                {" · "}
                {outcomeLabel(t, p.session)}
                {p.technicians.length > 0 && ` · ${p.technicians.join(", ")}`}
                <span class="history-match muted">
                  {" · "}
                  {t("history.matchedBy", {
                    reasons: p.matchedBy.map((r) => t(`history.match.${r}`)).join(", "),
                  })}
                </span>
              </summary>
              <Transcript t={t} sessionId={p.session.id} lines={p.lines} />
              <Notes t={t} notes={p.notes} />
              <p>
                <a href={recordPath(p.session.id)} target="_blank" rel="noopener">
                  {t("history.openRecord")}
                </a>
              </p>
            </details>
          </li>
        ))}
      </ol>
    </div>
  );
}

function Transcript(props: { t: Translator; sessionId: string; lines: LogLine[] }) {
  const { t } = props;
  if (props.lines.length === 0) return <p class="muted">{t("history.noLog")}</p>;
  return (
    <ol class="session-log history-log" aria-label={t("history.log")}>
      {props.lines.map((line) => <LogLineView t={t} line={line} fileHref={fileHref} />)}
    </ol>
  );
}

function Notes(props: { t: Translator; notes: NoteLine[]; heading?: boolean }) {
  const { t, notes } = props;
  if (notes.length === 0) return null;
  return (
    <section class="history-notes">
      {props.heading !== false && <h4>{t("history.notes")}</h4>}
      {notes.map((n) => (
        <blockquote class="prewrap" data-note={n.id}>
          {n.body}
          <footer class="muted">
            {n.author} · <Moment lang={t.lang} at={n.updatedAt} style="dateTime" />
          </footer>
        </blockquote>
      ))}
    </section>
  );
}

/** `/console/history/session/:id`: everything kept of one session. */
export function RecordPage(props: { c: PageContext; record: SessionRecord }) {
  const { c, record } = props;
  const { session } = record;
  const t = c.get("t");
  const title = t("history.recordTitle", { number: session.number, name: session.customerName });
  const fields = Object.entries(session.fields ?? {}).filter(([, v]) => String(v ?? "").trim());
  return (
    <Layout c={c} title={title}>
      <p>
        <a href="/console/history">{t("history.searchLink")}</a>
      </p>
      <h1>{title}</h1>
      <section class="card">
        <dl class="record-facts">
          <dt>{t("history.customer")}</dt>
          <dd>{session.customerName}</dd>
          {session.customerContact && (
            <>
              <dt>{t("history.contact")}</dt>
              <dd>{session.customerContact}</dd>
            </>
          )}
          {fields.map(([key, value]) => (
            <>
              <dt>{key}</dt>
              <dd>{String(value)}</dd>
            </>
          ))}
          <dt>{t("history.started")}</dt>
          <dd>
            <Moment lang={t.lang} at={session.createdAt} style="dateTime" />
          </dd>
          <dt>{t("history.ended")}</dt>
          <dd>
            {session.endedAt
              ? <Moment lang={t.lang} at={session.endedAt} style="dateTime" />
              : t("reports.outcomes.open")}
          </dd>
          <dt>{t("history.outcome")}</dt>
          <dd class="record-outcome">{outcomeLabel(t, session)}</dd>
          {record.groupName && (
            <>
              <dt>{t("history.group")}</dt>
              <dd>{record.groupName}</dd>
            </>
          )}
          {record.channelName && (
            <>
              <dt>{t("history.channel")}</dt>
              <dd>{record.channelName}</dd>
            </>
          )}
          {session.deviceId && (
            <>
              <dt>{t("history.device")}</dt>
              <dd class="mono">{session.deviceId}</dd>
            </>
          )}
        </dl>
      </section>
      {record.survey && <SurveyAnswersCard t={t} row={record.survey} />}
      <section class="card">
        <h2>{t("history.people")}</h2>
        <table class="record-people">
          <thead>
            <tr>
              <th>{t("history.who")}</th>
              <th>{t("history.role")}</th>
              <th>{t("history.lastStatus")}</th>
              <th>{t("history.since")}</th>
            </tr>
          </thead>
          <tbody>
            {record.entries.map((e) => (
              <tr>
                <td>{e.userName ?? t("history.queue")}</td>
                <td>{t(`history.roles.${e.role}`)}</td>
                <td>{translateStored(t, `status.${e.status}`)}</td>
                <td>
                  <Moment lang={t.lang} at={e.statusSince} style="dateTime" />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      {record.files.length > 0 && (
        <section class="card">
          <h2>{t("history.files")}</h2>
          <table class="record-files">
            <thead>
              <tr>
                <th>{t("history.fileName")}</th>
                <th>{t("history.fileSize")}</th>
                <th>MD5</th>
                <th>SHA-256</th>
              </tr>
            </thead>
            <tbody>
              {record.files.map((f) => (
                <tr>
                  <td>
                    <a href={fileHref(session.id, f.id)} download={f.name}>{f.name}</a>
                  </td>
                  <td>{String(f.size)}</td>
                  <td class="mono">{f.md5}</td>
                  <td class="mono fp-sha256">{f.sha256}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
      <RecordingList
        t={t}
        sessionId={session.id}
        rows={record.recordings}
        deleting={mayDeleteRecordings(c.get("user")) ? { csrf: c.get("csrf") } : undefined}
      />
      <section class="card">
        <h2>{t("history.notes")}</h2>
        {record.notes.length === 0
          ? <p class="muted">{t("history.noNotes")}</p>
          : <Notes t={t} notes={record.notes} heading={false} />}
      </section>
      <section class="card">
        <h2>{t("history.log")}</h2>
        <Transcript t={t} sessionId={session.id} lines={record.lines} />
      </section>
    </Layout>
  );
}
