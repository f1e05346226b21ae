// Over 400 lines on purpose: the table is one list of every guarded endpoint, so a new route is added in one place.
// The permission table (SPEC A4, P-list): for every guarded endpoint, a technician whose
// group lacks the permission is refused (403 page or problem) and one whose group has it
// is let through; the same for an external technician's routes under /x and its
// invitation's set. Every available permission must be in the table, and no unavailable one
// (modules/permissions marks those whose feature is not built yet) — so the table grows
// with the product, and a permission is offered only once something checks it.
// engine-one: it checks whom each route lets in (can() over a group's permissions); reading
// the groups back is the org tests' work, on both engines.
import assert from "node:assert/strict";
import { defaultPermissions, type Permission, PERMISSIONS } from "../modules/permissions/mod.ts";
import { startTestApp, type TestApp } from "./support/app.ts";
import { makeGroup, makePerson, TECH_PASSWORD } from "./support/org.ts";
import { technician, workingSession } from "./support/sessions.ts";
import { toCurrentUser, type users } from "../modules/auth/mod.ts";
import { eq } from "drizzle-orm";
import { defaultGroupSettings, type GroupSettings, technicianGroups } from "../modules/org/mod.ts";

interface GuardedEndpoint {
  permission: Permission;
  method: "GET" | "POST";
  path: string;
  /** Other permissions the endpoint also needs (granted in both runs). */
  alsoNeeds?: Permission[];
  /** Form fields sent with a POST. */
  form?: Record<string, string>;
  /** Extra request headers. */
  headers?: Record<string, string>;
  /** `:session` in the path is a session the technician has started and works. */
  session?: true;
  /** The group's settings beside its permissions (a recording policy that lets it choose). */
  settings?: Partial<GroupSettings>;
}

/** No such session: with the permission the answer is 404, never 403. */
const NO_SESSION = "/console/sessions/00000000-0000-4000-8000-000000000000";
/** No such row (script, run): with the permission the answer is 404, never 403. */
const NO_ID = "00000000-0000-4000-8000-0000000000ff";

