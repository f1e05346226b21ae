/**
 * The external technician's routes, public — the access cookie is the capability, scoped to
 * `/x`: `GET /x/join/:token` (the one-time link), `GET|POST /x/pin` (the code, with the
 * language chosen there), `GET /x/console` (its limited console), `POST /x/console/chat` and
 * `GET /x/console/events` (the session's log, live; an `ended` event when the access ends,
 * then the stream closes); and `guestSessionCaller`, in front of the session tool routes
 * modules/app mounts again under `/x`. Nothing here reaches a queue, another session or a
 * technician's route: those check a signed-in user, which a guest never is, and the tool
 * routes let a guest into its own session only.
 */
import { type Context, Hono, type MiddlewareHandler } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { recordAudit } from "../audit/mod.ts";
import { getOrganisation } from "../auth/mod.ts";
import { type AppEnv, clientAddress, isHtmx, liveStream, readForm } from "../http/mod.ts";
import { isStaffLanguage, type Language, translator } from "../i18n/mod.ts";
import type { LiveEvent } from "../live/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import { externalChat, readLog } from "../support/mod.ts";
import {
  asSessionGuest,
  auditRefusal,
  type GuestAccess,
  guestAccess,
  GuestRefused,
  redeemLink,
  redeemPin,
} from "./guest.ts";
import { GUEST_COOKIE, GUEST_REMOTE_WS, guestRemoteSocket } from "./guest_remote.tsx";
import {
  GuestChatForm,
  GuestConsolePage,
  GuestEnded,
  GuestEndedPage,
  GuestLine,
  GuestPinPage,
  guestVisible,
} from "./guest_views.tsx";

type C = Context<AppEnv>;
const COOKIE = GUEST_COOKIE;

async function noStore(c: C, next: () => Promise<void>) {
  await next();
  c.header("Cache-Control", "no-store");
  c.header("X-Robots-Tag", "noindex");
  c.header("Referrer-Policy", "no-referrer");
}

