/**
 * The calling card's small window (SPEC C6): when the support app was started from a calling
 * card package (`rescue.json` says `callingCard`), it serves a page on loopback in the
 * card's branding — name, text, logo, colours from `calling-card.json` beside it — where the
 * customer connects by PIN, or opens the channel's form on the server (its custom fields are
 * asked there, on the server's own page), and a help link. Like the consent window it lives
 * at a secret path, answers only its own Host, takes a POST only from its own Origin and runs
 * under a CSP without inline script or style (the colours come in its own stylesheet, checked
 * as #rrggbb). The PIN it returns is then used exactly like `--pin`.
 */
import { join } from "node:path";
import { randomId } from "../consent.ts";

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
  "referrer-policy": "no-referrer",
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
  /** The PIN the customer entered. */
  pin: Promise<string>;
  close(): Promise<void>;
}

export function openCardWindow(
  options: { dir: string; card: CardBranding; server: string; strings: CardStrings },
): CardWindow {
  const { card, server, strings } = options;
  const secret = randomId(24);
  const chosen = Promise.withResolvers<string>();
  let origin = "";
  const page = (body: string) =>
    `<!doctype html><html><head><meta charset="utf-8"><title>${_esc(card.name)}</title>` +
    `<link rel="stylesheet" href="card.css"></head><body><main>` +
    (card.logo ? `<img src="logo" alt="">` : "") + `<h1>${_esc(card.name)}</h1>${body}` +
    `</main></body></html>`;
  const form = (error = "") =>
    page(
      `<p>${_esc(card.text)}</p>` + (error ? `<p class="error">${_esc(error)}</p>` : "") +
        `<form method="post" action="pin"><label for="pin">${_esc(strings.pin)}</label>` +
        `<input id="pin" name="pin" inputmode="numeric" autocomplete="off" required ` +
        `pattern="[0-9]{6}"><button type="submit">${_esc(strings.connect)}</button></form>` +
        `<p><a href="${_esc(new URL(card.channel.path, server).href)}">${
          _esc(strings.channel.replace("{{channel}}", card.channel.name))
        }</a></p>` +
        (card.helpUrl ? `<p><a href="${_esc(card.helpUrl)}">${_esc(strings.help)}</a></p>` : ""),
    );
  const css = `body{font-family:system-ui,sans-serif;margin:0;background:${card.background}}` +
    `main{max-width:24rem;margin:2rem auto;padding:1.5rem;background:#fff;border-radius:8px;` +
    `border-top:6px solid ${card.accent}}img{max-width:8rem;max-height:4rem}` +
    `button{background:${card.accent};color:#fff;border:0;padding:.5rem 1rem;border-radius:4px}` +
    `input{font-size:1.4rem;letter-spacing:.2em;width:8em;margin:.5rem 0}.error{color:#b00020}` +
    `a{color:${card.accent}}`;
  const respond = (body: BodyInit, type: string, status = 200) =>
    new Response(body, { status, headers: { ...HEADERS, "content-type": type } });
  const httpServer = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const url = new URL(req.url);
    if (req.headers.get("host") !== new URL(origin).host) return respond("", "text/plain", 421);
    const prefix = `/${secret}/`;
    if (!url.pathname.startsWith(prefix)) return respond("", "text/plain", 404);
    const path = url.pathname.slice(prefix.length);
    if (req.method === "GET" && path === "") return respond(form(), "text/html; charset=utf-8");
    if (req.method === "GET" && path === "card.css") return respond(css, "text/css");
    if (req.method === "GET" && path === "logo" && card.logo && /^[\w.-]+$/.test(card.logo)) {
      const type = card.logo.endsWith(".png")
        ? "image/png"
        : card.logo.endsWith(".webp")
        ? "image/webp"
        : "image/jpeg";
      return respond(await Deno.readFile(join(options.dir, card.logo)), type);
    }
    if (req.method === "POST" && path === "pin") {
      if (req.headers.get("origin") !== origin) return respond("", "text/plain", 403);
      const pin = new URLSearchParams(await req.text()).get("pin")?.trim() ?? "";
      if (!/^\d{6}$/.test(pin)) {
        return respond(form(strings.badPin), "text/html; charset=utf-8", 422);
      }
      chosen.resolve(pin);
      return respond(page(`<p>${_esc(strings.connecting)}</p>`), "text/html; charset=utf-8");
    }
    return respond("", "text/plain", 404);
  });
  origin = `http://127.0.0.1:${httpServer.addr.port}`;
  return {
    url: `${origin}/${secret}/`,
    pin: chosen.promise,
    close: () => httpServer.shutdown(),
  };
}

export interface CardStrings {
  pin: string;
  connect: string;
  channel: string;
  help: string;
  badPin: string;
  connecting: string;
}
