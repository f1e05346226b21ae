import { type Context, Hono } from "hono";
import { Refusal } from "../refusal/mod.ts";
import { type AppEnv, readForm } from "../http/mod.ts";
import { isOpen } from "./opening_hours.ts";
import {
  type CustomerValues,
  findPublicChannel,
  type PublicChannel,
  readCustomerForm,
  recordCallback,
} from "./public.ts";
import { PublicChannelPage, PublicThanksPage } from "./public_views.tsx";

type C = Context<AppEnv>;

/**
 * What the sessions side supplies (composed in modules/app, so channels does not depend on
 * sessions): whether any technician serving the channel can take a session now, and how to
 * start one from a valid form.
 */
export interface ChannelSessionHooks {
  /** Seconds this client must wait before its next form submission, or null to go ahead. */
  submissionWait(c: C): Promise<number | null>;
  anyoneAvailable(c: C, found: PublicChannel): Promise<boolean>;
  startSession(c: C, found: PublicChannel, values: CustomerValues): Promise<Response>;
  /** The same session as `startSession`, for the calling card's app: its token. */
  createSession(c: C, found: PublicChannel, values: CustomerValues): Promise<string>;
}

const NO_HOOKS: ChannelSessionHooks = {
  submissionWait: () => Promise.resolve(null),
  anyoneAvailable: () => Promise.resolve(true),
  startSession: (c, found) =>
    Promise.resolve(c.html(<PublicThanksPage c={c} found={found} kind="session" />)),
  createSession: () => Promise.reject(new Error("no sessions without the sessions module")),
};

/**
 * `/c/:slug`, public (no sign-in): the customer's page for a channel and its two forms.
 * The session form is refused with a 409 while the channel is closed; the callback form
 * is taken whenever the channel collects details, so a customer who filled it in just as
 * the channel opened does not lose what they typed.
 */
export function channelPublicRoutes(hooks: ChannelSessionHooks = NO_HOOKS) {
  return new Hono<AppEnv>()
    .use("*", async (c, next) => {
      await next();
      // Each answer depends on the clock and carries a CSRF token: never cache or index it.
      c.header("Cache-Control", "no-store");
      c.header("X-Robots-Tag", "noindex");
    })
    .get("/:slug", async (c) => {
      const found = await channelOr404(c);
      const values = prefill(c.req.query(), found.fields);
      const open = openNow(c, found);
      const unavailable = open && !(await hooks.anyoneAvailable(c, found));
      return c.html(
        <PublicChannelPage
          c={c}
          found={found}
          open={open && !unavailable}
          unavailable={unavailable}
          values={values}
        />,
      );
    })
    .post("/:slug", async (c) => {
      const found = await channelOr404(c);
      const open = openNow(c, found);
      if (!open || !(await hooks.anyoneAvailable(c, found))) {
        const flash = c.get("t")(
          open ? "channels.public.unavailableRefused" : "channels.public.closedRefused",
        );
        return c.html(
          <PublicChannelPage c={c} found={found} open={false} unavailable={open} flash={flash} />,
          409,
        );
      }
      await throttled(c, hooks);
      const form = await readForm(c);
      const { values, problems } = readCustomerForm(form, found.fields, { contact: false });
      if (problems.length > 0) {
        return c.html(
          <PublicChannelPage c={c} found={found} open values={form} problems={problems} />,
          422,
        );
      }
      return await hooks.startSession(c, found, values);
    })
    .post("/:slug/callback", async (c) => {
      const found = await channelOr404(c);
      if (found.channel.unavailableAction !== "callback") {
        throw new Refusal(409, "channels.public.callbackNotOffered");
      }
      await throttled(c, hooks);
      const form = await readForm(c);
      const { values, problems } = readCustomerForm(form, found.fields, { contact: true });
      if (problems.length > 0) {
        return c.html(
          <PublicChannelPage
            c={c}
            found={found}
            open={false}
            values={form}
            problems={problems}
          />,
          422,
        );
      }
      const { db, clock } = c.get("deps");
      await recordCallback(db, found.channel.id, values, clock.now());
      return c.html(<PublicThanksPage c={c} found={found} kind="callback" />);
    });
}

/** Too many submissions from this address: 429 with Retry-After, nothing stored. */
async function throttled(c: C, hooks: ChannelSessionHooks): Promise<void> {
  const wait = await hooks.submissionWait(c);
  if (wait === null) return;
  c.header("Retry-After", String(wait));
  throw new Refusal(429, "channels.public.tooManySubmissions");
}

async function channelOr404(c: C): Promise<PublicChannel> {
  const found = await findPublicChannel(c.get("deps").db, c.req.param("slug")!);
  if (!found) throw new Refusal(404, "channels.public.notFound");
  return found;
}

function openNow(c: C, found: PublicChannel): boolean {
  return isOpen(found.channel.openingHours, c.get("deps").clock.now());
}

/**
 * Values the embeddable snippet sends by GET: only the channel's own field names, cut to
 * their lengths. Nothing is stored until the customer submits our page.
 */
function prefill(
  query: Record<string, string>,
  fields: readonly { id: string; maxLength: number }[],
): Record<string, string> {
  const values: Record<string, string> = {};
  if (query.name) values.name = query.name.slice(0, 100);
  for (const field of fields) {
    const value = query[`f_${field.id}`];
    if (value) values[`f_${field.id}`] = value.slice(0, field.maxLength);
  }
  return values;
}
