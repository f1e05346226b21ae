/**
 * The device dashboard's routes (SPEC M2; board.ts holds the state, in memory).
 *
 * The technician working the session, with `mobileTools`:
 * - `GET /console/sessions/:id/device` — the Device tab's frame;
 * - `GET /console/sessions/:id/device/board` — the board (`?after=<version>`: 204 unchanged);
 * - `POST /console/sessions/:id/device/ask` — ask the customer (off, declined or stopped);
 * - `POST /console/sessions/:id/device/refresh` — the sharing page sends fresh values.
 *
 * The customer's page (the token is the capability; static/customer_device.js):
 * - `GET /s/:token/device?after=<version>` — the consent as JSON, held up to `WAIT_MS` while
 *   nothing newer happened: how the page hears an ask or a refresh;
 * - `POST /s/:token/device/answer` (`decision` allow|deny), `POST /s/:token/device/stop`;
 * - `POST /s/:token/device/report` — the values (report.ts: strict, 400 naming the field);
 * - `GET /s/:token/device/ping` — an empty answer the page times for its round trip.
 *
 * Asks and answers go in the session log; the customer's share of device information in the
 * audit log too. Values are kept for a customer who shares only, and only in memory — on the
 * session's device home in a cluster (device_home.ts), where requests landing elsewhere go.
 */
import { type Context, Hono, type MiddlewareHandler } from "hono";
import { type AppEnv, type AuthedEnv, readForm, requireUser } from "../http/mod.ts";
import { can } from "../permissions/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import { relayTo, toolConsent } from "../remote/mod.ts";
import {
  findByToken,
  loadSession,
  logSessionEvent,
  sessionForTechnician,
  type SupportSession,
} from "../support/mod.ts";
import { deviceBoard, type DeviceEntry } from "./board.ts";
import { deviceHome } from "./device_home.ts";
import { waitForDeviceNews } from "./end_watch.ts";
import { parseDeviceReport } from "./report.ts";
import { DeviceBoardView, DevicePanel } from "./views.tsx";

/** How long the customer's page's question waits for news before it is answered anyway. */
export const WAIT_MS = 25_000;
const REPORT_MAX_BYTES = 16 * 1024;

async function _working(c: Context<AuthedEnv>) {
  const user = c.get("user");
  // The permission first: without it the answer is the same whether the session exists.
  if (!can(user, "mobileTools")) {
    throw new Refusal(403, "errors.permissionMissing", { params: { permission: "mobileTools" } });
  }
  const found = await sessionForTechnician(c.get("deps"), user, c.req.param("id") ?? "", "work");
  // A collaborator's session permission set narrows its group's.
  if (!can(found.granted, "mobileTools")) {
    throw new Refusal(403, "errors.permissionMissing", { params: { permission: "mobileTools" } });
  }
  return found;
}

/** The customer's live session by its token; an ended one is forgotten and "not found". */
async function _customerSession(c: Context<AppEnv>): Promise<SupportSession> {
  const session = await findByToken(c.get("deps"), c.req.param("token") ?? "");
  if (session?.endedAt) deviceBoard(c.get("deps")).forget(session.id);
  if (!session || session.endedAt) throw new Refusal(404, "customer.notFound");
  return session;
}

