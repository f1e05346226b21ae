import { Hono } from "hono";
import type { Context } from "hono";
import type { Database } from "../db/mod.ts";
import {
  accountLockedUntil,
  type ExternalSignIn,
  getOrganisation,
  usersWithLiveSession,
} from "../auth/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import { type AppEnv, type AuthedEnv, changeContext, readForm, requireRole } from "../http/mod.ts";
import { listGroups, managedGroupIds } from "./groups.ts";
import { accessChanged } from "./rights.ts";
import { sendPasswordResetLink, whyNoResetLink } from "./password_reset.ts";
import type { Presence } from "./status.ts";
import {
  changeablePerson,
  createInvitationLink,
  invitationLiveUntil,
  inviteUser,
  listPeople,
  moveToGroup,
  renamePerson,
  resetTwoFactor,
  setActive,
  unlockSignIn,
} from "./technicians.ts";
import { type InviteDraft, PeoplePage, type PersonRow, PresenceBadge } from "./views_people.tsx";
import {
  DeactivatePage,
  PersonPage,
  type PersonView,
  ResetTwoFactorPage,
  SendResetLinkPage,
} from "./views_person.tsx";

type C = Context<AuthedEnv>;

/**
 * Everyone's presence in some groups (SPEC A5). Busy counts the sessions each one works,
 * which modules/support keeps (built on this module): the composition passes its
 * `presenceOf`, so the People page says what the console and the monitoring page say.
 */
export type PresenceSource = (
  db: Database,
  groupIds: readonly string[],
  now: Date,
) => Promise<Map<string, Presence>>;

/**
 * `/admin/technicians`: the People page (invite, deactivate, move) and each person's page
 * (display name, two-step verification reset, a password reset link, for someone invited a
 * link to hand over). Every change answers with a redirect, so a reload repeats nothing — but
 * the invitation link, shown once in the answer itself. `external`: single sign-on, which may have
 * password sign-in off (then a reset link would not let the person in).
 */
export const peopleRoutes = (presenceOf: PresenceSource, external?: ExternalSignIn) =>
  new Hono<AppEnv>()
    .use("*", requireRole("master_admin", "admin"))
    .get("/", async (c) => c.html(await peoplePage(c, presenceOf, await invitedNotice(c))))
    .get("/presence", async (c) => {
      const people = await peopleRows(c, presenceOf);
      return c.html(<>{people.map((p) => <PresenceBadge c={c} person={p} oob />)}</>);
    })
    .post("/invite", async (c) => {
      const form = await readForm(c);
      const draft = {
        email: form.email ?? "",
        name: form.name ?? "",
        role: form.role === "admin" ? "admin" as const : "technician" as const,
        groupId: form.groupId ?? "",
      };
      try {
        const { user } = await inviteUser(c.get("deps"), draft, {
          ...changeContext(c),
          t: c.get("t"),
        });
        // Post/Redirect/Get: reloading the confirmation must not send the invitation again.
        return c.redirect(`/admin/technicians?invited=${user.id}`, 303);
      } catch (error) {
        if (!(error instanceof Refusal) || error.status === 403) throw error;
        // The form keeps what was typed, so the admin corrects it instead of typing it again.
        const message = c.get("t")(error.key, error.params);
        return c.html(await peoplePage(c, presenceOf, { error: message, draft }), error.status);
      }
    })
    .get("/:id", async (c) => {
      const person = await personView(c, external);
      const notice = c.req.query("reset") === "1"
        ? c.get("t")("org.twoFactorWasReset", { name: person.name })
        : c.req.query("no2fa") === "1"
        ? c.get("t")("org.noTwoFactorToReset", { name: person.name })
        : c.req.query("unlocked") === "1"
        ? c.get("t")("org.unlocked", { name: person.name })
        : c.req.query("resetLink") === "1"
        ? c.get("t")(c.get("deps").config.smtpUrl ? "reset.adminSent" : "reset.adminHeld", {
          email: person.email,
        })
        : c.req.query("saved") === "1"
        ? c.get("t")("common.saved")
        : undefined;
      return c.html(<PersonPage c={c} person={person} notice={notice} />);
    })
    .post("/:id/invitation-link", async (c) => {
      try {
        const made = await createInvitationLink(
          c.get("deps"),
          c.req.param("id"),
          changeContext(c),
        );
        // Shown this once: the answer to the POST, kept by no cache (a reload asks to post
        // again, which makes another link — the earlier ones keep working until one is used).
        c.header("cache-control", "no-store");
        const person = await personView(c, external);
        return c.html(<PersonPage c={c} person={person} madeLink={made} />);
      } catch (error) {
        if (!(error instanceof Refusal) || error.status !== 409) throw error;
        const message = c.get("t")(error.key, error.params);
        const person = await personView(c, external);
        return c.html(<PersonPage c={c} person={person} error={message} />, 409);
      }
    })
    .post("/:id/name", async (c) => {
      const form = await readForm(c);
      const name = form.name ?? "";
      try {
        await renamePerson(c.get("deps").db, c.req.param("id"), name, changeContext(c));
      } catch (error) {
        if (!(error instanceof Refusal) || error.status !== 422) throw error;
        const message = c.get("t")(error.key, error.params);
        const person = await personView(c, external);
        return c.html(<PersonPage c={c} person={person} error={message} draftName={name} />, 422);
      }
      return c.redirect(`/admin/technicians/${c.req.param("id")}?saved=1`, 303);
    })
    .get("/:id/2fa/reset", async (c) => {
      const person = await personView(c, external);
      const { db } = c.get("deps");
      const org = await getOrganisation(db, c.get("user").orgId);
      const required = org?.require2fa === true;
      // Opened by URL (the page offers no Reset then): back to the person, saying why.
      if (!person.twoFactorSince) {
        return c.redirect(`/admin/technicians/${person.id}?no2fa=1`, 303);
      }
      return c.html(<ResetTwoFactorPage c={c} person={person} required={required} />);
    })
    .post("/:id/2fa/reset", async (c) => {
      await resetTwoFactor(c.get("deps").db, c.req.param("id"), changeContext(c));
      // Connections opened from the ended sign-ins (a remote view) close at once.
      accessChanged(c, c.req.param("id"));
      return c.redirect(`/admin/technicians/${c.req.param("id")}?reset=1`, 303);
    })
    .get(
      "/:id/password-reset",
      async (c) => c.html(<SendResetLinkPage c={c} person={await personView(c, external)} />),
    )
    .post("/:id/password-reset", async (c) => {
      await sendPasswordResetLink(c.get("deps"), c.req.param("id"), {
        ...changeContext(c),
        language: c.get("lang"),
        external,
      });
      return c.redirect(`/admin/technicians/${c.req.param("id")}?resetLink=1`, 303);
    })
    .post("/:id/unlock", async (c) => {
      await unlockSignIn(c.get("deps").db, c.req.param("id"), changeContext(c));
      return c.redirect(`/admin/technicians/${c.req.param("id")}?unlocked=1`, 303);
    })
    .get(
      "/:id/deactivate",
      async (c) => c.html(<DeactivatePage c={c} person={await personView(c, external)} />),
    )
    .post("/:id/deactivate", async (c) => {
      await setActive(c.get("deps").db, c.req.param("id"), false, changeContext(c));
      accessChanged(c, c.req.param("id"));
      return c.redirect("/admin/technicians", 303);
    })
    .post("/:id/reactivate", async (c) => {
      await setActive(c.get("deps").db, c.req.param("id"), true, changeContext(c));
      return c.redirect("/admin/technicians", 303);
    })
    .post("/:id/group", async (c) => {
      const form = await readForm(c);
      await moveToGroup(c.get("deps").db, c.req.param("id"), form.groupId ?? "", changeContext(c));
      accessChanged(c, c.req.param("id"));
      return c.redirect("/admin/technicians", 303);
    });

