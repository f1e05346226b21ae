/**
 * A calling card as a download: the portable support app (modules/agent_packages) with the
 * card's branding beside the agent — `calling-card.json` (name, text, colours, help link, the
 * channel's public path and custom fields) and its logo — and a `rescue.json` that names the
 * server and no session: the app opens its small window and the customer connects from there.
 */
import type { Context } from "hono";
import {
  caFiles,
  downloadOf,
  isPlatform,
  packageFor,
  type Platform,
} from "../agent_packages/mod.ts";
import type { AppDeps } from "../http/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import { type Channel } from "../channels/mod.ts";
import type { CallingCard } from "./service.ts";

/** What the agent's card window reads (agent/calling_card/). */
export interface CardBranding {
  name: string;
  text: string;
  helpUrl: string;
  accent: string;
  background: string;
  logo: string | null;
  channel: { path: string; name: string };
}

export async function cardFiles(deps: AppDeps, card: CallingCard, channel: Channel) {
  const files: { name: string; bytes: Uint8Array<ArrayBuffer> }[] = [];
  let logo: string | null = null;
  if (card.logoSha256 && card.logoType) {
    const opened = await deps.files.open(card.logoSha256);
    if (opened) {
      logo = `calling-card-logo.${card.logoType.split("/")[1]}`;
      files.push({
        name: logo,
        bytes: new Uint8Array(await new Response(opened.body).arrayBuffer()),
      });
    }
  }
  const branding: CardBranding = {
    name: card.name,
    text: card.text,
    helpUrl: card.helpUrl,
    accent: card.accent,
    background: card.background,
    logo,
    channel: { path: `/c/${channel.slug}`, name: channel.name },
  };
  files.unshift({
    name: "calling-card.json",
    bytes: new TextEncoder().encode(JSON.stringify(branding, null, 2) + "\n"),
  });
  return files;
}

/** Streams the card's package for `platform` (404 when no runtime for it is here). */
export async function sendCardPackage(
  c: Context,
  deps: AppDeps,
  card: CallingCard,
  channel: Channel,
  platform: string,
): Promise<Response> {
  if (!isPlatform(platform)) throw new Refusal(404, "callingCards.noPackage");
  const portable = await packageFor(deps.config.dataDir, platform as Platform).catch(() => null);
  if (!portable) throw new Refusal(404, "callingCards.noPackage");
  const server = new URL(deps.config.publicUrl).origin;
  const { tail, length, extension } = await downloadOf(
    portable,
    { server, callingCard: true },
    [...await cardFiles(deps, card, channel), ...caFiles(deps.config.supportAppCa)],
  );
  const file = await Deno.open(portable.path);
  const body = file.readable.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({ flush: (out) => out.enqueue(tail) }),
  );
  return c.body(body, 200, {
    "content-type": extension === "zip" ? "application/zip" : "application/gzip",
    "content-length": String(length),
    "content-disposition": `attachment; filename="calling-card-${card.id}.${extension}"`,
    "cache-control": "no-store",
  });
}
