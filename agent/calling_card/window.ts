/**
 * The calling card's small window (SPEC C6): when the support app was started from a calling
 * card package (`rescue.json` says `callingCard`), it serves a page on loopback in the
 * card's branding — name, text, logo, colours from `calling-card.json` beside it — where the
 * customer connects by PIN, or fills in the channel's form right there (its custom fields as
 * the server defines them, fetched for that channel and checked by the server exactly as its
 * web form is: channel_form.ts), and a help link when the admin set one. Like the consent window it lives
 * at a secret path, answers only its own Host, takes a POST only from its own Origin and runs
 * under a CSP without inline script or style (the colours come in its own stylesheet, checked
 * as #rrggbb). The PIN it returns is then used exactly like `--pin`; the form's session link
 * like `--link`.
 */
import { join } from "node:path";
import { randomId } from "../consent.ts";
import type { AgentStrings } from "../strings.ts";
import { channelFormHtml, fetchChannel, submitChannel } from "./channel_form.ts";

export interface CardBranding {
  name: string;
  text: string;
  helpUrl: string;
  accent: string;
  background: string;
  logo: string | null;
  channel: { path: string; name: string };
}

const HEADERS: Record<string, string> = {
  "content-security-policy": "default-src 'none'; style-src 'self'; img-src 'self'; " +
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  "cache-control": "no-store",
  // Not no-referrer: with it a browser posts its forms with `Origin: null`, and the window's
  // own POSTs are told apart by their Origin. Nothing leaves for another site (rel=noreferrer).
  "referrer-policy": "same-origin",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
};
const COLOUR = /^#[0-9a-f]{6}$/i;

const _esc = (text: string) => text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** Reads `calling-card.json` from the package folder; null when it is not a valid card. */
export async function readCard(dir: string): Promise<CardBranding | null> {
  try {
    const card = JSON.parse(await Deno.readTextFile(join(dir, "calling-card.json")));
    const ok = typeof card.name === "string" && COLOUR.test(card.accent) &&
      COLOUR.test(card.background) && typeof card.channel?.path === "string" &&
      /^\/c\/[A-Za-z0-9_-]+$/.test(card.channel.path);
    return ok ? card as CardBranding : null;
  } catch {
    return null;
  }
}

export interface CardWindow {
  url: string;
  /** How the customer chose to connect: a PIN, or the link of the session the form made. */
  chosen: Promise<{ pin: string } | { link: string }>;
  close(): Promise<void>;
}

const CSS = (card: CardBranding) =>
  `body{font-family:system-ui,sans-serif;margin:0;background:${card.background}}` +
  `main{max-width:26rem;margin:2rem auto;padding:1.5rem;background:#fff;border-radius:8px;` +
  `border-top:6px solid ${card.accent};box-shadow:0 1px 4px #0002}img{max-width:8rem;` +
  `max-height:4rem}h1{margin:.5rem 0}h2{font-size:1.05rem;margin:1.25rem 0 .25rem}` +
  `button,.button{display:inline-block;background:${card.accent};color:#fff;border:0;` +
  `padding:.5rem 1rem;border-radius:4px;font-size:1rem;text-decoration:none;cursor:pointer}` +
  `label{display:block;margin-top:.75rem;font-weight:600}input{font-size:1rem;width:100%;` +
  `box-sizing:border-box;padding:.4rem;margin:.25rem 0;border:1px solid #888;border-radius:4px}` +
  `#pin{font-size:1.4rem;letter-spacing:.2em;width:8em;margin-right:.5rem}.error{color:#b00020;font-weight:600}` +
  `input[aria-invalid=true]{border:2px solid #b00020}.field-error{margin:0;font-weight:400}` +
  `.channel-form button{margin-top:1rem}a{color:${card.accent}}footer{margin-top:1.25rem}` +
  `hr{border:0;border-top:1px solid #ddd;margin:1.25rem 0}`;

