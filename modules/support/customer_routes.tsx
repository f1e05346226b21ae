/**
 * The customer's side over HTTP (SPEC C1, C2, C7, T1, T3), public — the token in the link
 * is the capability: `/pin` turns a PIN into that link, `/s/:token` is the Instant Chat
 * page with its forms (terms, language, chat, files, end) and `/s/:token/events` its live
 * stream. Forms work without JavaScript; htmx and static/customer.js make them smoother.
 */
import { type Context, Hono } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { getOrganisation } from "../auth/mod.ts";
import { attachmentDisposition } from "../files/mod.ts";
import { type AppEnv, clientAddress, isHtmx, liveStream, readForm } from "../http/mod.ts";
import { isLanguage } from "../i18n/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import {
  acceptTerms,
  customerLeft,
  findByToken,
  pinRefused,
  setCustomerLanguage,
  termsDeclined,
} from "./customer.ts";
import { formatSize } from "../../protocol/size.ts";
import {
  isCustomerVisible,
  LogLineView,
  openSurveyHref,
  renderLogLine,
} from "./customer_log_view.tsx";
import { customerStreams, startCustomerStream } from "./customer_streams.ts";
import { ChatForm, ChatPage, GoodbyePage, PinPage, TermsPage } from "./customer_views.tsx";
import { settingsFor, type SupportSession } from "./engine.ts";
import { checkPin } from "./pin.ts";
import { customerChat } from "./chat.ts";
import { readLog, readLogLine } from "./session_log.ts";
import {
  CUSTOMER_FILES_MAX,
  customerBytesQuota,
  fileLimit,
  openFile,
  readUpload,
  storeFile,
} from "./files.ts";

type C = Context<AppEnv>;

/** Names the session this browser joined by PIN, for `/pin` only (never sent elsewhere). */
const PIN_COOKIE = "rs_pin_session";

async function noStore(c: C, next: () => Promise<void>) {
  await next();
  // Pages carry the session's capability and a CSRF token: never cache or index them.
  c.header("Cache-Control", "no-store");
  c.header("X-Robots-Tag", "noindex");
}

