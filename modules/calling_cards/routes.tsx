/**
 * Calling cards' routes (SPEC C6):
 * - `/admin/calling-cards` (admins): the channels they manage and each one's card; per channel
 *   the form (`GET`/`POST /admin/calling-cards/:channelId`, multipart: name, text, help link,
 *   colours, logo, groups), `POST …/delete`, and the branded package
 *   (`GET …/package/:platform`);
 * - `POST /console/sessions/:id/calling-card` (`callingCard`, the technician working the
 *   Active session; form `cardId`, `start` = now | boot): the agent asks the customer, then
 *   fetches `GET /s/:token/calling-card/:cardId/:platform` — the card's package, for a card
 *   of the session's group, while the session lives.
 */
import { Hono } from "hono";
import {
  type AppEnv,
  type AuthedEnv,
  isHtmx,
  readForm,
  requirePermission,
  requireRole,
} from "../http/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import { getChannel, listManagedChannels } from "../channels/mod.ts";
import { listGroups, managedGroupIds } from "../org/mod.ts";
import { callAgent, relayToAgentHome } from "../remote/mod.ts";
import { findByToken, logSessionEvent, sessionForTechnician } from "../support/mod.ts";
import {
  cardById,
  cardOfChannel,
  cardsForGroup,
  deleteCard,
  managedChannel,
  saveCard,
} from "./service.ts";
import { sendCardPackage } from "./package.ts";
import { CardForm, CardList, DeployDialog } from "./views.tsx";
import type { Context } from "hono";

type C = Context<AuthedEnv>;

/** A channel's calling card form, with what was typed and why it was refused, if it was. */
async function _cardPage(
  c: C,
  refused?: { values: Awaited<ReturnType<typeof _form>>; error: string },
) {
  const deps = c.get("deps");
  const user = c.get("user");
  const channel = await managedChannel(deps, user, c.req.param("channelId") ?? "");
  const managed = await managedGroupIds(deps.db, user);
  const groups = (await listGroups(deps.db, user.orgId)).filter((g) => managed.has(g.id));
  const card = await cardOfChannel(deps, channel.id);
  return <CardForm c={c} channel={channel} card={card} groups={groups} {...refused} />;
}

async function _form(c: C) {
  const body = await c.req.parseBody({ all: true });
  const text = (key: string) => {
    const value = body[key];
    return typeof value === "string" ? value : "";
  };
  const groups = body["groups"];
  const groupIds = (Array.isArray(groups) ? groups : groups ? [groups] : [])
    .filter((g): g is string => typeof g === "string");
  const file = body["logo"];
  const logo = file instanceof File && file.size > 0
    ? new Uint8Array(await file.slice(0, 256 * 1024 + 1).arrayBuffer())
    : null;
  return {
    name: text("name"),
    text: text("text"),
    helpUrl: text("helpUrl").trim(),
    accent: text("accent").toLowerCase(),
    background: text("background").toLowerCase(),
    groupIds,
    logo,
    removeLogo: text("removeLogo") === "1",
  };
}

const adminRoutes = new Hono<AppEnv>()
  .use("/admin/calling-cards", requireRole("master_admin", "admin"))
  .use("/admin/calling-cards/*", requireRole("master_admin", "admin"))
  .get("/admin/calling-cards", async (c) => {
    const deps = c.get("deps");
    const channels = await listManagedChannels(deps.db, c.get("user"));
    const cards = await Promise.all(channels.map((ch) => cardOfChannel(deps, ch.id)));
    return c.html(
      <CardList c={c} rows={channels.map((channel, i) => ({ channel, card: cards[i] }))} />,
    );
  })
  .get("/admin/calling-cards/:channelId", async (c) => c.html(await _cardPage(c)))
  .post("/admin/calling-cards/:channelId", async (c) => {
    const deps = c.get("deps");
    const user = c.get("user");
    const input = await _form(c);
    try {
      await saveCard(deps, user, c.req.param("channelId"), input);
    } catch (error) {
      if (!(error instanceof Refusal) || error.status !== 422) throw error;
      // The form again with what was typed and why: not an error page that loses it all.
      const said = c.get("t")(error.key, error.params);
      return c.html(await _cardPage(c, { values: input, error: said }), 422);
    }
    return c.redirect(`/admin/calling-cards/${c.req.param("channelId")}?saved=1`, 303);
  })
  .post("/admin/calling-cards/:channelId/delete", async (c) => {
    await deleteCard(c.get("deps"), c.get("user"), c.req.param("channelId"));
    return c.redirect("/admin/calling-cards", 303);
  })
  .get("/admin/calling-cards/:channelId/package/:platform", async (c) => {
    const deps = c.get("deps");
    const channel = await managedChannel(deps, c.get("user"), c.req.param("channelId"));
    const card = await cardOfChannel(deps, channel.id);
    if (!card) throw new Refusal(404, "callingCards.notFound");
    return await sendCardPackage(c, deps, card, channel, c.req.param("platform"));
  });

