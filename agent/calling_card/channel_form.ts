/**
 * The channel's form in the calling card's window: the field definitions come from the server
 * (`GET /agent/channel/:slug`, the channel's own custom fields as its web form asks them), the
 * customer's answers go back there (`POST`, JSON) and the server checks them exactly as it
 * checks its web form. The window shows what the server asked for — labels, lengths, which
 * are required — but words every message itself, in the customer's language: the server
 * answers codes.
 */
import type { AgentStrings } from "../strings.ts";

type CardStrings = AgentStrings["callingCard"];

export interface ChannelField {
  id: string;
  label: string;
  maxLength: number;
  required: boolean;
}

export interface ChannelDefinition {
  name: string;
  /** Why it takes no session now, or null. */
  closed: "closed" | "unavailable" | null;
  nameMaxLength: number;
  fields: ChannelField[];
}

export type Submitted =
  | { ok: true; link: string }
  | { ok: false; message: string; problems: Record<string, string> };

const esc = (text: string) => text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

function _valid(body: unknown): body is ChannelDefinition {
  const d = body as ChannelDefinition;
  return typeof d?.name === "string" && Array.isArray(d.fields) &&
    typeof d.nameMaxLength === "number" &&
    d.fields.every((f) =>
      typeof f?.id === "string" && /^[0-9a-f-]{36}$/.test(f.id) && typeof f.label === "string" &&
      typeof f.maxLength === "number" && typeof f.required === "boolean"
    );
}

/** The channel's form as the server defines it; null when the server does not answer one. */
export async function fetchChannel(
  server: string,
  path: string,
): Promise<ChannelDefinition | null> {
  const url = new URL(path.replace(/^\/c\//, "/agent/channel/"), server);
  try {
    const response = await fetch(url, { headers: { accept: "application/json" } });
    const body = await response.json().catch(() => null);
    return response.ok && _valid(body) ? body : null;
  } catch {
    return null;
  }
}

/** Sends the customer's answers; the new session's link, or what to tell the customer. */
export async function submitChannel(
  options: {
    server: string;
    path: string;
    language: string;
    answers: { name: string; fields: Record<string, string> };
    strings: CardStrings;
  },
): Promise<Submitted> {
  const { strings } = options;
  const url = new URL(options.path.replace(/^\/c\//, "/agent/channel/"), options.server);
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", "accept-language": options.language },
      body: JSON.stringify(options.answers),
    });
  } catch {
    return { ok: false, message: strings.unreachable, problems: {} };
  }
  const body = await response.json().catch(() => ({})) as {
    link?: unknown;
    error?: string;
    problems?: { path: string; code: string }[];
  };
  if (response.ok && typeof body.link === "string") return { ok: true, link: body.link };
  if (response.status === 422 && Array.isArray(body.problems)) {
    const problems: Record<string, string> = {};
    for (const problem of body.problems) {
      const words = strings.problems as Record<string, string>;
      problems[problem.path] ??= words[problem.code] ?? strings.problems.valueInvalid;
    }
    return { ok: false, message: strings.fixFields, problems };
  }
  const why = body.error === "closed"
    ? strings.channelClosed
    : body.error === "unavailable"
    ? strings.channelUnavailable
    : body.error === "throttled"
    ? strings.tooMany
    : strings.refused.replace("{{status}}", String(response.status));
  return { ok: false, message: why, problems: {} };
}

/** The form's HTML: the name, then the channel's fields; each error beside its field. */
export function channelFormHtml(
  channel: ChannelDefinition,
  strings: CardStrings,
  values: Record<string, string> = {},
  problems: Record<string, string> = {},
): string {
  const row = (
    name: string,
    label: string,
    max: number,
    required: boolean,
  ) => {
    const problem = problems[name];
    const id = `in-${name}`;
    return `<label for="${id}">${esc(label)}${
      required ? ' <span aria-hidden="true">*</span>' : ""
    }` +
      `</label><input id="${id}" name="${esc(name)}" value="${esc(values[name] ?? "")}" ` +
      `maxlength="${max}"${required ? " required" : ""}` +
      (problem ? ` aria-invalid="true" aria-describedby="${id}-error"` : "") + `>` +
      (problem ? `<p class="error field-error" id="${id}-error">${esc(problem)}</p>` : "");
  };
  return `<form method="post" action="channel" class="channel-form">` +
    row("name", strings.yourName, channel.nameMaxLength, true) +
    channel.fields.map((f) => row(`f_${f.id}`, f.label, f.maxLength, f.required)).join("") +
    `<button type="submit">${esc(strings.ask)}</button></form>`;
}
