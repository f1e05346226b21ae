/**
 * The session log as the technician reads it (SPEC T1, T3): one component per line, shared
 * by the workspace panel and the console's live stream, so a line looks the same whether
 * it was there when the panel opened or arrived a second later. Status and event lines
 * carry i18n keys, rendered here in the reader's language.
 */
import { isTranslationKey, type Translator } from "../i18n/mod.ts";
import type { LogLine } from "../support/mod.ts";
import { Moment } from "../../views/moment.tsx";
import { formatSize } from "../../protocol/size.ts";

type Values = Record<string, unknown>;

/**
 * A key stored in the log or built from a stored status is a plain string; one that is not
 * in the locales (an old row) reads as itself, as i18next would show it.
 */
export function translateStored(t: Translator, key: string, values: Values = {}): string {
  return isTranslationKey(key) ? t(key, values) : key;
}

/** Where a session's files are downloaded from (only those the customer sent). */
export function fileHref(sessionId: string, fileId: string): string {
  return `/console/sessions/${sessionId}/files/${fileId}`;
}

function _author(t: Translator, line: LogLine): string {
  if (line.authorName) return line.authorName;
  return translateStored(t, line.author === "customer" ? "workspace.customer" : "workspace.system");
}

function _Chat(props: { t: Translator; line: LogLine }) {
  const { t, line } = props;
  return (
    <>
      <span class="author">{_author(t, line)}</span>
      <span class="text prewrap">{line.body}</span>
    </>
  );
}

function _Status(props: { t: Translator; line: LogLine }) {
  const { t, line } = props;
  const status = (value: unknown) =>
    typeof value === "string" && value ? translateStored(t, `status.${value}`) : "–";
  const to = line.data.to ?? line.body.replace(/^status\./, "");
  return (
    <span class="text">
      {translateStored(t, "workspace.statusChange", {
        from: status(line.data.from),
        to: status(to),
      })}
      {line.authorName && <span class="muted">{` · ${line.authorName}`}</span>}
    </span>
  );
}

function _Event(props: { t: Translator; line: LogLine }) {
  const { t, line } = props;
  const values: Values = { name: line.authorName, author: line.authorName, ...line.data };
  // A reason stored with its key (a support app's refusal code, say) reads in the reader's
  // language; the stored words stay for a key this server does not know.
  const reasonKey = line.data.reasonKey;
  if (typeof reasonKey === "string" && isTranslationKey(reasonKey)) {
    values.reason = t(reasonKey, values);
  }
  if (line.body === "log.transferred") return <_Transfer t={t} line={line} values={values} />;
  if (line.body.startsWith("log.scripts.")) return <_ScriptRun t={t} line={line} values={values} />;
  return <span class="text">{translateStored(t, line.body, values)}</span>;
}

/**
 * A script run's end (modules/scripts): the sentence, the end of its output, and the whole
 * output to download.
 */
function _ScriptRun(props: { t: Translator; line: LogLine; values: Values }) {
  const { t, line } = props;
  const { output, runId } = line.data;
  return (
    <span class="text">
      {translateStored(t, line.body, props.values)}
      {typeof output === "string" && output !== "" && (
        <pre class="script-log-output prewrap">{output}</pre>
      )}
      {typeof runId === "string" && typeof output === "string" && output !== "" && (
        <a href={`/console/sessions/${line.sessionId}/scripts/runs/${runId}/output`}>
          {translateStored(t, "log.scripts.downloadOutput")}
        </a>
      )}
    </span>
  );
}

/** A transfer as technicians read it: to whom, and the sender's note for the recipient. */
function _Transfer(props: { t: Translator; line: LogLine; values: Values }) {
  const { t, line, values } = props;
  const note = typeof line.data.note === "string" ? line.data.note : "";
  const to = typeof line.data.to === "string" && line.data.to;
  return (
    <span class="text">
      {to
        ? translateStored(t, "workspace.transferredTo", values)
        : translateStored(t, line.body, values)}
      {note && (
        <span class="transfer-note prewrap">
          {" "}
          {translateStored(t, "workspace.transferNote", { note })}
        </span>
      )}
    </span>
  );
}

