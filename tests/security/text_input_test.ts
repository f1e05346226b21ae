// Longer than most files: one table-driven suite over every door it guards, kept together so a new door is added in one place.
// Issue 11 regression suite: invalid UTF-8 and control characters on every text input.
// Every text field of every form (customer, technician, admin) and of the JSON API gets
// raw bytes a browser would never send — invalid and overlong UTF-8, encoded surrogates,
// NUL, C0 and C1 controls, bidi overrides — as url-encoded and as multipart bodies. Each
// answer is a clear 4xx or a success; never a 500; the app answers the next request; and
// nothing stored anywhere holds a NUL, a C0/C1 control or a bidi override afterwards.
import assert from "node:assert/strict";
import { sql } from "drizzle-orm";
import {
  createPrivateSession,
  customerConnected,
  findByToken,
  startSession,
} from "../../modules/support/mod.ts";
import { ADMIN, type TestApp, type TestClient, withTestApp } from "../support/app.ts";
import { TECH_PASSWORD } from "../support/org.ts";
import { technician } from "../support/sessions.ts";
import { makeGroup } from "../support/org.ts";

/** Form values as raw percent-encoded bytes (what the body carries, unescaped by nobody). */
export const RAW_VALUES: Record<string, string> = {
  "invalid UTF-8": "A%FF%FEB",
  "lone continuation bytes": "A%80%BFB",
  "overlong /": "A%C0%AFB",
  "overlong NUL": "A%C0%80B",
  "truncated sequence": "A%E2%82B",
  "encoded surrogate (CESU)": "A%ED%A0%80B",
  "NUL": "A%00B",
  "only NUL": "%00",
  "C0 controls": "A%01%07%08%0B%0C%1B%1FB",
  "DEL and C1 controls": "A%7F%C2%80%C2%85%C2%9B%C2%9FB",
  "bidi override": "A%E2%80%AEtxt.exe",
  "bidi isolates and embeddings": "%E2%81%A6A%E2%81%A9%E2%80%AAB%E2%80%AC",
  "BOM and zero width": "%EF%BB%BFA%E2%80%8BB",
  "CR LF and tab": "A%0D%0A%09B",
};

/** The same damage inside JSON strings: escapes and raw bytes. */
const JSON_VALUES: Record<string, string | Uint8Array> = {
  "NUL escape": "A\\u0000B",
  "lone high surrogate": "A\\uD800B",
  "lone low surrogate": "A\\uDC00B",
  "reversed pair": "A\\uDC00\\uD800B",
  "C0 escapes": "A\\u0001\\u001b\\u001fB",
  "C1 and DEL": "A\\u007f\\u0085\\u009bB",
  "bidi override": "A\\u202etxt.exe",
  "raw invalid UTF-8": new Uint8Array([0x41, 0xff, 0xfe, 0x42]),
  "raw overlong": new Uint8Array([0x41, 0xc0, 0xaf, 0x42]),
  "raw NUL byte": new Uint8Array([0x41, 0x00, 0x42]),
};

/** Characters nothing stored may hold afterwards (TAB, LF and CR are text). */
const FORBIDDEN_SQL = "[\\x01-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f\\u202a-\\u202e\\u2066-\\u2069]";

