import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { Refusal } from "../refusal/mod.ts";
import { type AppEnv, type AuthedEnv, clientAddress, requireUser } from "../http/mod.ts";
import { can, type Permission } from "../permissions/mod.ts";
import {
  createPrivateSession,
  endSession,
  holdSession,
  loadSnapshots,
  queueFor,
  readLog,
  sessionForTechnician,
  startSession,
  technicianChat,
  viewerFor,
  visibleRows,
} from "../support/mod.ts";
import { INVALID, tokenProblems, validationHook } from "./schemas.ts";
import {
  ChatPage,
  ChatPost,
  ChatQuery,
  groupBySession,
  IdempotencyKey,
  json,
  lineOut,
  Session,
  SessionCreate,
  SessionCreated,
  SessionId,
  sessionOut,
  StatusQuery,
} from "./session_schemas.ts";

type C = Context<AuthedEnv>;

/**
 * The permission each API creation method needs besides startPrivate. The console's
 * CONNECTION_METHODS says the same for all four methods; the API offers only the two that
 * need no outbox, and may not import the console.
 */
const METHOD_PERMISSION = { pin: "methodPin", link: "methodLink" } as const satisfies Record<
  string,
  Permission
>;

const CHAT_PAGE = 200;

/** The session as the caller sees it now; `undefined` when it is not in the caller's org. */
async function _sessionView(c: C, id: string) {
  const { db } = c.get("deps");
  const user = c.get("user");
  const [snapshot] = await loadSnapshots(db, [id]);
  if (!snapshot || snapshot.session.orgId !== user.orgId) return undefined;
  const rows = visibleRows(await viewerFor(db, user), snapshot);
  return sessionOut(snapshot.session, rows, snapshot.channelName);
}

/** Every route here needs a signed-in user: the guard runs per route and types the handler's. */
const common = { tags: ["sessions"], security: [{ bearer: [] }], middleware: requireUser() };
const NO_SESSION = "No such session, or not one you can see";
const one = { description: "The session as the caller sees it", ...json(Session) };

/**
 * Support sessions for integrations: create a PIN or link session, follow the queue, start,
 * hold and end, and chat — through the same services (and permission checks) as the console.
 */
export const sessionApi = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

sessionApi.openapi(
  createRoute({
    ...common,
    method: "post",
    path: "/sessions",
    operationId: "createSession",
    summary: "Create a PIN or link session (at most 30 a minute per user)",
    description: "Needs the startPrivate permission and methodPin or methodLink. The session " +
      "starts in Connecting until the customer opens the link or enters the PIN.",
    request: { body: { required: true, ...json(SessionCreate) } },
    responses: {
      201: { description: "Created", ...json(SessionCreated) },
      ...tokenProblems("The group lacks startPrivate, or methodPin / methodLink for this method", {
        422: `${INVALID}; also a customer name that is empty or too long`,
        429: "Too many sessions created in the last minute; see Retry-After",
      }),
    },
  }),
  async (c) => {
    const body = c.req.valid("json");
    const user = c.get("user");
    for (const permission of ["startPrivate", METHOD_PERMISSION[body.method]] as const) {
      if (!can(user, permission)) {
        throw new Refusal(403, "errors.permissionMissing", { params: { permission } });
      }
    }
    const deps = c.get("deps");
    const { session, link } = await createPrivateSession(deps, user, {
      method: body.method,
      customerName: body.customerName,
      fields: body.fields ?? {},
      ip: clientAddress(c),
    });
    return c.json({
      id: session.id,
      number: session.number,
      pin: session.pin,
      link,
      pinExpiresAt: session.pinExpiresAt?.toISOString() ?? null,
      status: "connecting" as const,
    }, 201);
  },
);

sessionApi.openapi(
  createRoute({
    ...common,
    method: "get",
    path: "/sessions",
    operationId: "listSessions",
    summary: "Your queue: every live session you see, with each row's status",
    request: { query: StatusQuery },
    responses: {
      200: { description: "Sessions, oldest first", ...json(z.array(Session)) },
      ...tokenProblems(null, {
        422: "An unknown status",
      }),
    },
  }),
  async (c) => {
    const { status } = c.req.valid("query");
    const { db } = c.get("deps");
    const rows = await queueFor(db, await viewerFor(db, c.get("user")));
    return c.json(groupBySession(rows.filter((r) => !status || r.entry.status === status)), 200);
  },
);