const TABLE: GuardedEndpoint[] = [
  {
    permission: "startPrivate",
    method: "GET",
    path: "/console/new-session?method=link",
    alsoNeeds: ["methodLink"],
  },
  {
    permission: "methodPin",
    method: "GET",
    path: "/console/new-session?method=pin",
    alsoNeeds: ["startPrivate"],
  },
  {
    permission: "methodLink",
    method: "GET",
    path: "/console/new-session?method=link",
    alsoNeeds: ["startPrivate"],
  },
  {
    permission: "methodEmail",
    method: "GET",
    path: "/console/new-session?method=email",
    alsoNeeds: ["startPrivate"],
  },
  {
    permission: "methodSms",
    method: "GET",
    path: "/console/new-session?method=sms",
    alsoNeeds: ["startPrivate"],
  },
  {
    permission: "startPrivate",
    method: "POST",
    path: "/console/sessions",
    alsoNeeds: ["methodPin"],
    form: { method: "pin", name: "Carol" },
  },
  {
    permission: "methodPin",
    method: "POST",
    path: "/console/sessions",
    alsoNeeds: ["startPrivate"],
    form: { method: "pin", name: "Carol" },
  },
  {
    permission: "methodEmail",
    method: "POST",
    path: "/console/sessions",
    alsoNeeds: ["startPrivate"],
    form: { method: "email", name: "Carol", contact: "carol@example.test", via: "client" },
  },
  { permission: "hold", method: "POST", path: `${NO_SESSION}/hold` },
  { permission: "transfer", method: "GET", path: `${NO_SESSION}/transfer` },
  {
    permission: "transfer",
    method: "POST",
    path: `${NO_SESSION}/transfer`,
    form: { target: "group:00000000-0000-4000-8000-000000000001", note: "" },
  },
  {
    permission: "seeOtherTechnicians",
    method: "POST",
    path: `${NO_SESSION}/transfer`,
    alsoNeeds: ["transfer"],
    form: { target: "technician:00000000-0000-4000-8000-000000000001", note: "" },
  },
  {
    permission: "inlineEdit",
    method: "POST",
    path: `${NO_SESSION}/fields`,
    form: { customerName: "Carol" },
  },
  {
    permission: "chatToggle",
    method: "POST",
    path: `${NO_SESSION}/chat-enabled`,
    form: { enabled: "0" },
  },
  {
    permission: "pushUrls",
    method: "POST",
    path: `${NO_SESSION}/push-url`,
    form: { url: "https://example.test/" },
  },
  { permission: "sendFiles", method: "POST", path: `${NO_SESSION}/files` },
  // System information: with the permission and no agent there, the frame and views say so
  // (200) and the actions are refused with 409 — never a 403.
  {
    permission: "systemInfo",
    method: "GET",
    path: "/console/sessions/:session/system",
    session: true,
  },
  {
    permission: "systemInfo",
    method: "GET",
    path: "/console/sessions/:session/system/view/dashboard",
    session: true,
  },
  {
    permission: "systemInfo",
    method: "POST",
    path: "/console/sessions/:session/system/processes/end",
    form: { pid: "4242", force: "0" },
    session: true,
  },
  {
    permission: "systemInfo",
    method: "POST",
    path: "/console/sessions/:session/system/services/action",
    form: { unit: "cron.service", action: "restart" },
    session: true,
  },
  {
    permission: "systemInfo",
    method: "POST",
    path: "/console/sessions/:session/system/export",
    form: { format: "json" },
    session: true,
  },
  // Device information from the customer's browser (modules/device_info, SPEC M2).
  {
    permission: "mobileTools",
    method: "GET",
    path: "/console/sessions/:session/device",
    session: true,
  },
  {
    permission: "mobileTools",
    method: "GET",
    path: "/console/sessions/:session/device/board",
    session: true,
  },
  {
    permission: "mobileTools",
    method: "POST",
    path: "/console/sessions/:session/device/ask",
    session: true,
  },
  {
    permission: "mobileTools",
    method: "POST",
    path: "/console/sessions/:session/device/refresh",
    session: true,
  },
  // Tool consent (modules/remote tool_routes.ts): asking the customer for a tool needs its
  // permission; with it and no agent there, a 409.
  {
    permission: "fileManager",
    method: "POST",
    path: "/console/sessions/:session/agent/request",
    form: { capability: "files" },
    session: true,
  },
  {
    permission: "systemInfo",
    method: "POST",
    path: "/console/sessions/:session/agent/request",
    form: { capability: "systemInfo" },
    session: true,
  },
  // The file manager (docs/files_api.md): with the permission and no agent there, a 503.
  {
    permission: "fileManager",
    method: "GET",
    path: "/console/sessions/:session/file-manager-window",
    session: true,
  },
  {
    permission: "fileManager",
    method: "GET",
    path: "/console/sessions/:session/file-manager/roots",
    session: true,
  },
  {
    permission: "fileManager",
    method: "GET",
    path: "/console/sessions/:session/file-manager/list?path=%2F",
    session: true,
  },
  {
    permission: "fileManager",
    method: "GET",
    path: "/console/sessions/:session/file-manager/stat?path=%2F",
    session: true,
  },
  {
    permission: "fileManager",
    method: "GET",
    path: "/console/sessions/:session/file-manager/tree?path=%2F",
    session: true,
  },
  {
    permission: "fileManager",
    method: "GET",
    path: "/console/sessions/:session/file-manager/text?path=%2Fetc%2Fhostname",
    session: true,
  },
  {
    permission: "fileManager",
    method: "GET",
    path: "/console/sessions/:session/file-manager/hash?path=%2Fetc%2Fhostname",
    session: true,
  },
  {
    permission: "fileManager",
    method: "GET",
    path: "/console/sessions/:session/file-manager/transfers",
    session: true,
  },
  {
    permission: "fileManager",
    method: "GET",
    path: "/console/sessions/:session/file-manager/transfers/x",
    session: true,
  },
  {
    permission: "fileManager",
    method: "GET",
    path: "/console/sessions/:session/file-manager/transfers/x/data",
    session: true,
  },
  // An upload's data socket (a plain GET here, so "let through" ends short of the upgrade).
  {
    permission: "fileManager",
    method: "GET",
    path: "/console/sessions/:session/file-manager/transfers/x/socket",
    headers: { origin: "http://localhost" },
    session: true,
  },
  {
    permission: "fileManager",
    method: "GET",
    path: "/console/sessions/:session/file-manager/events",
    session: true,
  },
  {
    permission: "fileManager",
    method: "POST",
    path: "/console/sessions/:session/file-manager/mkdir",
    session: true,
  },
  {
    permission: "fileManager",
    method: "POST",
    path: "/console/sessions/:session/file-manager/rename",
    session: true,
  },
  {
    permission: "fileManager",
    method: "POST",
    path: "/console/sessions/:session/file-manager/delete",
    session: true,
  },
  {
    permission: "fileManager",
    method: "POST",
    path: "/console/sessions/:session/file-manager/text",
    session: true,
  },
  {
    permission: "fileManager",
    method: "POST",
    path: "/console/sessions/:session/file-manager/downloads",
    session: true,
  },
  {
    permission: "fileManager",
    method: "POST",
    path: "/console/sessions/:session/file-manager/uploads",
    session: true,
  },
  {
    permission: "fileManager",
    method: "POST",
    path: "/console/sessions/:session/file-manager/transfers/x/data",
    session: true,
  },
  {
    permission: "fileManager",
    method: "POST",
    path: "/console/sessions/:session/file-manager/transfers/x/commit",
    session: true,
  },
  {
    permission: "fileManager",
    method: "POST",
    path: "/console/sessions/:session/file-manager/transfers/x/cancel",
    session: true,
  },
  // Restarting the customer's computer: with the permission and no agent there, a 409.
  { permission: "reboot", method: "GET", path: "/console/sessions/:session/reboot", session: true },
  {
    permission: "reboot",
    method: "GET",
    path: "/console/sessions/:session/reboot/consent",
    session: true,
  },
  {
    permission: "reboot",
    method: "POST",
    path: "/console/sessions/:session/reboot/ask",
    session: true,
  },
  {
    permission: "reboot",
    method: "POST",
    path: "/console/sessions/:session/reboot",
    form: { mode: "normal" },
    session: true,
  },
  {
    permission: "unattendedAccess",
    method: "GET",
    path: "/console/sessions/:session/unattended",
    session: true,
  },
  {
    permission: "unattendedAccess",
    method: "POST",
    path: "/console/sessions/:session/unattended",
    form: { authMode: "ask_each_time", kind: "unlimited", zoneOf: "customer" },
    session: true,
  },
  {
    permission: "unattendedAccess",
    method: "POST",
    path: "/console/sessions/:session/service-mode",
    session: true,
  },
  {
    permission: "callingCard",
    method: "GET",
    path: "/console/sessions/:session/calling-card",
    session: true,
  },
  {
    permission: "callingCard",
    method: "POST",
    path: "/console/sessions/:session/calling-card",
    form: { cardId: "00000000-0000-0000-0000-000000000000", start: "now" },
    session: true,
  },
  // Computers (unattended access): with the permission, an unknown computer is a 404.
  { permission: "unattendedAccess", method: "GET", path: "/console/computers" },
  { permission: "unattendedAccess", method: "POST", path: `/console/computers/${NO_ID}/connect` },
  {
    permission: "unattendedAccess",
    method: "POST",
    path: `/console/computers/${NO_ID}/remove`,
    form: { scope: "me" },
  },
  { permission: "unattendedAccess", method: "POST", path: `/console/computers/${NO_ID}/approval` },
  {
    permission: "unattendedAccess",
    method: "POST",
    path: `/console/computers/approvals/${NO_ID}`,
    form: { decision: "approve" },
  },
  // LAN connect (SPEC C9) through a computer: with both permissions, an unknown one is a 404.
  {
    permission: "lanConnect",
    method: "GET",
    path: `/console/computers/${NO_ID}/lan`,
    alsoNeeds: ["unattendedAccess"],
  },
  {
    permission: "lanConnect",
    method: "POST",
    path: `/console/computers/${NO_ID}/lan/scan`,
    alsoNeeds: ["unattendedAccess"],
  },
  // Lens (modules/lens, SPEC M1): the page, starting and every action on the technician's
  // own session (with the permission and none running: 404, never 403).
  { permission: "lens", method: "GET", path: "/console/lens" },
  { permission: "lens", method: "POST", path: "/console/lens" },
  { permission: "lens", method: "POST", path: "/console/lens/end" },
  { permission: "lens", method: "GET", path: "/console/lens/events" },
  { permission: "lens", method: "POST", path: "/console/lens/peer" },
  { permission: "lens", method: "POST", path: "/console/lens/peer/1/answer" },
  { permission: "lens", method: "POST", path: "/console/lens/draw" },
  { permission: "lens", method: "POST", path: "/console/lens/clear" },
  { permission: "lens", method: "POST", path: "/console/lens/freeze" },
  { permission: "lens", method: "POST", path: "/console/lens/record" },
  // Sending the Lens link needs the group's way too (modules/lens invite.ts).
  {
    permission: "lens",
    method: "POST",
    path: "/console/lens/invite",
    alsoNeeds: ["methodEmail"],
    form: { via: "email", email: "carla@example.test" },
  },
  {
    permission: "methodEmail",
    method: "POST",
    path: "/console/lens/invite",
    alsoNeeds: ["lens"],
    form: { via: "email", email: "carla@example.test" },
  },
  {
    permission: "methodSms",
    method: "POST",
    path: "/console/lens/invite",
    alsoNeeds: ["lens"],
    form: { via: "sms", phone: "+31612345678" },
  },
  // External technicians: the invite dialog (the lead of an Active session) and an
  // invitation of someone not on the approved list.
  {
    permission: "inviteExternal",
    method: "GET",
    path: "/console/sessions/:session/external",
    session: true,
  },
  {
    permission: "inviteExternalUnlisted",
    method: "POST",
    path: "/console/sessions/:session/external",
    alsoNeeds: ["inviteExternal"],
    form: { name: "Xavier", email: "xavier@partner.test", method: "link", minutes: "60" },
    session: true,
  },
  {
    permission: "screenshots",
    method: "POST",
    path: "/console/sessions/:session/remote/screenshot",
    session: true,
  },
  // The technician's own screen shown to the customer (modules/remote present_routes.tsx).
  {
    permission: "shareScreen",
    method: "GET",
    path: "/console/sessions/:session/present",
    session: true,
  },
  {
    permission: "shareScreen",
    method: "POST",
    path: "/console/sessions/:session/present/stop",
    session: true,
  },
  // Recording where the group lets technicians choose (modules/recording policy.ts).
  {
    permission: "recordSessions",
    method: "POST",
    path: "/console/sessions/:session/recording/start",
    session: true,
    settings: { recordingPolicy: "optional" },
  },
  // Internal collaboration: the Invite technician dialog and its post (a colleague who does
  // not exist is refused, not forbidden). The lead's other buttons check the lead's row.
  {
    permission: "inviteInternal",
    method: "GET",
    path: "/console/sessions/:session/invite",
    session: true,
  },
  {
    permission: "inviteInternal",
    method: "POST",
    path: "/console/sessions/:session/invite",
    form: { userId: NO_ID },
    alsoNeeds: ["seeOtherTechnicians"],
    session: true,
  },
  // The viewer socket (a plain GET here, so "let through" ends short of the upgrade):
  // either permission alone opens it, remoteControl including the picture.
  {
    permission: "desktopView",
    method: "GET",
    path: "/console/sessions/:session/remote/ws",
    headers: { origin: "http://localhost" },
    session: true,
  },
  {
    permission: "remoteControl",
    method: "GET",
    path: "/console/sessions/:session/remote/ws",
    headers: { origin: "http://localhost" },
    session: true,
  },
  // Scripts: the technician's own library, and a session's Scripts tab and runs (either
  // scripts permission opens the tab; a run needs the one of its script's library).
  { permission: "scriptsDeploy", method: "GET", path: "/console/scripts" },
  { permission: "scriptsDeploy", method: "GET", path: "/console/scripts/export" },
  { permission: "scriptsDeploy", method: "POST", path: "/console/scripts", form: { name: "x" } },
  {
    permission: "scriptsDeploy",
    method: "POST",
    path: "/console/scripts/import",
    form: { mode: "add" },
  },
  { permission: "scriptsDeploy", method: "POST", path: `/console/scripts/${NO_ID}`, form: {} },
  { permission: "scriptsDeploy", method: "POST", path: `/console/scripts/${NO_ID}/delete` },
  {
    permission: "scriptsDeploy",
    method: "POST",
    path: `/console/scripts/${NO_ID}/move`,
    form: { direction: "up" },
  },
  {
    permission: "scriptsDeploy",
    method: "POST",
    path: `/console/scripts/${NO_ID}/favourite`,
    form: { favourite: "1" },
  },
  {
    permission: "scriptsDeploy",
    method: "GET",
    path: "/console/sessions/:session/scripts",
    session: true,
  },
  {
    permission: "scriptsNested",
    method: "GET",
    path: "/console/sessions/:session/scripts",
    session: true,
  },
  {
    permission: "scriptsDeploy",
    method: "POST",
    path: "/console/sessions/:session/scripts/ask",
    session: true,
  },
  {
    permission: "scriptsDeploy",
    method: "POST",
    path: "/console/sessions/:session/scripts/run",
    form: { script: NO_ID },
    session: true,
  },
  {
    permission: "scriptsNested",
    method: "POST",
    path: "/console/sessions/:session/scripts/run",
    form: { script: NO_ID },
    session: true,
  },
  {
    permission: "scriptsDeploy",
    method: "GET",
    path: `${NO_SESSION}/scripts/runs/${NO_ID}/events`,
  },
  {
    permission: "scriptsNested",
    method: "POST",
    path: `${NO_SESSION}/scripts/runs/${NO_ID}/stop`,
  },
  {
    permission: "scriptsDeploy",
    method: "GET",
    path: `${NO_SESSION}/scripts/runs/${NO_ID}/output`,
  },
];