export const customerRoutes = new Hono<AppEnv>()
  .use("/pin", noStore)
  .use("/s/*", noStore)
  .get("/pin", (c) => c.html(<PinPage c={c} />))
  .post("/pin", async (c) => {
    const deps = c.get("deps");
    const t = c.get("t");
    const form = await readForm(c);
    const guess = (form.pin ?? "").replace(/[\s-]/g, "").slice(0, 32);
    const ip = clientAddress(c);
    // The browser that used a code gets back in with it (pin.ts): its cookie names the session.
    const knownToken = getCookie(c, PIN_COOKIE) ?? null;
    const verdict = await checkPin(deps.db, guess, ip, deps.clock.now(), {
      by: "browser",
      knownToken,
    });
    if (verdict.kind === "ok") {
      setCookie(c, PIN_COOKIE, verdict.token, {
        path: "/pin",
        httpOnly: true,
        sameSite: "Strict",
        maxAge: 86_400,
        secure: deps.config.secureCookies,
      });
      return c.redirect(`/s/${verdict.token}`, 303);
    }
    await pinRefused(deps, verdict, guess, ip);
    if (verdict.kind === "throttled") {
      const seconds = verdict.retryAfterSeconds;
      c.header("Retry-After", String(seconds));
      const error = verdict.scope === "address"
        ? t("customer.pin.throttled", { minutes: Math.max(1, Math.ceil(seconds / 60)) })
        : t("customer.pin.busy", { count: seconds });
      return c.html(<PinPage c={c} error={error} />, 429);
    }
    const key = /^\d{6}$/.test(guess) ? "customer.pin.wrong" : "customer.pin.malformed";
    // What was typed stays in the box, so the customer can check it against the technician's.
    return c.html(<PinPage c={c} error={t(key)} pin={(form.pin ?? "").slice(0, 32)} />, 422);
  })
  .get("/s/:token", async (c) => {
    const session = await sessionOr404(c);
    if (!session.customerLanguage && !c.get("user")) {
      await setCustomerLanguage(c.get("deps"), session, c.get("lang"));
    }
    return await sessionPage(c, session);
  })
  .post("/s/:token/terms", async (c) => {
    const session = await sessionOr404(c);
    const deps = c.get("deps");
    const form = await readForm(c);
    if (!session.endedAt && await termsPending(c, session)) {
      if (form.decision === "decline") {
        await termsDeclined(deps, session);
        const organisation = await organisationName(c, session);
        return c.html(
          <GoodbyePage c={c} session={session} organisation={organisation} kind="declined" />,
        );
      }
      if (form.decision !== "accept") throw new Refusal(400, "errors.badForm");
      await acceptTerms(deps, session);
    }
    return c.redirect(`/s/${session.token}`, 303);
  })
  .post("/s/:token/lang", async (c) => {
    const session = await sessionOr404(c);
    const form = await readForm(c);
    if (!isLanguage(form.lang)) throw new Refusal(400, "errors.badLanguage");
    await setCustomerLanguage(c.get("deps"), session, form.lang);
    setCookie(c, "rs_lang", form.lang, {
      path: "/",
      sameSite: "Lax",
      maxAge: 365 * 86_400,
      secure: c.get("deps").config.secureCookies,
    });
    return c.redirect(`/s/${session.token}`, 303);
  })
  .post("/s/:token/chat", async (c) => {
    const session = await readySession(c);
    const deps = c.get("deps");
    const form = await readForm(c);
    const text = form.text ?? "";
    let id: number;
    try {
      id = await customerChat(deps, session, text, form.chatKey);
    } catch (error) {
      if (!(error instanceof Refusal)) throw error;
      // A rate limit says how long to wait (429, Retry-After); the rules' refusals are 409/422.
      for (const [name, value] of Object.entries(error.headers)) c.header(name, value);
      const status = error.status === 429 || error.status === 422 ? error.status : 409;
      const message = c.get("t")(error.key, error.params);
      if (isHtmx(c)) {
        return c.html(<ChatForm c={c} session={session} text={text} error={message} />, status);
      }
      return await sessionPage(c, session, { chatText: text, chatError: message }, status);
    }
    if (!isHtmx(c)) return c.redirect(`/s/${session.token}`, 303);
    const line = await readLogLine(deps.db, id);
    return c.html(
      <>
        <ChatForm c={c} session={session} />
        <div hx-swap-oob="beforeend:#customer-log">
          {line && <LogLineView line={line} t={c.get("t")} token={session.token} />}
        </div>
      </>,
    );
  })
  .post("/s/:token/end", async (c) => {
    const session = await sessionOr404(c);
    if (!session.endedAt) await customerLeft(c.get("deps"), session);
    // Leaving offers the survey (modules/surveys): ours opens at once; an external one is a
    // link on the ended page, not a redirect off the site.
    const survey = openSurveyHref(await readLog(c.get("deps").db, session.id));
    const ours = survey?.startsWith(`/s/${session.token}/`);
    return c.redirect(ours ? survey! : `/s/${session.token}`, 303);
  })
  .post("/s/:token/files", async (c) => {
    const session = await readySession(c);
    const deps = c.get("deps");
    const t = c.get("t");
    const script = c.req.header("x-requested-with") === "XMLHttpRequest";
    const refuse = async (status: 409 | 413 | 422, message: string) =>
      script
        ? c.text(message, status)
        : await sessionPage(c, session, { fileError: message }, status);
    const size = (bytes: number) => formatSize(bytes, c.get("lang"));
    const refusals: Record<string, () => string> = {
      "files.tooLarge": () =>
        `${t("files.tooLarge")} ${t("customer.files.limit", { size: size(fileLimit(deps)) })}`,
      "files.quotaFiles": () => t("files.quotaFiles", { count: CUSTOMER_FILES_MAX }),
      "files.quotaBytes": () => t("files.quotaBytes", { size: size(customerBytesQuota(deps)) }),
    };
    try {
      const upload = await readUpload(c, fileLimit(deps));
      if (!upload) return await refuse(422, t("customer.files.choose"));
      const stored = await storeFile(
        deps,
        session,
        upload,
        { direction: "to_technician" },
        fileLimit(deps),
      );
      if (!script) return c.redirect(`/s/${session.token}`, 303);
      const line = (await readLog(deps.db, session.id)).findLast((l) =>
        l.kind === "file" && l.data.fileId === stored.id
      );
      return c.html(line ? await renderLogLine(line, { t, token: session.token }) : "", 201);
    } catch (error) {
      // A malformed form (400) is the error page; the session rules' refusals stay inline.
      if (!(error instanceof Refusal) || error.status === 400) throw error;
      if (refusals[error.key]) return await refuse(413, refusals[error.key]());
      return await refuse(error.status === 422 ? 422 : 409, t(error.key, error.params));
    }
  })
  .get("/s/:token/files/:fileId", async (c) => {
    const session = await readySession(c, { allowEnded: true });
    const opened = await openFile(c.get("deps"), session.id, c.req.param("fileId"), "to_customer");
    if (!opened) throw new Refusal(404, "customer.fileNotFound");
    return c.body(opened.body, 200, {
      "content-type": "application/octet-stream",
      "content-length": String(opened.size),
      "content-disposition": attachmentDisposition(opened.file.name),
    });
  })
  .get("/s/:token/events", async (c) => {
    const session = await readySession(c, { allowEnded: true });
    const given = c.req.header("last-event-id") ?? c.req.query("after") ?? "";
    const afterId = /^\d{1,15}$/.test(given) ? Number(given) : 0;
    const deps = c.get("deps");
    return await liveStream(
      c,
      (stream) => startCustomerStream(deps, stream, session, { afterId, t: c.get("t") }),
      // A named event, not a comment: the page's watchdog must see it to know the line is alive.
      { heartbeatMs: customerStreams(deps).options.heartbeatMs },
    );
  });

