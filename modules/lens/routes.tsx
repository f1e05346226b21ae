/**
 * Lens's routes. The technician's, behind the `lens` permission (checked on every request),
 * always act on the technician's own running session — there is no session id to name:
 *
 * - `GET /console/lens` the page; `POST /console/lens` starts (409 while one runs);
 *   `POST /console/lens/end` ends it;
 * - `POST /console/lens/invite` sends the link by e-mail or text message (`via`, `email` or
 *   `phone`, an optional customer `name`; invite.ts: `methodEmail` / `methodSms` too);
 * - `GET /console/lens/events` the session's live state, strokes and end (server-sent events);
 * - `POST /console/lens/peer` a WebRTC offer for the technician's picture (`{ id, sdp }`, 409
 *   before the phone sends one), `POST /console/lens/peer/:id/answer` its answer;
 * - `POST /console/lens/draw` a stroke, `…/clear`, `…/freeze` (`{ frozen }`), `…/record`
 *   (`{ recording }`: Record / Stop — the server records the phone's picture and sound
 *   (modules/recording, recorder_slot.ts) under the group's recording policy, and the
 *   technician needs `recordSessions`; the phone says so while it records).
 *
 * The customer's, by the link's token only (an ended or unknown one is a 404):
 * `GET /lens/:token` the phone page, `POST …/offer` the phone's complete offer → our answer,
 * `POST …/state` its switches (`{ paused, muted, torch }`), `POST …/end` Disconnect,
 * `GET …/events` the technician's drawing, freeze and the end (for a session that runs
 * nowhere — its home instance stopped — one `ended: "gone"`, as the technician's stream).
 */
import { type Context, Hono, type MiddlewareHandler } from "hono";
import {
  type AppEnv,
  type AuthedEnv,
  clientAddress,
  isHtmx,
  liveStream,
  readForm,
  requirePermission,
} from "../http/mod.ts";
import { isLanguage, translator } from "../i18n/mod.ts";
import { can } from "../permissions/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import { relayTo } from "../remote/mod.ts";
import type { SmsDeps } from "../sms/mod.ts";
import { lensInviteProblem, lensInviteVia, sendLensInvite } from "./invite.ts";
import { type LensEvent, type LensSession, readStroke } from "./lens_session.ts";
import { type LensHome, lensHomeOfTechnician, lensHomeOfToken } from "./lens_home.ts";
import { lensRegistry } from "./registry.ts";
import { lensRecorderSource } from "./recorder_slot.ts";
import {
  LensGonePage,
  LensInviteForm,
  type LensInviteFormProps,
  LensPage,
  LensPhonePage,
} from "./views.tsx";

const MAX_SDP = 64 * 1024;

/** A complete SDP from a JSON body, or a 422 with the reason. */
async function _sdp(c: Context): Promise<string> {
  const body = await c.req.json().catch(() => null) as { sdp?: unknown } | null;
  const sdp = body?.sdp;
  if (typeof sdp !== "string" || !sdp.startsWith("v=0") || sdp.length > MAX_SDP) {
    throw new Refusal(422, "lens.badOffer");
  }
  return sdp;
}

function _mine(c: Context<AuthedEnv>): LensSession {
  const session = lensRegistry(c.get("deps")).ofTechnician(c.get("user").id);
  if (!session) throw new Refusal(404, "lens.notRunning");
  return session;
}

function _customers(c: Context<AppEnv>): LensSession {
  const session = lensRegistry(c.get("deps")).ofToken(c.req.param("token") ?? "");
  if (!session) throw new Refusal(404, "lensPhone.gone");
  return session;
}

/**
 * A session's changes as server-sent events: its state first, strokes drawn so far. The
 * technician's streams count as the technician's pages open (`watchedByTechnician`).
 */
