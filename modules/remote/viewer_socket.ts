/**
 * A viewer socket on a session's remote view (state, WebRTC offer/answer, input, control
 * passing), from our own origin only. Two kinds of seat open one: a technician working the
 * session (the lead or a collaborator, routes.tsx) and a monitoring admin (modules/monitoring,
 * `monitor`: the picture only, never control, never a question to the customer). Who may open
 * one and what they may do is the caller's `load`; this file keeps those rights fresh while
 * the socket lives (authority.ts) and closes it when they are gone — a collaborator removed
 * from the session, a monitoring that ended — so a removed seat cannot keep watching, and
 * opening again runs `load` again, which refuses it.
 */
import type { Context, MiddlewareHandler } from "hono";
import { upgradeWebSocket } from "hono/deno";
import { type AppEnv, type AuthedEnv, type CurrentUser, socketOrigin } from "../http/mod.ts";
import { agentExpectedBack, isWorkedNow, type SupportSession } from "../support/mod.ts";
import type { LiveEvent } from "../live/mod.ts";
import { type ViewerInput, ViewerInputSchema } from "../../protocol/mod.ts";
import type { RemoteSession, ViewerLink } from "./hub.ts";
import { allows, ViewerAuthority, type ViewerRights } from "./authority.ts";
import { remoteFor } from "./remote_for.ts";
import { remoteHub } from "./remote_hub.ts";
import { frameSize, TOO_BIG } from "./socket_guard.ts";
import { relayToHome } from "./home_relay.ts";
import { checkHome, MOVED, watchHome } from "./home_watch.ts";

const MAX_VIEWER_FRAME = 64 * 1024;

/** Who opens the socket and how its rights are read again (the caller's checks). */
export interface ViewerSeat {
  session: SupportSession;
  user: CurrentUser;
  /** A monitoring admin's extra viewer. */
  monitor: boolean;
  /** The rights it opens with (just checked). */
  rights: ViewerRights;
  /** The rights as they are now; "none" closes the socket. */
  read: () => Promise<ViewerRights>;
  /** Whether this seat leads the session now (asked when it takes control back). */
  isLead: () => Promise<boolean>;
  lead: boolean;
}

type Load = (c: Context<AuthedEnv>) => Promise<ViewerSeat>;

/** The handlers of a viewer socket route: origin check, `load`, relay to the agent's home, socket. */
export function viewerSocket(
  load: Load,
): [
  MiddlewareHandler<AppEnv>,
  MiddlewareHandler<AppEnv>,
  MiddlewareHandler<AppEnv>,
  MiddlewareHandler<AppEnv>,
] {
  return [
    // Cookies ride along on cross-site WebSocket requests: only our own pages may open it.
    socketOrigin({ browser: true }),
    (async (c, next) => {
      c.set("remoteSession" as never, await load(c as never) as never);
      await next();
    }) as MiddlewareHandler<AppEnv>,
    // The agent lives on another instance: the socket is piped there (home_relay.ts).
    relayToHome((c) => Promise.resolve(_seat(c).session)),
    upgradeWebSocket((c) => _socket(c, _seat(c))) as MiddlewareHandler<AppEnv>,
  ];
}

function _seat(c: Context<AppEnv>): ViewerSeat {
  return c.get("remoteSession" as never) as ViewerSeat;
}

function _socket(c: Context<AppEnv>, seat: ViewerSeat) {
  const deps = c.get("deps");
  const { session, user } = seat;
  // Taken when the socket opens, not at the upgrade: a home check in between may have dropped
  // the session's `RemoteSession` (its home was elsewhere then), and one kept from before
  // would be an orphan the agent never attaches to.
  let remote: RemoteSession | null = null;
  let viewer: ViewerLink | null = null;
  let authority: ViewerAuthority | null = null;
  let unsubscribe = () => {};
  let unwatch = () => {};
  let chain = Promise.resolve();
  return {
    onOpen: (
      _event: Event,
      ws: {
        readyState: number;
        send(s: string): void;
        close(code?: number, reason?: string): void;
      },
    ) => {
      const link: ViewerLink = {
        userId: user.id,
        name: user.name,
        watching: false,
        peer: null,
        monitor: seat.monitor,
        send: (message) => {
          if (ws.readyState === 1) ws.send(JSON.stringify(message));
        },
      };
      viewer = link;
      const here = remoteFor(deps, session);
      remote = here;
      here.join(link);
      // No agent here: if it dropped on another instance it is reconnecting, not absent.
      if (!here.agent) {
        agentExpectedBack(deps.db, session.id).then((away) => {
          if (away) here.agentAway();
        }).catch((error) => deps.log.error("agent presence", { error: String(error) }));
      }
      // The agent attached on another instance since: the island reconnects there.
      unwatch = watchHome(deps, session, {
        relayedTo: null,
        close: () => ws.close(MOVED, "moved"),
      });
      checkHome(deps, session);
      // Rights are read again while the socket lives (authority.ts): an admin taking
      // remoteControl away ends control and keeps the picture; losing the picture, the
      // sign-in (deactivated, signed out) or the session (hold, transfer, end, removed as a
      // collaborator, monitoring ended) closes it.
      authority = new ViewerAuthority({
        ...remoteHub(deps).viewerRights,
        initial: seat.rights,
        read: seat.read,
        onChange: (rights) => {
          if (rights === "none") {
            here.setWatching(link, false);
            ws.close(4403, "no longer allowed to view this session");
          } else if (rights === "view") {
            here.setControl(link, false);
            const reason = c.get("t")("remote.refused.permission");
            link.send({ type: "error", code: "permission", reason });
          }
        },
      });
      const rights = authority;
      unsubscribe = deps.live.subscribe(session.orgId, (event: LiveEvent) => {
        // "resync": notices may have been missed (modules/live), so anything may have.
        const concerned = event.kind === "session"
          ? event.sessionId === session.id
          : event.kind === "resync" ||
            event.kind === "access" && (event.userId ?? user.id) === user.id;
        if (concerned) rights.invalidate();
      });
    },
    onMessage: (
      event: MessageEvent,
      ws: { close(code?: number, reason?: string): void },
    ) => {
      // Deno has read it whole already; a socket sending more than it may is closed.
      if (frameSize(event.data) > MAX_VIEWER_FRAME) return ws.close(TOO_BIG, "too big");
      const [here, link] = [remote, viewer];
      if (!here || !link) return;
      chain = chain.then(() => _viewerMessage(c, here, link, seat, authority, event.data)).catch((
        error,
      ) => deps.log.error("viewer frame failed", { error: String(error) }));
    },
    onClose: () => {
      unsubscribe();
      unwatch();
      authority?.close();
      if (viewer) remote?.leave(viewer);
    },
  };
}

