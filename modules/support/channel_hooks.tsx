/**
 * The channel form's side of sessions (SPEC C5), handed to modules/channels by the app:
 * "is anyone available" and "start the session" — which lands it in the channel's queue and
 * sends the customer to their Instant Chat page (or, for the calling card's app, answers the
 * session's token: `createSession`).
 */
import type { Context } from "hono";
import type { PublicChannel } from "../channels/mod.ts";
import { type AppEnv, clientAddress } from "../http/mod.ts";
import { createChannelSession } from "./create.ts";
import { formSubmissionWait } from "./pin.ts";
import { channelAvailability } from "./presence.ts";

type C = Context<AppEnv>;

export const channelSessionHooks = {
  async submissionWait(c: C): Promise<number | null> {
    const { db, clock } = c.get("deps");
    return await formSubmissionWait(db, clientAddress(c), clock.now());
  },
  async anyoneAvailable(c: C, found: PublicChannel): Promise<boolean> {
    const { db, clock } = c.get("deps");
    return (await channelAvailability(db, found.channel.id, clock.now())).available;
  },
  async startSession(
    c: C,
    found: PublicChannel,
    values: { name: string; fields: Record<string, string> },
  ): Promise<Response> {
    return c.redirect(`/s/${await _createSession(c, found, values)}`, 303);
  },
  createSession: _createSession,
};

/** The session in the channel's queue (its first serving group); its token. */
async function _createSession(
  c: C,
  found: PublicChannel,
  values: { name: string; fields: Record<string, string> },
): Promise<string> {
  const deps = c.get("deps");
  const { groupIds } = await channelAvailability(deps.db, found.channel.id, deps.clock.now());
  const session = await createChannelSession(deps, {
    orgId: found.channel.orgId,
    channelId: found.channel.id,
    groupId: groupIds[0] ?? null,
    customerName: values.name,
    fields: values.fields,
    language: c.get("lang"),
  });
  return session.token;
}