/** The person `:id` names, if this admin may change them (else 403 or 404). */
async function personView(c: C, external?: ExternalSignIn): Promise<PersonView> {
  const { db } = c.get("deps");
  const person = await changeablePerson(db, changeContext(c), c.req.param("id")!);
  const [row] = (await listPeople(db, c.get("user"))).filter((r) => r.user.id === person.id);
  const groups = await listGroups(db, c.get("user").orgId);
  return {
    id: person.id,
    name: person.name,
    email: person.email,
    role: person.role,
    groupName: groups.find((g) => g.id === row?.groupId)?.name ?? null,
    twoFactorSince: person.totpEnabledAt,
    lockedUntil: await accountLockedUntil(db, person.email, c.get("deps").clock.now()),
    noResetLink: await whyNoResetLink(db, person, external).then((refused) =>
      refused && c.get("t")(refused.key, refused.params)
    ),
    ...(person.passwordHash === null && person.active
      ? {
        invitation: {
          until: await invitationLiveUntil(db, person.id, c.get("deps").clock.now()),
        },
      }
      : {}),
  };
}

/** After an invitation's redirect: who it went to, if that is someone this admin sees. */
async function invitedNotice(c: C) {
  const id = c.req.query("invited");
  if (!id) return {};
  const people = await listPeople(c.get("deps").db, c.get("user"));
  const invited = people.find((p) => p.user.id === id);
  if (!invited) return {};
  // Without outgoing mail the invitation waits in Messages: saying "sent" would not be true.
  if (c.get("deps").config.smtpUrl) {
    return { notice: c.get("t")("org.invitationSent", { email: invited.user.email }) };
  }
  // …and the admin may hand over a link themselves instead (the person's page makes one).
  return {
    notice: c.get("t")("org.invitationHeld", { email: invited.user.email }),
    heldFor: { id: invited.user.id, name: invited.user.name },
  };
}

async function peopleRows(c: C, presenceOf: PresenceSource): Promise<PersonRow[]> {
  const { db, clock } = c.get("deps");
  const now = clock.now();
  const rows = await listPeople(db, c.get("user"));
  const groupIds = new Set(rows.flatMap((r) => r.groupId ? [r.groupId] : []));
  const presence = await presenceOf(db, [...groupIds], now);
  const live = await usersWithLiveSession(db, rows.map((r) => r.user.id), now);
  return rows.map(({ user, groupId }) => ({
    id: user.id,
    name: user.name,
    email: user.email,
    role: user.role,
    active: user.active,
    invited: user.passwordHash === null,
    groupId,
    presence: groupId
      ? presence.get(user.id) ?? "offline"
      : (live.has(user.id) ? "online" : "offline"),
  }));
}

async function peoplePage(
  c: C,
  presenceOf: PresenceSource,
  flash: {
    error?: string;
    notice?: string;
    heldFor?: { id: string; name: string };
    draft?: InviteDraft;
  } = {},
) {
  const { db } = c.get("deps");
  const managed = await managedGroupIds(db, c.get("user"));
  const groups = (await listGroups(db, c.get("user").orgId)).filter((g) => managed.has(g.id));
  const people = await peopleRows(c, presenceOf);
  return <PeoplePage c={c} people={people} groups={groups} {...flash} />;
}