/** Waits up to a second for the session's end to be committed, then refuses as ended. */
async function _endedSoon(c: Context<AppEnv>): Promise<void> {
  for (let i = 0; i < 20; i++) {
    await _customerSession(c);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function _customerState(entry: DeviceEntry) {
  return {
    version: entry.version,
    // Values lost with a server are the technician's news; the customer shares nothing now.
    consent: entry.consent === "lost" ? "off" : entry.consent,
    askedBy: entry.askedBy?.name ?? null,
    refresh: entry.refresh,
  };
}

const _customer = { author: "customer" as const };

/**
 * In a cluster the board lives on the session's device home (device_home.ts): a request that
 * lands elsewhere is relayed there, so the technician's tab and the customer's reports meet.
 * A relayed request, one about no live session, or one the home does not answer (it just
 * died) is handled here.
 */
function _relayToDeviceHome(
  find: (c: Context<AppEnv>) => Promise<SupportSession | null | undefined>,
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (c.get("relayed")) return await next();
    const session = await find(c).catch(() => null);
    if (!session || session.endedAt) return await next();
    const home = await deviceHome(c.get("deps"), session.id);
    if (home.kind !== "elsewhere") return await next();
    return await relayTo(c, home) ?? await next();
  };
}

const relayTechnician = _relayToDeviceHome(async (c) => {
  const id = c.req.param("id") ?? "";
  // Only a caller who may see the tab claims a home; the rest are refused where they land.
  const user = c.get("user");
  if (!user || !/^[0-9a-f-]{36}$/i.test(id) || !can(user, "mobileTools")) return null;
  return await loadSession(c.get("deps").db, id);
});
const relayCustomer = _relayToDeviceHome((c) =>
  findByToken(c.get("deps"), c.req.param("token") ?? "")
);

export const deviceInfoRoutes = new Hono<AppEnv>()
  .use("/console/sessions/:id/device", relayTechnician)
  .use("/console/sessions/:id/device/*", relayTechnician)
  .use("/s/:token/device", relayCustomer)
  .use("/s/:token/device/*", relayCustomer)
  .get("/console/sessions/:id/device", requireUser(), async (c) => {
    const { session } = await _working(c);
    const deps = c.get("deps");
    const agentPresent = toolConsent(deps, session).state.present;
    const entry = deviceBoard(deps).get(session.id);
    return c.html(
      <DevicePanel c={c} sessionId={session.id} entry={entry} agentPresent={agentPresent} />,
    );
  })
  .get("/console/sessions/:id/device/board", requireUser(), async (c) => {
    const { session } = await _working(c);
    const entry = deviceBoard(c.get("deps")).get(session.id);
    // Nothing new since the version the tab shows: htmx keeps what is there.
    if (c.req.query("after") === String(entry.version)) return c.body(null, 204);
    return c.html(<DeviceBoardView c={c} sessionId={session.id} entry={entry} />);
  })
  .post("/console/sessions/:id/device/ask", requireUser(), async (c) => {
    const { session } = await _working(c);
    const user = c.get("user");
    const deps = c.get("deps");
    const asker = { id: user.id, name: user.name, email: user.email ?? null };
    const entry = deviceBoard(deps).move(session.id, "ask", asker);
    if (!entry) throw new Refusal(409, "deviceInfo.cannotAsk");
    await logSessionEvent(deps, session, "log.device.asked", { name: user.name }, {
      author: "technician",
      userId: user.id,
      name: user.name,
    });
    return c.html(<DeviceBoardView c={c} sessionId={session.id} entry={entry} />);
  })
  .post("/console/sessions/:id/device/refresh", requireUser(), async (c) => {
    const { session } = await _working(c);
    const board = deviceBoard(c.get("deps"));
    if (!board.askRefresh(session.id)) throw new Refusal(409, "deviceInfo.notSharing");
    return c.html(<DeviceBoardView c={c} sessionId={session.id} entry={board.get(session.id)} />);
  })
  .get("/s/:token/device", async (c) => {
    const session = await _customerSession(c);
    const board = deviceBoard(c.get("deps"));
    const after = Number(c.req.query("after") ?? "-1");
    if (Number.isInteger(after) && after >= 0) {
      // Woken by news, or by the session's end on any instance (end_watch.ts).
      await waitForDeviceNews(c.get("deps"), session, {
        after,
        ms: WAIT_MS,
        signal: c.req.raw.signal,
      });
      // Forgotten (the version fell back): the session is ending. Its end is written in a
      // transaction that may not have committed yet; the page hears it is over once it has.
      if (board.get(session.id).version < after) await _endedSoon(c);
    }
    c.header("Cache-Control", "no-store");
    return c.json(_customerState(board.get(session.id)));
  })
  .post("/s/:token/device/answer", async (c) => {
    const session = await _customerSession(c);
    const deps = c.get("deps");
    const form = await readForm(c);
    if (form.decision !== "allow" && form.decision !== "deny") {
      throw new Refusal(400, "errors.badForm");
    }
    const allow = form.decision === "allow";
    const entry = deviceBoard(deps).move(session.id, allow ? "allow" : "deny");
    if (!entry) throw new Refusal(409, "deviceInfo.notAsked");
    await logSessionEvent(
      deps,
      session,
      allow ? "log.device.shared" : "log.device.declined",
      {},
      _customer,
      // The technician who asked is the one shown the values: the entry's actor.
      allow
        ? {
          action: "session.device_info_shared",
          actor: entry.askedBy ?? undefined,
          details: { sessionNumber: session.number },
        }
        : undefined,
    );
    return c.json(_customerState(entry));
  })
  .post("/s/:token/device/stop", async (c) => {
    const session = await _customerSession(c);
    const deps = c.get("deps");
    const entry = deviceBoard(deps).move(session.id, "stop");
    if (!entry) throw new Refusal(409, "deviceInfo.notSharing");
    await logSessionEvent(deps, session, "log.device.stopped", {}, _customer);
    return c.json(_customerState(entry));
  })
  .post("/s/:token/device/report", async (c) => {
    const session = await _customerSession(c);
    const deps = c.get("deps");
    const raw = await c.req.text();
    if (raw.length > REPORT_MAX_BYTES) {
      throw new Refusal(400, "deviceInfo.badReport", { params: { field: "body" } });
    }
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      throw new Refusal(400, "deviceInfo.badReport", { params: { field: "body" } });
    }
    const parsed = parseDeviceReport(body);
    if (!parsed.ok) {
      throw new Refusal(400, "deviceInfo.badReport", { params: { field: parsed.field } });
    }
    const userAgent = (c.req.header("User-Agent") ?? "").slice(0, 512);
    const board = deviceBoard(deps);
    if (!board.report(session.id, parsed.report, userAgent, deps.clock.now())) {
      throw new Refusal(409, "deviceInfo.notSharing");
    }
    return c.json(_customerState(board.get(session.id)));
  })
  .get("/s/:token/device/ping", async (c) => {
    await _customerSession(c);
    c.header("Cache-Control", "no-store");
    return c.body(null, 204);
  });