/**
 * The session of the link; unknown links are a 404 page. The page speaks the negotiated
 * language (the selector's cookie, else the browser's); `customerLanguage` records it for
 * technicians and is not a reason to override what this browser asked for.
 */
async function sessionOr404(c: C): Promise<SupportSession> {
  const session = await findByToken(c.get("deps"), c.req.param("token") ?? "");
  if (!session) throw new Refusal(404, "customer.notFound");
  return session;
}

/** A session the customer may talk in: terms accepted (when required) and not ended. */
async function readySession(c: C, options: { allowEnded?: boolean } = {}) {
  const session = await sessionOr404(c);
  if (await termsPending(c, session)) throw new Refusal(403, "customer.termsFirst");
  if (session.endedAt && !options.allowEnded) throw new Refusal(409, "sessions.ended");
  return session;
}

async function termsPending(c: C, session: SupportSession): Promise<string | null> {
  if (session.termsAcceptedAt) return null;
  const settings = await settingsFor(c.get("deps").db, session.groupId);
  return settings.termsEnabled ? settings.termsText : null;
}

async function organisationName(c: C, session: SupportSession): Promise<string> {
  return (await getOrganisation(c.get("deps").db, session.orgId))?.name ?? "";
}

/** The page the link shows now: goodbye, terms, or the chat (with a refused form's input). */
async function sessionPage(
  c: C,
  session: SupportSession,
  refused: { chatText?: string; chatError?: string; fileError?: string } = {},
  status: 200 | 409 | 413 | 422 | 429 = 200,
) {
  const db = c.get("deps").db;
  const organisation = await organisationName(c, session);
  const props = { c, session, organisation };
  if (session.endedAt) {
    const log = await readLog(db, session.id);
    const lines = log.filter(isCustomerVisible);
    return c.html(
      <GoodbyePage {...props} kind="ended" lines={lines} survey={openSurveyHref(log)} />,
      status,
    );
  }
  const terms = await termsPending(c, session);
  if (terms !== null) return c.html(<TermsPage {...props} terms={terms} />, status);
  const lines = await readLog(db, session.id);
  // A group that records every remote view says so before the customer shares (SPEC R5).
  const recordsShares = (await settingsFor(db, session.groupId)).recordingPolicy === "always";
  return c.html(
    <ChatPage
      {...props}
      lines={lines}
      fileLimit={fileLimit(c.get("deps"))}
      recordsShares={recordsShares}
      {...refused}
    />,
    status,
  );
}
