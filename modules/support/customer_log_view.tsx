/**
 * One line of the session log as the customer sees it: chat from both sides, files with
 * their fingerprints, pushed links, and the few events that mean something to a customer
 * (a technician joined, put the session on hold, ended it; chat switched off). Internal
 * lines (queue moves, the customer's own connection, PIN locks) stay for technicians.
 */
import { isTranslationKey, type TranslationKey, type Translator } from "../i18n/mod.ts";
import type { LogLine } from "./session_log.ts";
import { Moment } from "../../views/moment.tsx";
import { formatSize } from "../../protocol/size.ts";

/** Event lines a customer is shown; everything else of kind "event" is internal. */
const CUSTOMER_EVENTS = new Set([
  "log.endedByTechnician",
  "log.customerLeft",
  "log.chatOn",
  "log.chatOff",
  "log.transferred",
  "log.deadline_waiting_timeout",
  "log.deadline_inactivity_timeout",
  "log.deadline_hold_limit_reached",
  "log.deadline_offline_after_5_min",
  "log.deadline_system_timeout",
  "log.surveyOffered",
  // Unattended access (modules/unattended): the request links to its page under /s/:token.
  "log.unattendedRequested",
  "log.unattendedApproved",
  "log.unattendedDeclined",
  // Device information (modules/device_info): the line also tells the page to show the question.
  "log.device.asked",
  // The technician's screen stopped because the session's support app connected elsewhere
  // (modules/remote present_routes.tsx): the customer's page says why it went.
  "log.present.moved",
]);

/** Where a status line comes from → what the customer reads (null: not shown). */
function _statusKey(line: LogLine): TranslationKey | null {
  const to = line.data.to;
  const from = String(line.data.from ?? "");
  if (to === "active" && ["waiting", "incoming", "connecting"].includes(from)) {
    return "customer.line.joined";
  }
  // Back from a hold, or from a transfer the sender took back (the customer read "transferred").
  if (to === "active" && ["on_hold", "outgoing"].includes(from)) return "customer.line.resumed";
  // A collaborator's hold (its own, or with the lead's) is not news to the customer.
  if (to === "on_hold" && !["reconnecting", "offline", "collaborating"].includes(from)) {
    return "customer.line.onHold";
  }
  return null;
}

/** A chat line technicians wrote for each other (collaboration, SPEC K3): never the customer's. */
export function isTechniciansOnly(line: Pick<LogLine, "kind" | "data">): boolean {
  return line.kind === "chat" && line.data.audience === "technicians";
}

export function isCustomerVisible(line: LogLine): boolean {
  switch (line.kind) {
    case "chat":
      return !isTechniciansOnly(line);
    case "file":
    case "url":
      return true;
    case "event":
      return CUSTOMER_EVENTS.has(line.body);
    case "status":
      return _statusKey(line) !== null;
    default:
      return false;
  }
}

interface LineProps {
  line: LogLine;
  t: Translator;
  token: string;
}

