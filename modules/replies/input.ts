/**
 * What a predefined reply or URL may contain. One check for the form, the import and the
 * service, so a file can never hold something the page would refuse.
 */

/** SPEC T2 sets no number; 200 per technician keeps the chat picker usable. */
export const MAX_REPLIES = 200;
export const TITLE_MAX = 100;
export const BODY_MAX = 4000;
export const URL_MAX = 2000;

export type ReplyKind = "reply" | "url";
export const REPLY_KINDS: readonly ReplyKind[] = ["reply", "url"];

/** A reply or URL as typed (form) or read (file), before it is checked. */
export interface ReplyDraft {
  title: string;
  body: string;
}

/** A checked item: the title and body trimmed and normalised, ready to store or export. */
export interface ReplyInput extends ReplyDraft {
  kind: ReplyKind;
}

export type ReplyProblemCode =
  | "titleRequired"
  | "titleTooLong"
  | "bodyRequired"
  | "bodyTooLong"
  | "urlRequired"
  | "urlInvalid"
  | "urlTooLong"
  | "invalidCharacters"
  | "limitReached";

export interface ReplyProblem {
  field: "title" | "body" | "form";
  code: ReplyProblemCode;
}

export type ReplyCheck =
  | { ok: true; input: ReplyInput }
  | { ok: false; problems: ReplyProblem[] };

export function isReplyKind(value: unknown): value is ReplyKind {
  return value === "reply" || value === "url";
}

// Characters XML 1.0 cannot carry (not even as &#…;) and that no chat message needs;
// refusing them keeps every stored item exportable.
// deno-lint-ignore no-control-regex
const FORBIDDEN = /[\x00-\x08\x0B\x0C\x0E-\x1F\x7F\uFFFE\uFFFF]|\p{Cs}/u;

/** Checks and normalises one item; every problem is reported, not just the first. */
export function checkReply(kind: ReplyKind, draft: ReplyDraft): ReplyCheck {
  const problems: ReplyProblem[] = [];
  // A title is one line: runs of white space (tabs, line breaks) read as one space.
  const title = draft.title.replace(/\s+/g, " ").trim();
  if (title === "") problems.push({ field: "title", code: "titleRequired" });
  else if (length(title) > TITLE_MAX) problems.push({ field: "title", code: "titleTooLong" });
  else if (FORBIDDEN.test(title)) problems.push({ field: "title", code: "invalidCharacters" });

  const body = kind === "reply" ? draft.body.replace(/\r\n?/g, "\n").trim() : draft.body.trim();
  const bodyProblem = kind === "reply" ? replyTextProblem(body) : urlProblem(body);
  if (bodyProblem) problems.push({ field: "body", code: bodyProblem });

  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, input: { kind, title, body: kind === "url" ? new URL(body).href : body } };
}

function replyTextProblem(body: string): ReplyProblemCode | undefined {
  if (body === "") return "bodyRequired";
  if (length(body) > BODY_MAX) return "bodyTooLong";
  if (FORBIDDEN.test(body)) return "invalidCharacters";
  return undefined;
}

/** An absolute http(s) address without spaces; stored as the browser would write it. */
function urlProblem(body: string): ReplyProblemCode | undefined {
  if (body === "") return "urlRequired";
  if (body.length > URL_MAX) return "urlTooLong";
  if (/\s/.test(body) || FORBIDDEN.test(body) || !URL.canParse(body)) return "urlInvalid";
  const url = new URL(body);
  if (url.protocol !== "http:" && url.protocol !== "https:") return "urlInvalid";
  if (url.hostname === "") return "urlInvalid";
  if (url.href.length > URL_MAX) return "urlTooLong";
  return undefined;
}

/** Characters as people count them (an emoji is one, not two UTF-16 units). */
function length(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}