export const externalGuestRoutes = new Hono<AppEnv>()
  .use("/x/*", noStore)
  .get("/x/join/:token", async (c) => {
    const deps = c.get("deps");
    try {
      const { access, guest } = await redeemLink(deps, c.req.param("token"));
      _grant(c, access, guest.language);
      return c.redirect("/x/console", 303);
    } catch (error) {
      if (error instanceof GuestRefused) {
        await auditRefusal(deps, error, "link", clientAddress(c));
        return c.html(<GuestEndedPage c={c} reason={error.reason} />, error.status as 410);
      }
      if (!(error instanceof Refusal)) throw error;
      const message = c.get("t")(error.key);
      return c.html(<GuestEndedPage c={c} reason="unknown" message={message} />, 410);
    }
  })
  .get("/x/pin", (c) => c.html(<GuestPinPage c={c} />))
  .post("/x/pin", async (c) => {
    const deps = c.get("deps");
    const form = await readForm(c);
    const lang: Language = isStaffLanguage(form.lang) ? form.lang : c.get("lang");
    _speak(c, lang);
    const guess = (form.pin ?? "").replace(/[\s-]/g, "").slice(0, 32);
    const ip = clientAddress(c);
    const outcome = await redeemPin(deps, guess, ip, lang);
    const t = c.get("t");
    if (outcome.kind === "ok") {
      _grant(c, outcome.access, lang);
      return c.redirect("/x/console", 303);
    }
    if (outcome.kind === "throttled") {
      const seconds = outcome.retryAfterSeconds;
      c.header("Retry-After", String(seconds));
      const error = outcome.scope === "address"
        ? t("customer.pin.throttled", { minutes: Math.max(1, Math.ceil(seconds / 60)) })
        : t("customer.pin.busy", { count: seconds });
      return c.html(<GuestPinPage c={c} error={error} />, 429);
    }
    await recordAudit(deps.db, {
      action: "external.refused",
      ip,
      details: { by: "pin", kind: outcome.kind },
      at: deps.clock.now(),
    });
    const key = outcome.kind === "wrong"
      ? "external.guest.pinWrong"
      : "external.guest.pinMalformed";
    return c.html(<GuestPinPage c={c} error={t(key)} />, 422);
  })
  .get("/x/console", async (c) => {
    const access = await _access(c);
    if (access instanceof Response) return access;
    const { session } = access;
    const db = c.get("deps").db;
    const organisation = (await getOrganisation(db, session.orgId))?.name ?? "";
    return c.html(
      <GuestConsolePage
        c={c}
        access={access}
        organisation={organisation}
        lines={await readLog(db, session.id)}
      />,
    );
  })
  .post("/x/console/chat", async (c) => {
    const access = await _access(c);
    if (access instanceof Response) return access;
    const { guest, session } = access;
    const form = await readForm(c);
    try {
      const audience = form.audience === "technicians" ? "technicians" : undefined;
      await externalChat(c.get("deps"), session, guest, form.text ?? "", form.chatKey, {
        audience,
      });
    } catch (error) {
      if (!(error instanceof Refusal) || error.status >= 500) throw error;
      for (const [name, value] of Object.entries(error.headers)) c.header(name, value);
      const message = c.get("t")(error.key, error.params);
      const status = error.status === 429 ? 429 : 422;
      return c.html(
        <GuestChatForm c={c} chatOn={session.chatEnabled} text={form.text} error={message} />,
        status,
      );
    }
    if (!isHtmx(c)) return c.redirect("/x/console", 303);
    return c.html(<GuestChatForm c={c} chatOn={session.chatEnabled} />);
  })
  .get(GUEST_REMOTE_WS, ...guestRemoteSocket)
  .get("/x/console/events", async (c) => {
    const deps = c.get("deps");
    const given = c.req.header("last-event-id") ?? c.req.query("after") ?? "";
    let after = /^\d{1,15}$/.test(given) ? Number(given) : 0;
    let current: GuestAccess;
    try {
      current = await guestAccess(deps, getCookie(c, COOKIE));
    } catch (error) {
      if (!(error instanceof GuestRefused)) throw error;
      // Said as an event, so the page shows why instead of retrying a refused stream.
      const html = String(await (<GuestEnded t={c.get("t")} reason={error.reason} />).toString());
      return await liveStream(c, (stream) => {
        stream.send({ event: "ended", data: html });
        stream.close();
      });
    }
    _speak(c, current.guest.language);
    const t = c.get("t");
    const { session } = current;
    return await liveStream(c, (stream) => {
      let chain = Promise.resolve();
      const pump = () =>
        chain = chain.then(async () => {
          if (stream.closed) return;
          for (const line of await readLog(deps.db, session.id, after)) {
            after = line.seq ?? after;
            if (!guestVisible(line)) continue;
            const html = String(await (<GuestLine t={t} line={line} />).toString());
            stream.send({ event: "line", id: String(after), data: html });
          }
        });
      const recheck = () =>
        chain = chain.then(async () => {
          try {
            await guestAccess(deps, getCookie(c, COOKIE));
          } catch (error) {
            if (!(error instanceof GuestRefused)) throw error;
            const html = String(await (<GuestEnded t={t} reason={error.reason} />).toString());
            stream.send({ event: "ended", data: html });
            stream.close();
          }
        }).catch((error) => deps.log.error("external stream", { error: String(error) }));
      const unsubscribe = deps.live.subscribe(session.orgId, (event: LiveEvent) => {
        if (event.kind === "resync") return void (recheck(), pump());
        if (!("sessionId" in event) || event.sessionId !== session.id) return;
        if (event.kind === "log") pump();
        if (event.kind === "session") recheck();
      });
      // The invitation's expiry ends the access even when nothing else happens.
      const left = current.guest.expiresAt.getTime() - deps.clock.now().getTime();
      const timer = setTimeout(recheck, Math.min(Math.max(left + 500, 0), 2 ** 31 - 1));
      stream.onClose(() => (unsubscribe(), clearTimeout(timer)));
      pump();
    });
  });

/**
 * Who calls the session tool routes mounted under `/x` (the technicians' own file-manager,
 * system-information and tool-consent routes; modules/app mounts them there): the guest of
 * the access cookie, checked again now, as `guest` in the context — the routes' caller check
 * (support's `sessionForCaller`) lets it into its own session only, with what it may do now.
 * No access (removed, expired, the session ended, no cookie) is refused here, audited.
 */
export const guestSessionCaller: MiddlewareHandler<AppEnv> = async (c, next) => {
  const access = await _access(c);
  if (access instanceof Response) return access;
  await next();
};

/**
 * The guest of the cookie, speaking its language and set as the request's `guest`; the
 * refusal page when it has no access.
 */
async function _access(c: C): Promise<GuestAccess | Response> {
  try {
    const cookie = getCookie(c, COOKIE);
    const access = await guestAccess(c.get("deps"), cookie);
    _speak(c, access.guest.language);
    c.set("guest", asSessionGuest(c.get("deps"), access, cookie));
    return access;
  } catch (error) {
    if (!(error instanceof GuestRefused)) throw error;
    if (error.reason === "unknown") deleteCookie(c, COOKIE, { path: "/x" });
    await auditRefusal(c.get("deps"), error, "cookie", clientAddress(c));
    return c.html(<GuestEndedPage c={c} reason={error.reason} />, error.status as 403 | 410);
  }
}

function _speak(c: C, lang: string | null) {
  if (!isStaffLanguage(lang)) return;
  c.set("lang", lang);
  c.set("t", translator(lang));
}

function _grant(c: C, access: string, lang: string | null) {
  const secure = c.get("deps").config.secureCookies;
  setCookie(c, COOKIE, access, { path: "/x", httpOnly: true, sameSite: "Lax", secure });
  if (isStaffLanguage(lang)) {
    setCookie(c, "rs_lang", lang, { path: "/", sameSite: "Lax", maxAge: 365 * 86_400, secure });
  }
}