Deno.test("every available permission guards an endpoint in the table, no unavailable one", () => {
  for (const p of PERMISSIONS) {
    const guarded = TABLE.some((row) => row.permission === p.id);
    if (p.available) assert.ok(guarded, `${p.id} is available but guards nothing in the table`);
    else assert.ok(!guarded, `${p.id} guards an endpoint: mark it available`);
  }
});

/** What the CSRF check's 403 says (en.json errors.csrf). */
const CSRF_REFUSAL = "This form has expired or did not come from this site";

/** A session `person` works for `row` (`:session` in its path). */
async function sessionFor(
  t: TestApp,
  row: GuardedEndpoint,
  person: typeof users.$inferSelect,
  groupId: string,
): Promise<string> {
  // Starting the session is not what is tested: the service call gets those rights itself.
  // A row that sets its group's settings makes the session that group's, so they apply.
  const tech = {
    ...toCurrentUser(person),
    ...(row.settings ? { groupId } : {}),
    permissions: new Set<Permission>(["startPrivate", "methodLink"]),
  };
  return (await workingSession(t, tech)).id;
}

Deno.test("a technician without the permission is refused on each guarded endpoint, with it let through", async () => {
  const t = await startTestApp();
  try {
    /** A signed-in technician in a new group with `permissions` (and the row's settings). */
    const signedIn = async (row: GuardedEndpoint, permissions: Permission[]) => {
      const group = await makeGroup(t, { permissions });
      if (row.settings) {
        await t.deps.db.update(technicianGroups)
          .set({ settings: { ...defaultGroupSettings(), ...row.settings } })
          .where(eq(technicianGroups.id, group.id));
      }
      const person = await makePerson(t, { groupId: group.id });
      const browser = t.client();
      assert.equal((await browser.signIn(person.email, TECH_PASSWORD)).status, 303);
      return { group, person, browser, session: undefined as Promise<string> | undefined };
    };
    /**
     * The technicians refused: one per set of other permissions and settings, with one session
     * of theirs, shared by the rows refused to them — a refused request changes nothing, and
     * one that is let through fails the test anyway. Each row let through gets a technician
     * and session of its own (what it does may change them).
     */
    const refused = new Map<string, Awaited<ReturnType<typeof signedIn>>>();
    for (const row of TABLE) {
      for (const granted of [false, true]) {
        const permissions = [...(row.alsoNeeds ?? []), ...(granted ? [row.permission] : [])];
        const key = JSON.stringify([[...permissions].sort(), row.settings ?? {}]);
        let tech = granted ? undefined : refused.get(key);
        if (!tech) {
          tech = await signedIn(row, permissions);
          if (!granted) refused.set(key, tech);
        }
        const { group, person, browser } = tech;
        if (row.session) tech.session ??= sessionFor(t, row, person, group.id);
        const path = row.session ? row.path.replace(":session", await tech.session!) : row.path;
        const res = row.method === "GET"
          ? await browser.get(path, row.headers)
          : await browser.post(path, row.form, row.headers);
        const label = `${row.method} ${row.path} ${granted ? "with" : "without"} ${row.permission}`;
        if (granted) assert.notEqual(res.status, 403, label);
        else {
          assert.equal(res.status, 403, label);
          // Refused for the permission, not as a form from elsewhere (the CSRF check's 403).
          assert.ok(!(await res.text()).includes(CSRF_REFUSAL), `${label}: refused by CSRF`);
        }
      }
    }
  } finally {
    await t.close();
  }
});

