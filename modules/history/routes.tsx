/**
 * `/console/history` (SPEC T5): search past chats and notes, a session's record (and its
 * files), and the History tab a session's workspace loads. Every page reads through
 * `visibleSessions`: what the technician may not see is "not found".
 */
import { and, asc, eq, inArray } from "drizzle-orm";
import { Hono } from "hono";
import { users } from "../auth/mod.ts";
import { listChannels } from "../channels/mod.ts";
import { attachmentDisposition } from "../files/mod.ts";
import { type AppEnv, type AuthedEnv, requireUser } from "../http/mod.ts";
import { groupMembers, listGroups } from "../org/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import { openFile, queueEntries } from "../support/mod.ts";
import { partDeleteAnswer, partFileAnswer } from "../recording/mod.ts";
import { SearchQuerySchema, searchSessions } from "./search.ts";
import { type SearchChoices, SearchPage } from "./search_views.tsx";
import { readableSession, sessionHistory, sessionRecord } from "./service.ts";
import { historyScope } from "./visibility.ts";
import { HistoryTab, RecordPage } from "./views.tsx";
import type { Context } from "hono";

type C = Context<AuthedEnv>;

export const historyRoutes = new Hono<AppEnv>()
  .use("*", requireUser())
  .get("/", async (c) => {
    const raw = c.req.query();
    const parsed = SearchQuerySchema.safeParse(raw);
    const choices = await searchChoices(c);
    if (!parsed.success) {
      const query = SearchQuerySchema.parse({});
      const error = c.get("t")("history.search.badQuery");
      return c.html(
        <SearchPage c={c} query={query} choices={choices} error={error} tzDefaulted={!raw.tz} />,
        422,
      );
    }
    const query = parsed.data;
    // The form sent (its fields there, even all empty: "leave the words empty to list sessions
    // by the filters alone" — every session the reader may see, newest first). The time zone
    // alone is no search: it only says how to read the days.
    const asked = Object.keys(raw).some((k) => k !== "tz");
    const results = asked ? await searchSessions(c.get("deps"), c.get("user"), query) : undefined;
    return c.html(
      <SearchPage
        c={c}
        query={query}
        choices={choices}
        results={results}
        tzDefaulted={!raw.tz}
      />,
    );
  })
  .get("/session/:id", async (c) => {
    const record = await sessionRecord(c.get("deps"), c.get("user"), c.req.param("id"));
    return c.html(<RecordPage c={c} record={record} />);
  })
  .get("/session/:id/files/:fileId", async (c) => {
    const deps = c.get("deps");
    const session = await readableSession(deps, c.get("user"), c.req.param("id"));
    const fileId = c.req.param("fileId");
    const opened = await openFile(deps, session.id, fileId, "to_technician") ??
      await openFile(deps, session.id, fileId, "to_customer");
    if (!opened) throw new Refusal(404, "workspace.fileNotFound");
    return c.body(opened.body, 200, {
      "content-type": opened.file.contentType,
      "content-length": String(opened.size),
      "content-disposition": attachmentDisposition(opened.file.name),
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    });
  })
  // A recording's part: whoever may read the session's record may download it (audited).
  .get("/session/:id/recordings/:recordingId", async (c) => {
    const user = c.get("user");
    const session = await readableSession(c.get("deps"), user, c.req.param("id"));
    return await partFileAnswer(
      c,
      { ...session, kind: "session" },
      user,
      c.req.param("recordingId"),
    );
  })
  // An admin who may read the session deletes a finished part (asked first on the page).
  .post("/session/:id/recordings/:recordingId/delete", async (c) => {
    const user = c.get("user");
    const session = await readableSession(c.get("deps"), user, c.req.param("id"));
    return await partDeleteAnswer(
      c,
      { ...session, kind: "session" },
      user,
      c.req.param("recordingId"),
      `/console/history/session/${session.id}`,
    );
  })
  .get("/tab/:id", async (c) => {
    c.header("Vary", "HX-Request");
    const id = c.req.param("id");
    const found = await sessionHistory(c.get("deps"), c.get("user"), id).catch(async (error) => {
      // A session this technician worked and just lost (passed on, taken back): its open
      // workspace may still ask for the tab. It says so instead of failing; one never theirs
      // stays "not found".
      if (!(error instanceof Refusal) || error.status !== 404) throw error;
      if (!/^[0-9a-f-]{36}$/.test(id)) throw error;
      const [had] = await c.get("deps").db.select({ id: queueEntries.id }).from(queueEntries)
        .where(and(eq(queueEntries.sessionId, id), eq(queueEntries.userId, c.get("user").id)))
        .limit(1);
      if (!had) throw error;
      return null;
    });
    if (!found) {
      return c.html(<p class="muted" id="history-tab-gone">{c.get("t")("history.tabGone")}</p>);
    }
    return c.html(<HistoryTab t={c.get("t")} past={found.past} />);
  });

/**
 * The filters' choices: the groups and technicians whose sessions the person may see (all
 * for the master admin; its own and managed groups otherwise), and the channels.
 */
async function searchChoices(c: C): Promise<SearchChoices> {
  const { db } = c.get("deps");
  const user = c.get("user");
  const scope = await historyScope(db, user);
  const [groups, channels] = await Promise.all([
    listGroups(db, user.orgId),
    listChannels(db, user.orgId),
  ]);
  const visibleGroups = scope.all ? groups : groups.filter((g) => scope.groupIds.includes(g.id));
  const people = scope.all
    ? await db.select({ id: users.id, name: users.name }).from(users)
      .where(eq(users.orgId, user.orgId)).orderBy(asc(users.name))
    : visibleGroups.length === 0
    ? [{ id: user.id, name: user.name }]
    : await db.select({ id: users.id, name: users.name }).from(users)
      .innerJoin(groupMembers, eq(groupMembers.userId, users.id))
      .where(and(
        eq(users.orgId, user.orgId),
        inArray(groupMembers.groupId, visibleGroups.map((g) => g.id)),
      )).orderBy(asc(users.name));
  if (!people.some((p) => p.id === user.id)) people.unshift({ id: user.id, name: user.name });
  return {
    technicians: people,
    groups: visibleGroups.map((g) => ({ id: g.id, name: g.name })),
    channels: channels.map((ch) => ({ id: ch.id, name: ch.name })),
  };
}