function _events(c: Context, session: LensSession, technician = false) {
  return liveStream(c, (stream) => {
    const send = (event: LensEvent) => {
      const data = event.kind === "state"
        ? event.state
        : event.kind === "stroke"
        ? event.stroke
        : {};
      stream.send({ event: event.kind, data: JSON.stringify(data) });
      if (event.kind === "state" && event.state.phase === "ended") stream.close();
    };
    send({ kind: "state", state: session.state });
    for (const stroke of session.strokes) send({ kind: "stroke", stroke });
    if (session.ended) return;
    stream.onClose(session.listen(send));
    if (technician) stream.onClose(session.watchedByTechnician());
  });
}

/** The ways the technician may send the link (the group's connection methods). */
function _ways(c: Context<AuthedEnv>) {
  const user = c.get("user");
  return { email: can(user, "methodEmail"), sms: can(user, "methodSms") };
}

/** What the page offers for recording the session: its group's policy and `recordSessions`. */
async function _recordOffer(c: Context<AuthedEnv>, session: LensSession | undefined) {
  const source = lensRecorderSource(c.get("deps"));
  if (!session || !source) return null;
  return await source.offer(session.owner.groupId, can(c.get("user"), "recordSessions"));
}

/** The page, or (htmx) the invitation form alone, with what was typed and the outcome. */
async function _inviteAnswer(
  c: Context<AuthedEnv>,
  session: LensSession,
  invite: Omit<LensInviteFormProps, "c" | "ways">,
  status: 200 | 422 = 200,
) {
  const props = { c, ways: _ways(c), ...invite };
  if (isHtmx(c)) return c.html(<LensInviteForm {...props} />, status);
  return c.html(
    <LensPage
      c={c}
      session={session}
      link={_link(c, session)}
      invite={props}
      recordOffer={await _recordOffer(c, session)}
    />,
    status,
  );
}

function _link(c: Context, session: LensSession): string {
  return `${c.get("deps").config.publicUrl.replace(/\/$/, "")}/lens/${session.token}`;
}

/**
 * In a cluster a Lens session lives on the instance that started it (lens_home.ts): the
 * technician's requests and the phone's that land elsewhere are answered there. A request that
 * came relayed is handled where it landed; a home that does not answer (it just died) leaves
 * the request here, where no such session runs.
 */
function _relayToLensHome(
  find: (c: Context<AppEnv>) => Promise<LensHome>,
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (c.get("relayed")) return await next();
    const home = await find(c);
    if (home.kind !== "elsewhere") return await next();
    return await relayTo(c, home) ?? await next();
  };
}

const relayTechnician = _relayToLensHome((c) =>
  lensHomeOfTechnician(c.get("deps"), c.get("user")!.id)
);
const relayPhone = _relayToLensHome((c) =>
  lensHomeOfToken(c.get("deps"), c.req.param("token") ?? "")
);

