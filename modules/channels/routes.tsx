import { type Context, Hono } from "hono";
import { Refusal } from "../refusal/mod.ts";
import { type AppEnv, type AuthedEnv, changeContext, readForm, requireRole } from "../http/mod.ts";
import { managedGroupIds } from "../org/mod.ts";
import { listFields } from "./fields.ts";
import { type ChannelDraft, channelInputFromForm } from "./input.ts";
import { isTimeZone } from "./opening_hours.ts";
import {
  type Channel,
  createChannel,
  deleteChannel,
  getManagedChannel,
  groupChoices,
  listCallbacks,
  listChannels,
  listManagedChannels,
  markCallbackHandled,
  MAX_CHANNELS,
  openCallbackCount,
  updateChannel,
} from "./service.ts";
import { ChannelFormPage, type ChannelFormProps } from "./form_view.tsx";
import { CallbackListPage, ChannelListPage, DeleteChannelPage } from "./views.tsx";

type C = Context<AuthedEnv>;

/** `/admin/channels`: admins list, create, edit and delete their organisation's channels. */
export const channelAdminRoutes = new Hono<AppEnv>()
  .use("*", requireRole("master_admin", "admin"))
  .get("/", async (c) => {
    const t = c.get("t");
    const flash = c.req.query("deleted") === "1"
      ? { kind: "info" as const, message: t("channels.deleted") }
      : undefined;
    return await renderList(c, flash);
  })
  .get("/callbacks", async (c) => {
    const { db } = c.get("deps");
    const user = c.get("user");
    const [all, managed, fields] = await Promise.all([
      listCallbacks(db, user.orgId),
      listManagedChannels(db, user),
      listFields(db, user.orgId),
    ]);
    // A customer's call-me-back details are for the admins of the channel's groups.
    const mine = new Set(managed.map((ch) => ch.id));
    const callbacks = all.filter((cb) => mine.has(cb.channelId));
    const flash = c.req.query("handled") === "1"
      ? { kind: "info" as const, message: c.get("t")("channels.callbacks.markedHandled") }
      : undefined;
    return c.html(<CallbackListPage c={c} callbacks={callbacks} fields={fields} flash={flash} />);
  })
  .post("/callbacks/:id/handled", async (c) => {
    await markCallbackHandled(c.get("deps").db, c.req.param("id"), changeContext(c));
    return c.redirect("/admin/channels/callbacks?handled=1", 303);
  })
  .get("/new", async (c) => {
    const existing = await listChannels(c.get("deps").db, c.get("user").orgId);
    if (existing.length >= MAX_CHANNELS) {
      const message = c.get("t")("channels.limitReached", { max: MAX_CHANNELS });
      return await renderList(c, { kind: "error", message }, 409);
    }
    return await renderForm(c, { draft: newDraft(), problems: [] });
  })
  .post("/", async (c) => {
    const draft = await draftFromRequest(c);
    try {
      const result = await createChannel(c.get("deps").db, draft, changeContext(c));
      if (!result.ok) return await renderForm(c, { draft, problems: result.problems }, 422);
      return c.redirect(`/admin/channels/${result.channel.id}?saved=1`, 303);
    } catch (error) {
      if (!(error instanceof Refusal) || error.status !== 409) throw error;
      const message = c.get("t")(error.key, error.params);
      return await renderForm(c, { draft, problems: [], flash: { kind: "error", message } }, 409);
    }
  })
  .get("/:id", async (c) => {
    const channel = await channelOr404(c);
    const flash = c.req.query("saved") === "1"
      ? { kind: "info" as const, message: c.get("t")("common.saved") }
      : undefined;
    return await renderForm(c, { channel, draft: channel, problems: [], flash });
  })
  .post("/:id", async (c) => {
    const channel = await channelOr404(c);
    const draft = await draftFromRequest(c);
    const result = await updateChannel(c.get("deps").db, channel.id, draft, changeContext(c));
    if (!result.ok) return await renderForm(c, { channel, draft, problems: result.problems }, 422);
    return c.redirect(`/admin/channels/${channel.id}?saved=1`, 303);
  })
  .get("/:id/delete", async (c) => {
    const channel = await channelOr404(c);
    const callbacks = await openCallbackCount(c.get("deps").db, channel.id);
    return c.html(<DeleteChannelPage c={c} channel={channel} callbacks={callbacks} />);
  })
  .post("/:id/delete", async (c) => {
    const channel = await channelOr404(c);
    await deleteChannel(c.get("deps").db, channel.id, changeContext(c));
    return c.redirect("/admin/channels?deleted=1", 303);
  });

/** The channel if the admin manages it (`managesChannel`); 404 alike for the rest. */
async function channelOr404(c: C): Promise<Channel> {
  const channel = await getManagedChannel(c.get("deps").db, c.get("user"), c.req.param("id")!);
  if (!channel) throw new Refusal(404, "channels.notFound");
  return channel;
}

async function draftFromRequest(c: C): Promise<ChannelDraft> {
  const form = await readForm(c);
  const fields = await listFields(c.get("deps").db, c.get("user").orgId, { activeOnly: true });
  return channelInputFromForm(form, fields.map((f) => f.id));
}

async function renderList(c: C, flash?: { kind: "error" | "info"; message: string }, status = 200) {
  const { db } = c.get("deps");
  const user = c.get("user");
  const [channels, all, groups] = await Promise.all([
    listManagedChannels(db, user),
    listChannels(db, user.orgId),
    groupChoices(db, user.orgId),
  ]);
  return c.html(
    <ChannelListPage
      c={c}
      channels={channels}
      total={all.length}
      groups={groups}
      flash={flash}
    />,
    status as 200,
  );
}

async function renderForm(
  c: C,
  props: Omit<ChannelFormProps, "c" | "groups" | "fields">,
  status: 200 | 409 | 422 = 200,
) {
  const { db } = c.get("deps");
  const user = c.get("user");
  const [all, managed, fields] = await Promise.all([
    groupChoices(db, user.orgId),
    managedGroupIds(db, user),
    listFields(db, user.orgId, { activeOnly: true }),
  ]);
  // A non-master admin may only assign the groups it manages (the service checks it too).
  const groups = all.filter((g) => managed.has(g.id));
  return c.html(<ChannelFormPage c={c} groups={groups} fields={fields} {...props} />, status);
}

/** A new channel: open around the clock, with office hours ready should the admin want them. */
function newDraft(): ChannelDraft {
  const serverZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const office: [string, string][] = [["09:00", "17:00"]];
  return {
    name: "",
    groupIds: [],
    fields: [],
    openingHours: {
      enabled: false,
      timeZone: isTimeZone(serverZone) ? serverZone : "UTC",
      days: { "1": office, "2": office, "3": office, "4": office, "5": office, "6": [], "7": [] },
    },
    unavailableAction: "message",
    unavailableMessage: "",
    active: true,
  };
}