/** The line, or nothing when the customer is not meant to see it. */
export function LogLineView(props: LineProps) {
  const { line, t } = props;
  if (!isCustomerVisible(line)) return null;
  const who = line.author === "customer"
    ? t("customer.you")
    : line.authorName || t("customer.technician");
  return (
    <div
      class={`log-line log-${line.kind} from-${line.author}`}
      id={`log-${line.id}`}
      data-id={String(line.id)}
      data-kind={line.kind}
      data-author={line.author}
      data-event={line.kind === "event" ? line.body : undefined}
    >
      <Moment lang={t.lang} at={line.at} />
      {line.kind === "chat" && (
        <>
          <span class="who">{who}</span>
          {/* Typed by a person in any script: its own direction (Latin in an Arabic page). */}
          <span class="text" dir="auto">{line.body}</span>
        </>
      )}
      {line.kind === "url" && (
        <span class="text">
          {t("customer.line.pushedUrl", { name: who })}{" "}
          <a class="pushed-url" href={line.body} target="_blank" rel="noopener noreferrer">
            {line.body}
          </a>
        </span>
      )}
      {line.kind === "file" && <FileCard {...props} who={who} />}
      {line.kind === "event" && line.body === "log.surveyOffered" && (
        <SurveyLink href={String(line.data.href ?? "")} t={t} />
      )}
      {line.kind === "event" && line.body === "log.unattendedRequested" && (
        <span class="text">
          {t("unattendedRequest.customer.line")}{" "}
          <a
            class="button unattended-link"
            href={`/s/${props.token}/unattended/${String(line.data.requestId ?? "")}`}
          >
            {t("unattendedRequest.customer.open")}
          </a>
        </span>
      )}
      {line.kind === "event" && line.body === "log.device.asked" && (
        <span class="text">{t("customerDevice.line", { name: who })}</span>
      )}
      {line.kind === "event" && line.body !== "log.surveyOffered" &&
        line.body !== "log.unattendedRequested" && line.body !== "log.device.asked" && (
        <span class="text">
          {isTranslationKey(line.body) ? t(line.body, { name: who }) : line.body}
        </span>
      )}
      {line.kind === "status" && <span class="text">{t(_statusKey(line)!, { name: who })}</span>}
    </div>
  );
}

/**
 * The survey a technician sent or the end offered: ours on this site, or an external one.
 * A line of the log, and on the ended page the invitation above the transcript.
 */
export function SurveyLink(props: { href: string; t: Translator }) {
  const external = !props.href.startsWith("/");
  return (
    <span class="text">
      {props.t("customer.line.surveyOffered")}{" "}
      <a
        class="button survey-link"
        href={props.href}
        target={external ? "_blank" : undefined}
        rel={external ? "noopener noreferrer" : undefined}
      >
        {props.t("customer.line.openSurvey")}
      </a>
    </span>
  );
}

function FileCard(props: LineProps & { who: string }) {
  const { line, t } = props;
  const toCustomer = line.data.direction === "to_customer";
  const fileId = String(line.data.fileId ?? "");
  // Who sent it is the author; the direction says only who may download it. A technician's
  // file kept for the technicians is a screenshot of this screen (the only such file): theirs.
  const said = line.author === "customer"
    ? t("customer.files.sent")
    : toCustomer
    ? t("customer.files.received", { name: props.who })
    : t("customer.files.technicianScreenshot", { name: props.who });
  return (
    <div class="file-card">
      <span class="text">{said}</span>
      <div class="file-meta">
        <strong class="file-name" dir="auto">{line.body}</strong>{" "}
        <span class="file-size">{formatSize(Number(line.data.size ?? 0), t.lang)}</span>
      </div>
      <dl class="fingerprints">
        <dt>{t("customer.files.md5")}</dt>
        <dd>
          <code class="fp-md5">{String(line.data.md5 ?? "")}</code>
        </dd>
        <dt>{t("customer.files.sha256")}</dt>
        <dd>
          <code class="fp-sha256">{String(line.data.sha256 ?? "")}</code>
        </dd>
      </dl>
      {toCustomer && (
        <div class="row">
          <a
            class="button"
            href={`/s/${props.token}/files/${fileId}`}
            data-file-id={fileId}
            data-file-name={line.body}
            download={line.body}
          >
            {t("customer.files.save")}
          </a>
          <progress class="download-progress" max="100" value="0" hidden></progress>
        </div>
      )}
    </div>
  );
}

/** The line as HTML for the live stream (empty when the customer is not meant to see it). */
export async function renderLogLine(
  line: LogLine,
  options: { t: Translator; token: string },
): Promise<string> {
  if (!isCustomerVisible(line)) return "";
  return await (<LogLineView line={line} t={options.t} token={options.token} />).toString();
}

/** The survey offered in `lines` (the whole log) and not answered yet: its address. */
export function openSurveyHref(lines: LogLine[]): string | undefined {
  if (lines.some((l) => l.kind === "event" && l.body === "log.surveyAnswered")) return undefined;
  const offer = lines.findLast((l) => l.kind === "event" && l.body === "log.surveyOffered");
  return offer ? String(offer.data.href ?? "") || undefined : undefined;
}