const technicianRoutes = new Hono<AppEnv>()
  .use("/console/lens", requirePermission("lens"), relayTechnician)
  .use("/console/lens/*", requirePermission("lens"), relayTechnician)
  .get("/console/lens", async (c) => {
    const user = c.get("user")!;
    const registry = lensRegistry(c.get("deps"));
    const session = registry.ofTechnician(user.id);
    const recent = session ? [] : await registry.recent({ userId: user.id, orgId: user.orgId });
    return c.html(
      <LensPage
        c={c}
        session={session}
        link={session ? _link(c, session) : undefined}
        invite={{ c, ways: _ways(c) }}
        recent={recent}
        recordOffer={await _recordOffer(c as Context<AuthedEnv>, session)}
      />,
    );
  })
  .post("/console/lens/invite", async (c) => {
    const user = c.get("user")!;
    const form = await readForm(c);
    const via = lensInviteVia(user, form.via);
    const session = _mine(c as Context<AuthedEnv>);
    // The invitation's language: the customer's, the technician's by default.
    const language = form.language ?? c.get("lang");
    const draft = {
      name: form.name ?? "",
      email: form.email ?? "",
      phone: form.phone ?? "",
      language: isLanguage(language) ? language : c.get("lang"),
    };
    const contact = via === "email" ? draft.email : draft.phone;
    const t = c.get("t");
    if (!isLanguage(language)) {
      return _inviteAnswer(c, session, {
        draft,
        message: { ok: false, text: t("errors.badLanguage"), field: "language" },
      }, 422);
    }
    const problem = lensInviteProblem({ via, contact, customerName: draft.name });
    if (problem) {
      const field = problem === "console.valueTooLong" && draft.name.trim().length > 100
        ? "name"
        : via === "email"
        ? "email"
        : "phone";
      return _inviteAnswer(c, session, {
        draft,
        message: { ok: false, text: t(problem), field },
      }, 422);
    }
    if (draft.name.trim()) session.customerName = draft.name.trim();
    const registry = lensRegistry(c.get("deps"));
    const words = translator(language);
    const texts = {
      subject: words("lensPhone.inviteSubject", { name: user.name, link: _link(c, session) }),
      body: words("lensPhone.inviteBody", { name: user.name, link: _link(c, session) }),
    };
    const outcome = await sendLensInvite(c.get("deps") as SmsDeps, user, session, {
      via,
      contact,
      language,
      texts,
    });
    // Sent, held or retrying: the message is in the outbox, and the record says so.
    await registry.invited(session, { via, customerName: session.customerName || null });
    const to = contact.trim();
    const text = outcome === "sent"
      ? t(via === "email" ? "lens.invite.sentEmail" : "lens.invite.sentSms", { to })
      : outcome === "held"
      ? t(via === "email" ? "lens.invite.heldEmail" : "lens.invite.heldSms", { to })
      : t("lens.invite.retrying", { to });
    // Sent: the form is emptied for the next one; otherwise what was typed stays.
    return _inviteAnswer(c, session, {
      draft: outcome === "sent" ? { ...draft, email: "", phone: "" } : draft,
      message: { ok: outcome === "sent", text },
    });
  })
  .post("/console/lens", async (c) => {
    const user = c.get("user")!;
    try {
      await lensRegistry(c.get("deps")).start(
        { userId: user.id, orgId: user.orgId, name: user.name, groupId: user.groupId },
        clientAddress(c),
      );
    } catch (error) {
      if (!(error instanceof Refusal) || error.status !== 409) throw error;
      const session = lensRegistry(c.get("deps")).ofTechnician(user.id);
      return c.html(
        <LensPage
          c={c}
          session={session}
          link={session ? _link(c, session) : undefined}
          error={c.get("t")("lens.alreadyRunning")}
          recordOffer={await _recordOffer(c as Context<AuthedEnv>, session)}
        />,
        409,
      );
    }
    return c.redirect("/console/lens", 303);
  })
  .post("/console/lens/end", async (c) => {
    const registry = lensRegistry(c.get("deps"));
    const session = registry.ofTechnician(c.get("user")!.id);
    session?.end("technician");
    // The page it leads to lists the session just ended.
    if (session) await registry.recorded(session);
    return c.redirect("/console/lens", 303);
  })
  .get("/console/lens/events", (c) => {
    const session = lensRegistry(c.get("deps")).ofTechnician(c.get("user")!.id);
    if (session) return _events(c, session, true);
    // The page's session runs nowhere any more: it ended while the page was away, or the
    // instance holding it stopped (its home went with it). The page says so and stops.
    return liveStream(c, (stream) => {
      stream.send({ event: "state", data: JSON.stringify({ phase: "ended", ended: "gone" }) });
      stream.close();
    });
  })
  .post("/console/lens/peer", async (c) => {
    const session = _mine(c as Context<AuthedEnv>);
    if (session.state.phase !== "live") throw new Refusal(409, "lens.noPicture");
    return c.json(await session.viewerOffer());
  })
  .post("/console/lens/peer/:id/answer", async (c) => {
    const session = _mine(c as Context<AuthedEnv>);
    const sdp = await _sdp(c);
    const id = Number(c.req.param("id"));
    const answered = await session.viewerAnswer(id, sdp).catch(() => {
      throw new Refusal(422, "lens.badOffer");
    });
    if (!answered) throw new Refusal(404, "lens.noSuchPeer");
    return c.body(null, 204);
  })
  .post("/console/lens/draw", async (c) => {
    const session = _mine(c as Context<AuthedEnv>);
    const body = await c.req.json().catch(() => null) as { stroke?: unknown } | null;
    const stroke = readStroke(body?.stroke);
    if (!stroke) throw new Refusal(422, "lens.badStroke");
    if (!session.draw(stroke)) throw new Refusal(409, "lens.tooManyStrokes");
    return c.body(null, 204);
  })
  .post("/console/lens/clear", (c) => {
    _mine(c as Context<AuthedEnv>).clearDrawing();
    return c.body(null, 204);
  })
  .post("/console/lens/freeze", async (c) => {
    const session = _mine(c as Context<AuthedEnv>);
    const body = await c.req.json().catch(() => null) as { frozen?: unknown } | null;
    if (typeof body?.frozen !== "boolean") throw new Refusal(422, "lens.badRequest");
    session.freeze(body.frozen);
    return c.body(null, 204);
  })
  .post("/console/lens/record", async (c) => {
    const session = _mine(c as Context<AuthedEnv>);
    const user = c.get("user")!;
    const body = await c.req.json().catch(() => null) as { recording?: unknown } | null;
    if (typeof body?.recording !== "boolean") throw new Refusal(422, "lens.badRequest");
    const source = lensRecorderSource(c.get("deps"));
    if (!source || !session.recorder) throw new Refusal(409, "recording.refused.unavailable");
    await source.act(session.recorder, body.recording ? "start" : "stop", {
      id: user.id,
      name: user.name,
      permitted: can(user, "recordSessions"),
    });
    c.get("deps").log.info("lens recording", { lens: session.id, on: body.recording });
    return c.json({ recording: session.state.recording });
  });