function _File(props: { t: Translator; line: LogLine; fileHref: FileHref }) {
  const { t, line } = props;
  const { fileId, size, md5, sha256, direction } = line.data;
  const fromCustomer = direction === "to_technician";
  const label = fromCustomer ? "workspace.fileReceived" : "workspace.fileSent";
  return (
    <span class="text file">
      <span class="author">{_author(t, line)}</span>
      <span class="direction">{translateStored(t, label)}</span>
      {fromCustomer && typeof fileId === "string"
        ? (
          <a
            href={props.fileHref(line.sessionId, fileId)}
            data-file-id={fileId}
            download={line.body}
          >
            {line.body}
          </a>
        )
        : <strong class="file-name">{line.body}</strong>}
      <span class="file-size muted">{formatSize(Number(size ?? 0), t.lang)}</span>
      <span class="fingerprints">
        <span class="fp">
          <abbr title={translateStored(t, "workspace.fingerprintHelp")}>MD5</abbr>{" "}
          <code class="fp-md5">{String(md5 ?? "")}</code>
        </span>
        <span class="fp">
          <abbr title={translateStored(t, "workspace.fingerprintHelp")}>SHA-256</abbr>{" "}
          <code class="fp-sha256">{String(sha256 ?? "")}</code>
        </span>
      </span>
    </span>
  );
}

function _Url(props: { t: Translator; line: LogLine }) {
  const { t, line } = props;
  // pushUrl only stores http(s); checked again so an old or foreign row never links script.
  const safe = /^https?:\/\//i.test(line.body);
  return (
    <span class="text">
      {translateStored(t, "workspace.urlPushed", { name: _author(t, line) })} {safe
        ? (
          <a class="pushed-url" href={line.body} target="_blank" rel="noopener noreferrer">
            {line.body}
          </a>
        )
        : <span class="mono">{line.body}</span>}
    </span>
  );
}

const BODIES = { chat: _Chat, status: _Status, event: _Event, url: _Url };

type FileHref = (sessionId: string, fileId: string) => string;

/**
 * One line of a session's log. `fileHref` says where a file the customer sent downloads from
 * (the workspace's route by default; a past session's record has its own).
 */
export function LogLineView(props: { t: Translator; line: LogLine; fileHref?: FileHref }) {
  const { t, line } = props;
  const at = new Date(line.at);
  const Body = line.kind === "file" ? null : BODIES[line.kind] ?? _Event;
  // The technicians' private chat (modules/collaboration): never shown to the customer.
  const private_ = line.kind === "chat" && line.data.audience === "technicians";
  return (
    <li
      id={`log-line-${line.id}`}
      class={`log-line log-${line.kind} by-${line.author}${private_ ? " technicians-only" : ""}`}
      data-log-id={String(line.id)}
      data-kind={line.kind}
      data-event={line.kind === "event" ? line.body : undefined}
    >
      <Moment lang={t.lang} at={at} />{" "}
      {private_ && <span class="badge tech-only">{t("collaboration.techniciansOnly")}</span>} {Body
        ? <Body t={t} line={line} />
        : <_File t={t} line={line} fileHref={props.fileHref ?? fileHref} />}
    </li>
  );
}

/** The whole log of a session; the live stream appends new lines to `#log-<id>`. */
export function SessionLog(props: { t: Translator; sessionId: string; lines: LogLine[] }) {
  const { t, sessionId, lines } = props;
  return (
    <ol
      id={`log-${sessionId}`}
      class="session-log"
      aria-live="polite"
      aria-label={translateStored(t, "workspace.log")}
      data-session-log={sessionId}
    >
      {lines.map((line) => <LogLineView t={t} line={line} />)}
    </ol>
  );
}