function rawBytes(encoded: string): Uint8Array {
  const bytes: number[] = [];
  for (let i = 0; i < encoded.length; i++) {
    if (encoded[i] === "%") {
      bytes.push(parseInt(encoded.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...new TextEncoder().encode(encoded[i]));
  }
  return new Uint8Array(bytes);
}

/** A form with `fuzzed` fields carrying `raw` bytes, url-encoded or multipart. */
/** The parts one after another, as one body. */
function concatBytes(parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const body = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) body.set(p, (at += p.length) - p.length);
  return body;
}

async function postRaw(
  client: TestClient,
  path: string,
  fields: Record<string, string>,
  fuzzed: string[],
  raw: string,
  multipart: boolean,
  headers: Record<string, string> = {},
): Promise<Response> {
  const plain = { _csrf: client.csrf, ...fields };
  for (const name of fuzzed) delete (plain as Record<string, string>)[name];
  if (!multipart) {
    const body = [
      new URLSearchParams(plain).toString(),
      ...fuzzed.map((name) => `${encodeURIComponent(name)}=${raw}`),
    ].join("&");
    return await client.send(path, {
      method: "POST",
      body,
      headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    });
  }
  const boundary = "----fuzz7MA4YWxkTrZu0gW";
  const parts: Uint8Array[] = [];
  const text = (s: string) => parts.push(new TextEncoder().encode(s));
  const part = (name: string) =>
    text(`--${boundary}\r\ncontent-disposition: form-data; name="${name}"\r\n\r\n`);
  for (const [name, value] of Object.entries(plain)) {
    part(name);
    text(`${value}\r\n`);
  }
  for (const name of fuzzed) {
    part(name);
    parts.push(rawBytes(raw));
    text("\r\n");
  }
  text(`--${boundary}--\r\n`);
  const body = concatBytes(parts);
  return await client.send(path, {
    method: "POST",
    body,
    headers: { "content-type": `multipart/form-data; boundary=${boundary}`, ...headers },
  });
}

interface World {
  t: TestApp;
  admin: TestClient;
  tech: TestClient;
  customer: TestClient;
  visitor: TestClient;
  groupId: string;
  techId: string;
  sessionId: string;
  token: string;
  slug: string;
  fieldId: string;
  bearer: string;
  apiSessionId: string;
}

async function buildWorld(t: TestApp): Promise<World> {
  const admin = t.client();
  await admin.signIn(ADMIN.email, ADMIN.password);
  await admin.get("/console");
  const group = await makeGroup(t, { name: "Fuzz group" });
  const user = await technician(t, { groupId: group.id });
  const tech = t.client();
  await tech.signIn(user.email, TECH_PASSWORD);
  await tech.get("/console");
  const created = await createPrivateSession(t.deps, user, {
    method: "link",
    customerName: "Carol",
    fields: {},
  });
  const session = (await findByToken(t.deps, created.session.token))!;
  await customerConnected(t.deps, session);
  await startSession(t.deps, user, session.id);
  const customer = t.client();
  await customer.get(`/s/${session.token}`);

  // A custom field and a channel serving the group, for the public channel form.
  await admin.get("/admin/fields");
  assert.equal(
    (await admin.post("/admin/fields", { label: "Serial", maxLength: "50" })).status,
    303,
  );
  const fieldPage = await (await admin.get("/admin/fields")).text();
  const fieldId = /name="field_([0-9a-f-]{36})"|\/admin\/fields\/([0-9a-f-]{36})/.exec(fieldPage);
  await admin.get("/admin/channels/new");
  const channel = await admin.post("/admin/channels", {
    name: "Helpdesk",
    active: "on",
    [`group_${group.id}`]: "on",
    timeZone: "UTC",
    unavailableAction: "message",
    unavailableMessage: "Closed",
    ...(fieldId ? { [`field_${fieldId[1] ?? fieldId[2]}`]: "optional" } : {}),
  });
  assert.equal(channel.status, 303, "the channel is created");
  const channelPage = await (await admin.get(channel.headers.get("location")!)).text();
  const slug = /\/c\/([a-z0-9-]+)/.exec(channelPage)?.[1] ?? "helpdesk";
  const visitor = t.client();
  await visitor.get(`/c/${slug}`);

  const issued = await t.app.request("/api/v1/auth/token", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: ADMIN.email, password: ADMIN.password, name: "fuzz" }),
  });
  assert.equal(issued.status, 201, "an API token is issued");
  const bearer = (await issued.json()).token;
  const apiSession = await t.app.request("/api/v1/sessions", {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${bearer}` },
    body: JSON.stringify({ method: "link", customerName: "Dave" }),
  });
  assert.equal(apiSession.status, 201, "an API session is created");
  const apiSessionId = (await apiSession.json()).id;
  return {
    t,
    admin,
    tech,
    customer,
    visitor,
    groupId: group.id,
    techId: user.id,
    sessionId: session.id,
    token: session.token,
    slug,
    fieldId: fieldId?.[1] ?? fieldId?.[2] ?? "",
    bearer,
    apiSessionId,
  };
}

interface FormCase {
  label: string;
  /** Who posts it: a fresh client, or one of the world's. */
  as: "fresh" | "visitor" | "customer" | "tech" | "admin";
  path: (w: World) => string;
  /** The damaged fields. */
  fuzzed: string[] | ((w: World) => string[]);
  /** Fields sent as they are, next to the damaged ones. */
  fields?: (w: World) => Record<string, string>;
  headers?: Record<string, string>;
}

/** A form the technician posts about the session they work (`/console/sessions/:id/…`). */
const sessionForm = (label: string, route: string, fuzzed: string[]): FormCase => ({
  label,
  as: "tech",
  path: (w) => `/console/sessions/${w.sessionId}/${route}`,
  fuzzed,
});

const FORMS: FormCase[] = [
  {
    label: "sign-in e-mail and password",
    as: "fresh",
    path: () => "/signin",
    fuzzed: ["email", "password"],
  },
  { label: "PIN", as: "visitor", path: () => "/pin", fuzzed: ["pin"] },
  { label: "customer chat", as: "customer", path: (w) => `/s/${w.token}/chat`, fuzzed: ["text"] },
  {
    label: "channel form (name, custom field)",
    as: "visitor",
    path: (w) => `/c/${w.slug}`,
    fuzzed: (w) => ["name", ...(w.fieldId ? [`f_${w.fieldId}`] : [])],
  },
  {
    label: "channel callback form",
    as: "visitor",
    path: (w) => `/c/${w.slug}/callback`,
    fuzzed: ["name", "contact"],
  },
  {
    label: "new session: customer name",
    as: "tech",
    path: () => "/console/sessions",
    fuzzed: ["name"],
    fields: () => ({ method: "pin" }),
    headers: { "hx-request": "true" },
  },
  sessionForm("technician chat", "chat", ["text"]),
  sessionForm("session notes", "notes", ["note"]),
  sessionForm("push URL", "push-url", ["url"]),
  sessionForm("session fields: customer name", "fields", ["customerName"]),
  {
    label: "predefined reply",
    as: "tech",
    path: () => "/console/replies",
    fuzzed: ["title", "body"],
    fields: () => ({ kind: "reply" }),
  },
  { label: "API token name", as: "tech", path: () => "/account/tokens", fuzzed: ["name"] },
  { label: "group name", as: "admin", path: () => "/admin/groups", fuzzed: ["name"] },
  {
    label: "group edit: name and description",
    as: "admin",
    path: (w) => `/admin/groups/${w.groupId}`,
    fuzzed: ["name", "description"],
  },
  {
    label: "group settings texts",
    as: "admin",
    path: (w) => `/admin/groups/${w.groupId}/settings`,
    fuzzed: ["termsText", "recordingLocation", "monitoringNoticeText", "surveyQuestions"],
  },
  {
    label: "invite a technician",
    as: "admin",
    path: () => "/admin/technicians/invite",
    fuzzed: ["email", "name"],
    fields: (w) => ({ role: "technician", groupId: w.groupId }),
  },
  {
    label: "a person's display name",
    as: "admin",
    path: (w) => `/admin/technicians/${w.techId}/name`,
    fuzzed: ["name"],
  },
  {
    label: "custom field label",
    as: "admin",
    path: () => "/admin/fields",
    fuzzed: ["label"],
    fields: () => ({ maxLength: "40" }),
  },
  {
    label: "channel admin form",
    as: "admin",
    path: () => "/admin/channels",
    fuzzed: ["name", "unavailableMessage"],
    fields: (w) => ({
      active: "on",
      [`group_${w.groupId}`]: "on",
      timeZone: "UTC",
      unavailableAction: "message",
    }),
  },
];

interface JsonCase {
  label: string;
  method?: string;
  path: (w: World) => string;
  /** The body with `$` where the damaged string goes. */
  body: (w: World) => string;
}

const JSON_CASES: JsonCase[] = [
  {
    label: "token request",
    path: () => "/api/v1/auth/token",
    body: () => `{"email":"$","password":"$","name":"$"}`,
  },
  {
    label: "create session",
    path: () => "/api/v1/sessions",
    body: () => `{"method":"link","customerName":"$","fields":{"$":"$"}}`,
  },
  {
    label: "session chat",
    path: (w) => `/api/v1/sessions/${w.apiSessionId}/chat`,
    body: () => `{"text":"$"}`,
  },
  {
    label: "create group",
    path: () => "/api/v1/groups",
    body: () => `{"name":"$","description":"$","settings":{"termsText":"$"}}`,
  },
  {
    label: "edit group",
    method: "PATCH",
    path: (w) => `/api/v1/groups/${w.groupId}`,
    body: () => `{"description":"$"}`,
  },
  {
    label: "create channel",
    path: () => "/api/v1/channels",
    body: (w) => `{"name":"$","groupIds":["${w.groupId}"],"unavailableMessage":"$"}`,
  },
];

function jsonBody(template: string, value: string | Uint8Array): BodyInit {
  if (typeof value === "string") return template.replaceAll("$", value);
  const pieces = template.split("$").map((p) => new TextEncoder().encode(p));
  const out: number[] = [];
  pieces.forEach((p, i) => {
    if (i > 0) out.push(...value);
    out.push(...p);
  });
  return new Uint8Array(out);
}

async function assertStillServing(w: World, what: string) {
  assert.equal((await w.t.app.request("/healthz")).status, 200, `${what}: /healthz after`);
  // A light request that needs the database (a failed statement must not leave it broken).
  const me = await w.t.app.request("/api/v1/me", {
    headers: { authorization: `Bearer ${w.bearer}` },
  });
  assert.equal(me.status, 200, `${what}: /api/v1/me after`);
  await me.body?.cancel();
}

/** Text columns of every table that hold a forbidden character, as "table.column". */
async function dirtyColumns(t: TestApp): Promise<string[]> {
  const columns = await t.deps.db.execute(sql`
    select table_name, column_name, data_type from information_schema.columns
    where table_schema = 'public' and data_type in ('text', 'character varying', 'jsonb', 'json')`);
  const rows = (columns as unknown as { rows?: unknown[] }).rows ?? (columns as unknown[]);
  const dirty: string[] = [];
  for (const row of rows as { table_name: string; column_name: string; data_type: string }[]) {
    const column = sql.identifier(row.column_name);
    const table = sql.identifier(row.table_name);
    const value = row.data_type.startsWith("json") ? sql`${column}::text` : column;
    const found = await t.deps.db.execute(
      sql`select ${value} as v from ${table} where ${value} ~ ${FORBIDDEN_SQL} limit 1`,
    );
    const hits = (found as unknown as { rows?: unknown[] }).rows ?? (found as unknown[]);
    if (hits.length > 0) {
      dirty.push(`${row.table_name}.${row.column_name}: ${JSON.stringify(hits[0])}`);
    }
  }
  return dirty;
}

/**
 * A test over a fresh world: `send` posts its damaged inputs and hands each answer to
 * `answered`, which holds it to no 500 and a server still serving; at the end nothing
 * stored may hold a forbidden character.
 */
function noServerErrors(
  name: string,
  send: (w: World, answered: (what: string, res: Response) => Promise<void>) => Promise<void>,
) {
  Deno.test({
    name,
    sanitizeOps: false,
    sanitizeResources: false,
    fn: () =>
      withTestApp(async (t) => {
        const w = await buildWorld(t);
        const failures: string[] = [];
        await send(w, async (what, res) => {
          if (res.status >= 500) failures.push(`${what} → ${res.status}`);
          await res.body?.cancel();
          await assertStillServing(w, what);
        });
        assert.deepEqual(failures, []);
        assert.deepEqual(await dirtyColumns(t), [], "nothing stored holds a forbidden character");
      }),
  });
}

noServerErrors(
  "every form's text fields: damaged UTF-8 and control characters never give a 500",
  async (w, answered) => {
    for (const form of FORMS) {
      for (const [name, raw] of Object.entries(RAW_VALUES)) {
        for (const multipart of [false, true]) {
          const what = `${form.label} ← ${name}${multipart ? " (multipart)" : ""}`;
          w.t.clock.advance(61_000); // past per-minute limits: reach the parser every time
          const res = await postRaw(
            form.as === "fresh" ? w.t.client() : w[form.as],
            form.path(w),
            form.fields?.(w) ?? {},
            typeof form.fuzzed === "function" ? form.fuzzed(w) : form.fuzzed,
            raw,
            multipart,
            form.headers,
          );
          await answered(what, res);
        }
      }
    }
  },
);

/** A file upload whose name carries `raw` bytes: multipart filename, or X-File-Name. */
async function uploadNamed(
  client: TestClient,
  path: string,
  raw: string,
  how: "multipart" | "header",
): Promise<Response> {
  if (how === "header") {
    return await client.send(path, {
      method: "POST",
      body: "file content",
      headers: {
        "content-type": "text/plain",
        "x-file-name": raw, // percent-encoded, as scripts send it
        "x-csrf-token": client.csrf,
      },
    });
  }
  const boundary = "----fuzzNameQ2x";
  const head =
    `--${boundary}\r\ncontent-disposition: form-data; name="_csrf"\r\n\r\n${client.csrf}` +
    `\r\n--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="`;
  const tail = `.txt"\r\ncontent-type: text/plain\r\n\r\nfile content\r\n--${boundary}--\r\n`;
  const parts = [new TextEncoder().encode(head), rawBytes(raw), new TextEncoder().encode(tail)];
  const body = concatBytes(parts);
  return await client.send(path, {
    method: "POST",
    body,
    headers: { "content-type": `multipart/form-data; boundary=${boundary}` },
  });
}

noServerErrors(
  "file names (multipart and X-File-Name): damaged bytes never give a 500",
  async (w, answered) => {
    const doors = [
      { who: w.customer, path: `/s/${w.token}/files` },
      { who: w.tech, path: `/console/sessions/${w.sessionId}/files` },
    ];
    for (const door of doors) {
      for (const [name, raw] of Object.entries(RAW_VALUES)) {
        for (const how of ["multipart", "header"] as const) {
          const what = `${door.path} ← ${name} (${how})`;
          const res = await uploadNamed(door.who, door.path, raw, how);
          await answered(what, res);
        }
      }
    }
  },
);

noServerErrors(
  "every JSON API text field: escapes, lone surrogates and raw bad bytes never give a 500",
  async (w, answered) => {
    for (const json of JSON_CASES) {
      for (const [name, value] of Object.entries(JSON_VALUES)) {
        const what = `${json.label} ← ${name}`;
        w.t.clock.advance(61_000);
        const res = await w.t.app.request(json.path(w), {
          method: json.method ?? "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${w.bearer}` },
          body: jsonBody(json.body(w), value),
        });
        await answered(what, res);
      }
    }
  },
);
