/**
 * The external technician's remote view, when its permission set has `desktopView`: the
 * session's picture only, never control (modules/remote's view-only seat, the one monitoring
 * uses), on a socket under `/x` that its access cookie opens. The seat's rights are read
 * again on every notice about the session, so removal, expiry or the session's end closes
 * it; opening it again is refused.
 */
import { getCookie } from "hono/cookie";
import type { CurrentUser, PageContext } from "../http/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import { viewerSocket } from "../remote/mod.ts";
import type { SupportSession } from "../support/mod.ts";
import { mountAttributes, REMOTE_UI_KEYS } from "../../protocol/mod.ts";
import { guestAccess } from "./guest.ts";
import type { ExternalGuest } from "./invite.ts";

export const GUEST_COOKIE = "rs_external";
export const GUEST_REMOTE_WS = "/x/console/remote/ws";

/** Whether the guest's permission set shows it the picture. */
export function seesDesktop(guest: ExternalGuest): boolean {
  return guest.permissions.includes("desktopView");
}

/** The guest as the viewer the remote hub lists (the customer's page names it). */
function _viewer(guest: ExternalGuest): CurrentUser {
  return {
    id: guest.id,
    orgId: guest.orgId,
    email: guest.email,
    name: guest.name,
    role: "technician",
    language: null,
    totpEnabled: false,
    permissions: new Set(["desktopView"]),
    groupId: null,
  };
}

export const guestRemoteSocket = viewerSocket(async (c) => {
  const deps = c.get("deps");
  const cookie = getCookie(c, GUEST_COOKIE);
  const check = async () => {
    const access = await guestAccess(deps, cookie);
    if (!seesDesktop(access.guest)) {
      throw new Refusal(403, "errors.permissionMissing", { params: { permission: "desktopView" } });
    }
    return access;
  };
  const { guest, session } = await check();
  return {
    session,
    user: _viewer(guest),
    monitor: true,
    rights: "view",
    read: () => check().then(() => "view" as const, () => "none" as const),
    lead: false,
    isLead: () => Promise.resolve(false),
  };
});

/** The island's mount for the guest: view only, its own socket, its own words. */
export function GuestRemoteMount(props: { c: PageContext; session: SupportSession }) {
  const { c, session } = props;
  const t = c.get("t");
  const labels = Object.fromEntries(REMOTE_UI_KEYS.map((key) => [key, t(`remote.ui.${key}`)]));
  labels.monitorViewOnly = t("external.guest.viewOnly");
  const attributes = mountAttributes({
    session: session.id,
    ws: GUEST_REMOTE_WS,
    screenshot: "",
    csrf: c.get("csrf"),
    labels,
    canControl: false,
    canClipboard: false,
    canView: true,
    canScreenshot: false,
    // As the detached window: no "invite in the chat" and no "open in a window" (both are
    // the technician's console's), only the picture and its status.
    detached: true,
    lead: false,
    monitor: true,
  });
  return <div class="remote-view" id={`remote-guest-${session.id}`} {...attributes}></div>;
}