export function openCardWindow(
  options: {
    dir: string;
    card: CardBranding;
    server: string;
    strings: CardStrings;
    /** The customer's language, for the server (the session's language). */
    language?: string;
  },
): CardWindow {
  const { card, server, strings } = options;
  const secret = randomId(24);
  const chosen = Promise.withResolvers<{ pin: string } | { link: string }>();
  let origin = "";
  const channelName = card.channel.name;
  const help = card.helpUrl
    ? `<footer><a href="${_esc(card.helpUrl)}" rel="noreferrer">${_esc(strings.help)}</a></footer>`
    : "";
  const page = (body: string) =>
    `<!doctype html><html><head><meta charset="utf-8"><title>${_esc(card.name)}</title>` +
    `<meta name="viewport" content="width=device-width,initial-scale=1">` +
    `<link rel="stylesheet" href="card.css"></head><body><main>` +
    (card.logo ? `<img src="logo" alt="">` : "") + `<h1>${_esc(card.name)}</h1>${body}` +
    `</main></body></html>`;
  const home = (error = "") =>
    page(
      `<p>${_esc(card.text)}</p>` +
        (error ? `<p class="error" role="alert">${_esc(error)}</p>` : "") +
        `<form method="post" action="pin"><label for="pin">${_esc(strings.pin)}</label>` +
        `<input id="pin" name="pin" inputmode="numeric" autocomplete="off" required ` +
        `pattern="[0-9]{6}"><button type="submit">${_esc(strings.connect)}</button></form>` +
        `<hr><h2>${_esc(strings.noPin)}</h2><p><a class="button" href="channel">${
          _esc(strings.channel.replace("{{channel}}", channelName))
        }</a></p>` + help,
    );
  const back = `<p><a href="./">${_esc(strings.back)}</a></p>`;
  const channelPage = (body: string) =>
    page(
      `<h2>${_esc(strings.channelTitle.replace("{{channel}}", channelName))}</h2>${body}` +
        back + help,
    );
  const html = (body: string, status = 200) => respond(body, "text/html; charset=utf-8", status);
  const respond = (body: BodyInit, type: string, status = 200) =>
    new Response(body, { status, headers: { ...HEADERS, "content-type": type } });
  const showChannel = async (
    values: Record<string, string> = {},
    result?: { message: string; problems: Record<string, string> },
  ) => {
    const channel = await fetchChannel(server, card.channel.path);
    if (!channel) {
      return html(channelPage(`<p class="error">${_esc(strings.unreachable)}</p>`), 502);
    }
    if (channel.closed) {
      const why = channel.closed === "closed" ? strings.channelClosed : strings.channelUnavailable;
      return html(
        channelPage(`<p class="error" role="alert">${_esc(why)}</p>`),
        result ? 409 : 200,
      );
    }
    return html(
      channelPage(
        (result ? `<p class="error" role="alert">${_esc(result.message)}</p>` : "") +
          channelFormHtml(channel, strings, values, result?.problems),
      ),
      result ? 422 : 200,
    );
  };
  const httpServer = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const url = new URL(req.url);
    if (req.headers.get("host") !== new URL(origin).host) return respond("", "text/plain", 421);
    const prefix = `/${secret}/`;
    if (!url.pathname.startsWith(prefix)) return respond("", "text/plain", 404);
    const path = url.pathname.slice(prefix.length);
    if (req.method === "GET" && path === "") return html(home());
    if (req.method === "GET" && path === "card.css") return respond(CSS(card), "text/css");
    if (req.method === "GET" && path === "channel") return await showChannel();
    if (req.method === "GET" && path === "logo" && card.logo && /^[\w.-]+$/.test(card.logo)) {
      const type = card.logo.endsWith(".png")
        ? "image/png"
        : card.logo.endsWith(".webp")
        ? "image/webp"
        : "image/jpeg";
      return respond(await Deno.readFile(join(options.dir, card.logo)), type);
    }
    if (req.method === "POST" && (path === "pin" || path === "channel")) {
      if (req.headers.get("origin") !== origin) return respond("", "text/plain", 403);
      const form = Object.fromEntries(new URLSearchParams(await req.text()));
      if (path === "pin") {
        const pin = form.pin?.trim() ?? "";
        if (!/^\d{6}$/.test(pin)) return html(home(strings.badPin), 422);
        chosen.resolve({ pin });
      } else {
        const fields: Record<string, string> = {};
        for (const [key, value] of Object.entries(form)) {
          if (key.startsWith("f_")) fields[key.slice(2)] = value;
        }
        const sent = await submitChannel({
          server,
          path: card.channel.path,
          language: options.language ?? "en",
          answers: { name: form.name ?? "", fields },
          strings,
        });
        if (!sent.ok) return await showChannel(form, sent);
        chosen.resolve({ link: sent.link });
      }
      return html(page(`<p role="status">${_esc(strings.connecting)}</p>`));
    }
    return respond("", "text/plain", 404);
  });
  origin = `http://127.0.0.1:${httpServer.addr.port}`;
  return {
    url: `${origin}/${secret}/`,
    chosen: chosen.promise,
    close: () => httpServer.shutdown(),
  };
}

/** The window's words (agent/locales, `callingCard`). */
export type CardStrings = AgentStrings["callingCard"];