sessionApi.openapi(
  createRoute({
    ...common,
    method: "get",
    path: "/sessions/{id}",
    operationId: "getSession",
    summary: "One session in your queue",
    request: { params: SessionId },
    responses: {
      200: one,
      ...tokenProblems(null, {
        404: NO_SESSION,
        422: "The id is not a UUID",
      }),
    },
  }),
  async (c) => {
    const view = await _sessionView(c, c.req.valid("param").id);
    if (!view || view.entries.length === 0) throw new Refusal(404, "sessions.notFound");
    return c.json(view, 200);
  },
);

const ACTIONS = [
  {
    path: "/sessions/{id}/start",
    operationId: "startSession",
    summary: "Start: pick up a waiting session, resume a hold, accept a transfer",
    forbidden: null,
    run: startSession,
  },
  {
    path: "/sessions/{id}/hold",
    operationId: "holdSession",
    summary: "Put your session on hold",
    forbidden: "The group lacks the hold permission",
    run: holdSession,
  },
  {
    path: "/sessions/{id}/end",
    operationId: "endSession",
    summary: "End your part; a lead ending a live session ends it for everyone",
    forbidden: null,
    // The customer's page gets the survey's link if the session has one (SPEC T4): the end's
    // hooks (support's `whenSessionEnds`) offer it, however the session ends.
    run: endSession,
  },
] as const;

for (const action of ACTIONS) {
  sessionApi.openapi(
    createRoute({
      ...common,
      method: "post",
      path: action.path,
      operationId: action.operationId,
      summary: action.summary,
      request: { params: SessionId },
      responses: {
        200: { ...one, description: "The session after the change" },
        ...tokenProblems(action.forbidden, {
          404: NO_SESSION,
          409: "Not possible in the session's current status, or at your active-session limit",
          422: "The id is not a UUID",
        }),
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      await action.run(c.get("deps"), c.get("user"), id);
      const view = await _sessionView(c, id);
      if (!view) throw new Refusal(404, "sessions.notFound");
      return c.json(view, 200);
    },
  );
}

sessionApi.openapi(
  createRoute({
    ...common,
    method: "get",
    path: "/sessions/{id}/chat",
    operationId: "readSessionLog",
    summary: "The session log: chat, status changes and events, oldest first",
    request: { params: SessionId, query: ChatQuery },
    responses: {
      200: { description: "A page of lines", ...json(ChatPage) },
      ...tokenProblems(null, {
        404: NO_SESSION,
        422: INVALID,
      }),
    },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const { after = 0, limit = CHAT_PAGE } = c.req.valid("query");
    const deps = c.get("deps");
    await sessionForTechnician(deps, c.get("user"), id, "read");
    const lines = (await readLog(deps.db, id, after)).slice(0, limit);
    return c.json({ lines: lines.map(lineOut), next: lines.at(-1)?.seq ?? after }, 200);
  },
);

sessionApi.openapi(
  createRoute({
    ...common,
    method: "post",
    path: "/sessions/{id}/chat",
    operationId: "sendChatMessage",
    summary: "Send a chat message to the customer (the session must be started)",
    request: {
      params: SessionId,
      headers: IdempotencyKey,
      body: { required: true, ...json(ChatPost) },
    },
    responses: {
      201: { description: "Sent", ...json(z.object({ id: z.number().int() })) },
      ...tokenProblems(null, {
        404: NO_SESSION,
        409: "You are not working the session (not started, on hold, ended), or its chat is off",
        422: `${INVALID}; also an empty or too long message`,
      }),
    },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const { text } = c.req.valid("json");
    const key = c.req.valid("header")["idempotency-key"];
    const logId = await technicianChat(c.get("deps"), c.get("user"), id, text, key);
    return c.json({ id: logId }, 201);
  },
);