const deployRoutes = new Hono<AppEnv>()
  .use("/console/sessions/:id/calling-card", requirePermission("callingCard"), relayToAgentHome)
  .get("/console/sessions/:id/calling-card", async (c) => {
    const deps = c.get("deps");
    const user = c.get("user");
    const { session } = await sessionForTechnician(deps, user, c.req.param("id"), "work");
    const cards = await cardsForGroup(deps, user.orgId, session.groupId);
    return c.html(<DeployDialog c={c} sessionId={session.id} cards={cards} />);
  })
  .post("/console/sessions/:id/calling-card", async (c) => {
    const deps = c.get("deps");
    const user = c.get("user");
    const { session, entry } = await sessionForTechnician(deps, user, c.req.param("id"), "work");
    if (entry.status !== "active") throw new Refusal(409, "callingCards.notActive");
    const form = await readForm(c);
    const start = form.start === "boot" ? "boot" : form.start === "now" ? "now" : null;
    if (!start) throw new Refusal(422, "callingCards.bad.start");
    const card = await cardById(deps, form.cardId ?? "");
    if (!card || card.orgId !== user.orgId || !card.groupIds.includes(session.groupId ?? "")) {
      throw new Refusal(404, "callingCards.notFound");
    }
    const outcome = await callAgent(deps, session.id, {
      kind: "callingCard.deploy",
      cardId: card.id,
      start,
      name: card.name,
      path: `/s/${session.token}/calling-card/${card.id}`,
    });
    await logSessionEvent(
      deps,
      session,
      outcome.ok ? "log.callingCardDeployed" : "log.callingCardNotDeployed",
      outcome.ok ? { card: card.name, start } : { card: card.name, reason: outcome.reason },
      { userId: user.id, name: user.name, author: "technician" },
      outcome.ok
        ? {
          actor: user,
          action: "calling_card.deployed",
          details: { cardId: card.id, start, at: outcome.result.installedAt },
        }
        : undefined,
    );
    if (!outcome.ok) {
      throw new Refusal(409, "callingCards.notDeployed", { params: { reason: outcome.reason } });
    }
    if (!isHtmx(c)) return c.json({ deployed: card.id, start }, 200);
    return c.html(
      <div class="card dialog" id="calling-card-dialog" role="status">
        <p>{c.get("t")("callingCards.deployed", { name: card.name })}</p>
        <button type="button" class="secondary" data-close-dialog="dialog">
          {c.get("t")("console.close")}
        </button>
      </div>,
    );
  });

const agentRoutes = new Hono<AppEnv>()
  // The agent fetches the card it was asked to put on this computer: the session's token is
  // its key, and only a card of the session's group while the session lives.
  .get("/s/:token/calling-card/:cardId/:platform", async (c) => {
    const deps = c.get("deps");
    const session = await findByToken(deps, c.req.param("token"));
    const card = await cardById(deps, c.req.param("cardId"));
    if (
      !session || session.endedAt || !card || card.orgId !== session.orgId ||
      !card.groupIds.includes(session.groupId ?? "")
    ) throw new Refusal(404, "callingCards.notFound");
    const channel = await getChannel(deps.db, card.orgId, card.channelId);
    if (!channel) throw new Refusal(404, "callingCards.notFound");
    return await sendCardPackage(c, deps, card, channel, c.req.param("platform"));
  });

export const callingCardRoutes = new Hono<AppEnv>()
  .route("/", adminRoutes)
  .route("/", deployRoutes)
  .route("/", agentRoutes);