/**
 * An external technician's tools (modules/external) are the technicians' own session routes
 * mounted again under /x, so its rows are the table's: the file manager's, system
 * information's (but the export, which saves into the organisation's files: never a
 * guest's) and the tool consent it asks with. What counts is its invitation's set — its
 * inviter's group holds every permission here.
 */
const GUEST_TABLE: GuardedEndpoint[] = TABLE
  .filter((row) => /^\/console\/sessions\/:session\/(file-manager\/|system|agent\/)/.test(row.path))
  .filter((row) => !row.path.endsWith("/system/export"))
  .map((row) => ({ ...row, path: `/x${row.path}` }));

Deno.test("an external technician without the permission in its invitation's set is refused on each of its routes under /x, with it let through", async () => {
  const t = await startTestApp();
  try {
    const lead = await technician(t, {
      permissions: [...defaultPermissions(), "inviteExternal", "inviteExternalUnlisted"],
    });
    const leadClient = t.client();
    assert.equal((await leadClient.signIn(lead.email, TECH_PASSWORD)).status, 303);
    const session = await workingSession(t, lead);
    await leadClient.get("/console");
    const guests = new Map<string, ReturnType<TestApp["client"]>>();
    /** A guest invited with `permission` alone (one per permission, kept). */
    const guestWith = async (permission: Permission) => {
      const known = guests.get(permission);
      if (known) return known;
      const invited = await leadClient.post(`/console/sessions/${session.id}/external`, {
        name: `Guest ${permission}`,
        email: "guest@partner.test",
        method: "link",
        minutes: "60",
        permissions: permission,
      }, { "hx-request": "true" });
      const html = await invited.text();
      const link = /value="(http[^"]+\/x\/join\/[^"]+)"/.exec(html);
      assert.ok(link, html);
      const guest = t.client();
      assert.equal((await guest.get(new URL(link[1]).pathname)).status, 303);
      guests.set(permission, guest);
      return guest;
    };
    assert.ok(GUEST_TABLE.length >= 20, `${GUEST_TABLE.length} guest rows`);
    for (const row of GUEST_TABLE) {
      for (const granted of [false, true]) {
        // Without it: a guest holding the other tool, so it is this permission that counts.
        const other: Permission = row.permission === "fileManager" ? "systemInfo" : "fileManager";
        const guest = await guestWith(granted ? row.permission : other);
        const path = row.path.replace(":session", session.id);
        const res = row.method === "GET"
          ? await guest.get(path, row.headers)
          : await guest.post(path, row.form, row.headers);
        const label = `guest ${row.method} ${row.path} ${
          granted ? "with" : "without"
        } ${row.permission}`;
        if (granted) assert.notEqual(res.status, 403, label);
        else assert.equal(res.status, 403, label);
      }
    }
  } finally {
    await t.close();
  }
});