/** One frame from the island: parsed, checked against the rights, handed to the session. */
async function _viewerMessage(
  c: Context<AppEnv>,
  remote: RemoteSession,
  viewer: ViewerLink,
  seat: ViewerSeat,
  authority: ViewerAuthority | null,
  data: unknown,
): Promise<void> {
  const refuse = (code: string, reason: string) => viewer.send({ type: "error", code, reason });
  const t = c.get("t");
  if (typeof data !== "string" || data.length > MAX_VIEWER_FRAME) {
    return refuse("malformed", "Text frames of at most 64 KiB");
  }
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return refuse("malformed", "Not JSON");
  }
  // What a technician's viewer may send (protocol/viewer_schema.ts); anything else is refused.
  const parsed = ViewerInputSchema.safeParse(json);
  if (!parsed.success) return refuse("invalid", parsed.error.issues[0]?.message ?? "invalid");
  const message: ViewerInput = parsed.data;
  // The island's ping (every 2 s) only asks for a pong: the last answer will do (a socket whose
  // rights are gone is closed by then). Anything else gets an answer at most `staleMs` old.
  const rights = !authority
    ? "none"
    : message.type === "ping"
    ? authority.rights
    : await authority.current();
  const refusal = (code: string | null) => {
    if (code) refuse(code, t(`remote.refused.${code}` as never));
  };
  if (rights === "none") return refusal("permission");
  // A hold, a transfer or an end takes view and control away (the agent gateway's isWorkedNow);
  // asking again then would put a question to the customer for a session nobody works.
  if (
    !seat.monitor && _asksForScreen(message) &&
    !(await isWorkedNow(c.get("deps"), remote.sessionId))
  ) {
    return refusal("not_worked");
  }
  switch (message.type) {
    case "ping":
      viewer.send({ type: "pong", at: message.at });
      return;
    case "answer":
      // An answer to a peer replaced meanwhile is ignored: the current offer's answer follows.
      return remote.answer(viewer, message.sdp, message.id).then(() => {});
    case "keyframe":
      remote.wantKeyframe();
      return;
    case "codecs":
      // What this browser decodes: counted for every viewer, a monitoring admin's too.
      remote.viewerCodecs(viewer, message.codecs, message.cursor === true);
      return;
    case "reoffer":
      if (!allows(rights, "view")) return refusal("permission");
      // Refused quietly while view is not granted or for a peer just made: nothing to show.
      remote.reoffer(viewer);
      return;
    case "view":
      if (message.on && !allows(rights, "view")) return refusal("permission");
      return refusal(remote.setWatching(viewer, message.on));
  }
  // Everything below steers the session: never a monitoring admin's.
  if (seat.monitor) return refusal("control_monitor");
  switch (message.type) {
    case "quality":
      remote.setQuality(message.preset);
      return;
    case "screen":
      if (!allows(rights, "view")) return refusal("permission");
      return refusal(remote.setScreen(message.id));
    case "take_control":
      if (!allows(rights, "control")) return refusal("permission");
      return seat.isLead().catch(() => false).then((lead) =>
        refusal(remote.takeControl(viewer, { lead }))
      );
    case "request_control":
      if (!allows(rights, "control")) return refusal("permission");
      return refusal(remote.requestControl(viewer));
    case "give_control":
      return refusal(remote.giveControl(viewer, message.userId));
    case "decline_control":
      return refusal(remote.declineControl(viewer));
    case "control":
      if (message.on && !allows(rights, "control")) return refusal("permission");
      return refusal(remote.setControl(viewer, message.on));
    case "whiteboard":
    case "stroke":
    case "whiteboardClear":
    case "whiteboardUndo":
    case "laser":
      // Drawing on the customer's screen needs the picture's right, as seeing it does.
      if (!allows(rights, "view")) return refusal("permission");
      return refusal(remote.draw(message, viewer));
    default:
      // Checked against rights at most half a second old (or read after a notice).
      if (!allows(rights, "control")) return refusal("permission");
      return refusal(remote.input(message, viewer));
  }
}

/** A message that starts desktop view or remote control (what asks the customer). */
function _asksForScreen(message: ViewerInput): boolean {
  switch (message.type) {
    case "view":
    case "control":
      return message.on;
    case "request_control":
    case "take_control":
      return true;
    default:
      return false;
  }
}