const phoneRoutes = new Hono<AppEnv>()
  .use("/lens/:token", relayPhone)
  .use("/lens/:token/*", relayPhone)
  .get("/lens/:token", (c) => {
    const session = lensRegistry(c.get("deps")).ofToken(c.req.param("token"));
    if (!session) return c.html(<LensGonePage c={c} />, 404);
    // The one page that may use the camera and microphone (everywhere else none may,
    // modules/http security_headers.ts).
    c.header("Permissions-Policy", "camera=(self), microphone=(self), geolocation=()");
    return c.html(<LensPhonePage c={c} session={session} />);
  })
  .post("/lens/:token/offer", async (c) => {
    const session = _customers(c);
    const sdp = await _sdp(c);
    try {
      return c.json({ sdp: await session.answer(sdp) });
    } catch (error) {
      c.get("deps").log.warn("lens offer refused", { error: String(error) });
      throw new Refusal(422, "lens.badOffer");
    }
  })
  .post("/lens/:token/state", async (c) => {
    const session = _customers(c);
    const body = await c.req.json().catch(() => null) as Record<string, unknown> | null;
    const change: { paused?: boolean; muted?: boolean; torch?: boolean } = {};
    for (const key of ["paused", "muted", "torch"] as const) {
      const value = body?.[key];
      if (value === undefined) continue;
      if (typeof value !== "boolean") throw new Refusal(422, "lens.badRequest");
      change[key] = value;
    }
    if (!body || Object.keys(change).length === 0) throw new Refusal(422, "lens.badRequest");
    session.customerSwitches(change);
    return c.body(null, 204);
  })
  .post("/lens/:token/end", (c) => {
    _customers(c).end("customer");
    return c.body(null, 204);
  })
  .get("/lens/:token/events", (c) => {
    const session = lensRegistry(c.get("deps")).ofToken(c.req.param("token"));
    if (session) return _events(c, session);
    // The phone's page had a session (it was served), which runs nowhere now: its home
    // instance stopped (lens_home.ts), or it ended while the page was away. Said as the
    // technician's side being gone, so the page stops instead of failing to reconnect; an
    // unknown token learns nothing from this that a 404 would not tell.
    return liveStream(c, (stream) => {
      stream.send({ event: "state", data: JSON.stringify({ phase: "ended", ended: "gone" }) });
      stream.close();
    });
  });

export const lensRoutes = new Hono<AppEnv>()
  .route("/", technicianRoutes)
  .route("/", phoneRoutes);
