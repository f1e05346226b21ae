import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import {
  type Channel,
  ChannelInputSchema,
  createChannel,
  deleteChannel,
  getManagedChannel,
  listManagedChannels,
  type SaveResult,
  updateChannel,
} from "../channels/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import { type AppEnv, type AuthedEnv, changeContext, problem, requireRole } from "../http/mod.ts";
import { INVALID, tokenProblems, validationHook } from "./schemas.ts";

const ChannelOut = z.object({
  id: z.uuid(),
  name: z.string(),
  publicUrl: z.string(),
  active: z.boolean(),
  groupIds: z.array(z.uuid()),
  fields: z.array(z.object({ fieldId: z.uuid(), required: z.boolean() })),
  openingHours: z.record(z.string(), z.unknown()),
  unavailableAction: z.enum(["message", "callback"]),
  unavailableMessage: z.string(),
}).openapi("Channel");

const ChannelBody = z.record(z.string(), z.unknown()).openapi("ChannelInput", {
  description: "name, groupIds, fields [{fieldId, required}], openingHours {enabled, " +
    'timeZone, days {"1"…"7": [["09:00", "17:00"]]}}, unavailableAction ' +
    "(message | callback), unavailableMessage, active. PATCH merges with the current values.",
});

const Id = z.object({ id: z.uuid() });
const json = <T extends z.ZodType>(schema: T) => ({ content: { "application/json": { schema } } });
/** Every route here is for admins: the guard runs per route and types the handler's user. */
const common = {
  tags: ["channels"],
  security: [{ bearer: [] }],
  middleware: requireRole("master_admin", "admin"),
};

function out(c: Context<AuthedEnv>, ch: Channel) {
  return {
    id: ch.id,
    name: ch.name,
    publicUrl: `${c.get("deps").config.publicUrl}/c/${ch.slug}`,
    active: ch.active,
    groupIds: ch.groupIds,
    fields: ch.fields,
    openingHours: ch.openingHours as unknown as Record<string, unknown>,
    unavailableAction: ch.unavailableAction,
    unavailableMessage: ch.unavailableMessage,
  };
}

/** A refused save: every problem, by field and stable code, nothing changed. */
function refused(c: Context<AuthedEnv>, result: Extract<SaveResult, { ok: false }>) {
  return problem(c, 422, c.get("t")("api.invalidRequest"), { issues: result.problems });
}

const NOT_ADMIN = "The token's user is not an admin";
const NO_CHANNEL = "No such channel, or not one you manage (all of whose groups you manage)";

/** Channels for provisioning scripts, through the same service as the admin pages. */
export const channelApi = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

channelApi.openapi(
  createRoute({
    ...common,
    method: "get",
    path: "/channels",
    operationId: "listChannels",
    summary: "The channels the caller manages (a limited admin: those whose groups it all manages)",
    responses: {
      200: { description: "Channels", ...json(z.array(ChannelOut)) },
      ...tokenProblems(NOT_ADMIN, {}),
    },
  }),
  async (c) => {
    const list = await listManagedChannels(c.get("deps").db, c.get("user"));
    return c.json(list.map((ch) => out(c, ch)), 200);
  },
);

channelApi.openapi(
  createRoute({
    ...common,
    method: "post",
    path: "/channels",
    operationId: "createChannel",
    summary: "Create a channel (at most 10)",
    request: { body: { required: true, ...json(ChannelBody) } },
    responses: {
      201: { description: "Created", ...json(ChannelOut) },
      ...tokenProblems(NOT_ADMIN, {
        409: "The organisation has its 10 channels already",
        422: `${INVALID}; also a group or custom field that is not yours`,
      }),
    },
  }),
  async (c) => {
    const result = await createChannel(c.get("deps").db, c.req.valid("json"), changeContext(c));
    if (!result.ok) return refused(c, result) as never; // a problem document, outside the typed responses
    return c.json(out(c, result.channel), 201);
  },
);

channelApi.openapi(
  createRoute({
    ...common,
    method: "get",
    path: "/channels/{id}",
    operationId: "getChannel",
    summary: "One channel",
    request: { params: Id },
    responses: {
      200: { description: "The channel", ...json(ChannelOut) },
      ...tokenProblems(NOT_ADMIN, { 404: NO_CHANNEL, 422: "The id is not a UUID" }),
    },
  }),
  async (c) => {
    const ch = await getManagedChannel(c.get("deps").db, c.get("user"), c.req.valid("param").id);
    if (!ch) throw new Refusal(404, "channels.notFound");
    return c.json(out(c, ch), 200);
  },
);

channelApi.openapi(
  createRoute({
    ...common,
    method: "patch",
    path: "/channels/{id}",
    operationId: "updateChannel",
    summary: "Change a channel; omitted properties keep their values",
    request: { params: Id, body: { required: true, ...json(ChannelBody) } },
    responses: {
      200: { description: "The changed channel", ...json(ChannelOut) },
      ...tokenProblems(NOT_ADMIN, {
        404: NO_CHANNEL,
        422: `${INVALID}; also a group or custom field that is not yours`,
      }),
    },
  }),
  async (c) => {
    const { db } = c.get("deps");
    const { id } = c.req.valid("param");
    const current = await getManagedChannel(db, c.get("user"), id);
    if (!current) throw new Refusal(404, "channels.notFound");
    const base = ChannelInputSchema.safeParse({
      name: current.name,
      groupIds: current.groupIds,
      fields: current.fields,
      openingHours: current.openingHours,
      unavailableAction: current.unavailableAction,
      unavailableMessage: current.unavailableMessage,
      active: current.active,
    });
    const merged = { ...(base.success ? base.data : {}), ...c.req.valid("json") };
    const result = await updateChannel(db, id, merged, changeContext(c));
    if (!result.ok) return refused(c, result) as never; // a problem document, outside the typed responses
    return c.json(out(c, result.channel), 200);
  },
);

channelApi.openapi(
  createRoute({
    ...common,
    method: "delete",
    path: "/channels/{id}",
    operationId: "deleteChannel",
    summary: "Delete a channel; its public link stops working",
    request: { params: Id },
    responses: {
      204: { description: "Deleted" },
      ...tokenProblems(NOT_ADMIN, { 404: NO_CHANNEL, 422: "The id is not a UUID" }),
    },
  }),
  async (c) => {
    await deleteChannel(c.get("deps").db, c.req.valid("param").id, changeContext(c));
    return c.body(null, 204);
  },
);
