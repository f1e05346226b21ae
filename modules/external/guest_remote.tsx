/**
 * The external technician's remote view, on a socket under `/x` that its access cookie
 * opens. What it may do is what its invitation grants now (`GuestAccess.granted`, the
 * collaborators' rule): with `remoteControl` it is a technician's seat — it switches control
 * on, asks the holder for it and is given it through the one control owner per session
 * (modules/remote), never leading and so never taking it back; with `desktopView` only it is
 * the view-only seat monitoring uses, which never asks the customer anything. The seat's
 * rights are read again on every notice about the session and twice a second, so removal,
 * expiry, the session's end or the inviter's group losing the permission closes the socket
 * or ends control; opening it again is refused.
 */
import { getCookie } from "hono/cookie";
import type { CurrentUser, PageContext } from "../http/mod.ts";
import type { Permission } from "../permissions/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import { rightsOf, viewerSocket } from "../remote/mod.ts";
import type { Granted, SupportSession } from "../support/mod.ts";
import { mountAttributes, REMOTE_UI_KEYS } from "../../protocol/mod.ts";
import { type GuestAccess, guestAccess } from "./guest.ts";
import type { ExternalGuest } from "./invite.ts";

export const GUEST_COOKIE = "rs_external";
export const GUEST_REMOTE_WS = "/x/console/remote/ws";

/** What the guest's remote view may do now: "control", "view" or "none". */
export function guestRights(access: Pick<GuestAccess, "granted">) {
  return rightsOf(access.granted);
}

/** The guest as the viewer the remote hub lists (the customer's page names it). */
function _viewer(guest: ExternalGuest, granted: Granted): CurrentUser {
  return {
    id: guest.id,
    orgId: guest.orgId,
    email: guest.email,
    name: guest.name,
    role: "technician",
    language: null,
    totpEnabled: false,
    permissions: new Set<Permission>(granted.permissions),
    groupId: null,
  };
}

export const guestRemoteSocket = viewerSocket(async (c) => {
  const deps = c.get("deps");
  const cookie = getCookie(c, GUEST_COOKIE);
  const check = async () => {
    const access = await guestAccess(deps, cookie);
    if (guestRights(access) === "none") {
      throw new Refusal(403, "errors.permissionMissing", { params: { permission: "desktopView" } });
    }
    return access;
  };
  const access = await check();
  const rights = guestRights(access);
  return {
    session: access.session,
    user: _viewer(access.guest, access.granted),
    // View only: the picture as the technicians see it, never a question to the customer.
    monitor: rights !== "control",
    rights,
    read: () => check().then(guestRights, () => "none" as const),
    lead: false,
    isLead: () => Promise.resolve(false),
  };
});

/** The island's mount for the guest: its own socket, its rights, its own words. */
export function GuestRemoteMount(
  props: { c: PageContext; session: SupportSession; access: GuestAccess },
) {
  const { c, session } = props;
  const t = c.get("t");
  const control = guestRights(props.access) === "control";
  const labels = Object.fromEntries(REMOTE_UI_KEYS.map((key) => [key, t(`remote.ui.${key}`)]));
  labels.monitorViewOnly = t("external.guest.viewOnly");
  const attributes = mountAttributes({
    session: session.id,
    ws: GUEST_REMOTE_WS,
    screenshot: "",
    csrf: c.get("csrf"),
    labels,
    canControl: control,
    canClipboard: control,
    canView: true,
    canScreenshot: false,
    // As the detached window: no "invite in the chat" and no "open in a window" (both are
    // the technician's console's), only the picture, its status and control.
    detached: true,
    lead: false,
    monitor: !control,
  });
  return <div class="remote-view" id={`remote-guest-${session.id}`} {...attributes}></div>;
}
