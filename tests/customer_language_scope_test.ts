// Over 400 lines on purpose: one walk through every page and refusal a customer can meet, so a new customer page is added where the scope is checked.
// A customer in a customer-only language (SPEC L2: Russian, and Hebrew right to left) never
// sees English on a page of theirs: every customer-facing page and its refusals are driven
// in memory, and none may log `i18n.english` (a key outside CUSTOMER_SCOPE) or show an
// English sentence of en.json (one the language leaves to English, or one it translates).
// engine-one: it checks the words of pages; the rows it makes are only there to reach them.
import assert from "node:assert/strict";
import en from "../locales/en.json" with { type: "json" };
import ru from "../locales/ru.json" with { type: "json" };
import he from "../locales/he.json" with { type: "json" };
import { toCurrentUser } from "../modules/auth/mod.ts";
import { CUSTOMER_ONLY_LANGUAGES, flatten } from "../modules/i18n/locale_rules.ts";
import { defaultPermissions, type Permission } from "../modules/permissions/mod.ts";
import { setGroupSettings } from "../modules/org/mod.ts";
import { record } from "../modules/limits/mod.ts";
import {
  customerConnected,
  customerStreams,
  findByToken,
  holdSession,
  logSessionEvent,
  pushUrl,
  setChatEnabled,
  startSession,
  storeFile,
  technicianChat,
  transferSession,
} from "../modules/support/mod.ts";
import { PLATFORMS } from "../modules/agent_packages/mod.ts";
import {
  addField,
  channelForm,
  createChannelVia,
  insertGroup,
  onlineTechnician,
  startWithAdmin,
} from "../modules/channels/test_fixtures.ts";
import { agentSocket, agentWithOps, nextOp, withServer } from "./support/sockets.ts";
import { APPROVAL_TOOLS, approvalMessage } from "../protocol/unattended_request.ts";
import { base64url } from "../modules/tokens/mod.ts";
import { unattendedRequests } from "../modules/unattended/schema.ts";
import { lensRegistry } from "../modules/lens/registry.ts";
import { eq } from "drizzle-orm";
import { callingCards } from "../modules/calling_cards/schema.ts";
import { DEFAULT_FILE_LIMIT } from "../modules/support/test_support.ts";
import { ADMIN, startTestApp, type TestApp, type TestClient } from "./support/app.ts";
import { makeGroup, makePerson, masterAdmin, TECH_PASSWORD } from "./support/org.ts";
import { carolSession, technician, workingSession } from "./support/sessions.ts";

const FILES: Record<string, unknown> = { ru, he };

/**
 * The English sentences a page in `lang` must not show: the value of every en.json key, cut at
 * its placeholders and tags into fragments of two words or more (a lone "OK" or a product name
 * is no sentence), unless the language's file says the very same. Those the language lacks are
 * what a key outside the scope shows; the others would mean the page was not in `lang` at all.
 */
function englishSentences(lang: string): Map<string, string> {
  const own = flatten(FILES[lang]);
  const out = new Map<string, string>();
  for (const [key, value] of flatten(en)) {
    // The organisation's name is data: bootstrap stores this one, the admin renames it.
    if (typeof value !== "string" || own.get(key) === value || key === "admin.defaultOrgName") {
      continue;
    }
    const theirs = String(own.get(key) ?? "");
    for (const fragment of value.split(/\{\{[^}]*\}\}|<[^>]*>|\$t\([^)]*\)/)) {
      const text = fragment.trim();
      if (theirs.includes(text)) continue; // a name kept in the translation ("Remote support")
      if (/[A-Za-z]{2,}\W+[A-Za-z]{2,}/.test(text) && text.length >= 8) out.set(text, key);
    }
  }
  return out;
}

const ENTITIES: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', "#39": "'" };

/**
 * What a person may read on `html`, entities decoded: its text, and every attribute value —
 * labels of controls, and the `data-*` strings a page's script shows later.
 */
function visibleText(html: string): string {
  const labels = [...html.matchAll(/\s[\w:-]+="([^"]*)"/g)].map((m) => m[1]);
  const text = html.replace(/<(script|style)[\s\S]*?<\/\1>/g, " ").replace(/<[^>]+>/g, " ");
  return [text, ...labels].join(" ").replace(/&(amp|lt|gt|quot|#39);/g, (_, e) => ENTITIES[e])
    .replace(/\s+/g, " ");
}

/** Checks every answer a customer in `lang` is given, and the log lines of the app. */
class EnglishWatch {
  readonly english: Map<string, string>;
  readonly found: string[] = [];
  constructor(readonly t: TestApp, readonly lang: string) {
    this.english = englishSentences(lang);
  }

  /** A customer's browser in this language. */
  client(): TestClient {
    const client = this.t.client();
    client.headers["accept-language"] = this.lang;
    return client;
  }

  /** Reads `res` (expecting `status`) and notes any English sentence on it. */
  async read(label: string, res: Response, status?: number): Promise<string> {
    const body = await res.text();
    if (status !== undefined) assert.equal(res.status, status, `${label}: ${body.slice(0, 300)}`);
    const text = visibleText(body);
    for (const [sentence, key] of this.english) {
      if (text.includes(sentence)) this.found.push(`${label} shows ${key}: "${sentence}"`);
    }
    return body;
  }

  /** Fails with every English sentence seen and every key logged as shown in English. */
  assertNone(): void {
    const logged = this.t.logLines.filter((l) => l.includes('"i18n.english"')).map((l) => {
      const { key, path } = JSON.parse(l);
      return `${path} asked for ${key}`;
    });
    assert.deepEqual([...logged, ...this.found], [], `English in ${this.lang}`);
  }
}

const HTMX = { "hx-request": "true" };

/** The first events of a live stream (`ms` of them), as one response to read; then closed. */
async function firstEvents(res: Response, ms = 300): Promise<Response> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = "";
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const next = await Promise.race([
      reader.read(),
      new Promise<null>((resolve) => setTimeout(() => resolve(null), until - Date.now())),
    ]);
    if (next === null || next.done) break;
    text += decoder.decode(next.value, { stream: true });
  }
  await reader.cancel();
  return new Response(text.replace(/^data: /gm, ""), { status: res.status });
}
const PERMISSIONS: Permission[] = [...defaultPermissions(), "chatToggle", "pushUrls", "hold"];

async function setUp() {
  const t = await startTestApp();
  customerStreams(t.deps).options.graceMs = 5;
  const tech = await technician(t, { name: "Ann", permissions: PERMISSIONS });
  return { t, tech };
}

async function finish(t: TestApp) {
  await customerStreams(t.deps).idle();
  await t.close();
}

for (const lang of ["ru", "he"]) {
  Deno.test(`${lang}: the PIN page and its refusals (wrong, malformed, throttled, unknown link)`, async () => {
    const { t, tech } = await setUp();
    try {
      const w = new EnglishWatch(t, lang);
      const session = await carolSession(t, tech, "pin");
      const customer = w.client();
      await w.read("/pin", await customer.get("/pin"), 200);
      const wrong = session.pin === "999999" ? "999998" : "999999";
      await w.read("wrong PIN", await customer.post("/pin", { pin: wrong }), 422);
      await w.read("malformed PIN", await customer.post("/pin", { pin: "12ab" }), 422);
      for (let i = 0; i < 20; i++) {
        await record(t.deps.db, { action: "pinGlobal", key: "*", now: t.clock.now() });
      }
      await w.read("throttled PIN", await customer.post("/pin", { pin: wrong }), 429);
      for (let i = 0; i < 12; i++) {
        await record(t.deps.db, { action: "pinAddress", key: "127.0.0.1", now: t.clock.now() });
      }
      await w.read("PIN locked out", await customer.post("/pin", { pin: wrong }), 429);
      await w.read("unknown link", await customer.get("/s/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"), 404);
      w.assertNone();
    } finally {
      await finish(t);
    }
  });

  Deno.test(`${lang}: the session page waiting, active, on hold, transferred and ended`, async () => {
    const { t, tech } = await setUp();
    try {
      const w = new EnglishWatch(t, lang);
      const created = await carolSession(t, tech);
      const customer = w.client();
      const page = `/s/${created.token}`;
      await w.read("connecting", await customer.get(page), 200);
      const session = (await findByToken(t.deps, created.token))!;
      await customerConnected(t.deps, session);
      await w.read("waiting", await customer.get(page), 200);
      await startSession(t.deps, tech, session.id);
      await technicianChat(t.deps, tech, session.id, "Привет");
      await pushUrl(t.deps, tech, session.id, "https://example.com/help");
      await w.read("active", await customer.get(page), 200);
      await setChatEnabled(t.deps, tech, session.id, false);
      await w.read("chat off", await customer.get(page), 200);
      await w.read("chat while off", await customer.post(`${page}/chat`, { text: "hi" }, HTMX));
      await setChatEnabled(t.deps, tech, session.id, true);
      await holdSession(t.deps, tech, session.id);
      await w.read("on hold", await customer.get(page), 200);
      await startSession(t.deps, tech, session.id);
      const other = await technician(t, { name: "Bob", permissions: PERMISSIONS });
      t.clock.advance(1_000);
      await transferSession(
        t.deps,
        tech,
        session.id,
        { kind: "technician", id: other.id },
        "printer",
        () => Promise.resolve(true),
      );
      await w.read("transferred", await customer.get(page), 200);
      await startSession(t.deps, other, session.id);
      await w.read("after the transfer", await customer.get(page), 200);
      const live = await w.read(
        "live lines",
        await firstEvents(await customer.get(`${page}/events`)),
      );
      assert.match(live, /data-kind="chat"/, "the stream's lines were read");
      await w.read("end", await customer.post(`${page}/end`), undefined);
      await w.read("ended", await customer.get(page), 200);
      await w.read("live after the end", await firstEvents(await customer.get(`${page}/events`)));
      await w.read("chat after the end", await customer.post(`${page}/chat`, { text: "hi" }), 409);
      w.assertNone();
    } finally {
      await finish(t);
    }
  });

  Deno.test(`${lang}: chat too long and too fast, files too large and downloaded`, async () => {
    const { t, tech } = await setUp();
    try {
      const w = new EnglishWatch(t, lang);
      const session = await workingSession(t, tech);
      const customer = w.client();
      const page = `/s/${session.token}`;
      await customer.get(page);
      await w.read("empty chat", await customer.post(`${page}/chat`, { text: " " }, HTMX), 422);
      const long = "x".repeat(4001);
      await w.read("long chat", await customer.post(`${page}/chat`, { text: long }), 422);
      await w.read("long chat htmx", await customer.post(`${page}/chat`, { text: long }, HTMX));
      let res: Response | undefined;
      for (let i = 0; i < 100; i++) {
        res = await customer.post(`${page}/chat`, { text: `line ${i}` }, HTMX);
        if (res.status === 429) break;
        await res.body?.cancel();
      }
      await w.read("chat too fast", res!, 429);
      const upload = (file: Blob, name: string) => {
        const body = new FormData();
        body.append("file", file, name);
        const headers = { "x-csrf-token": customer.csrf, "x-requested-with": "XMLHttpRequest" };
        return customer.send(`${page}/files`, { method: "POST", body, headers });
      };
      const big = new Blob([new Uint8Array(DEFAULT_FILE_LIMIT + 1)]);
      await w.read("upload too large", await upload(big, "big.bin"), 413);
      await w.read("upload", await upload(new Blob(["log"]), "printer.log"), 201);
      const sent = await storeFile(
        t.deps,
        session,
        { name: "fix.txt", type: "text/plain", bytes: new TextEncoder().encode("fix") },
        { direction: "to_customer", user: tech },
        DEFAULT_FILE_LIMIT,
      );
      await w.read("with a file", await customer.get(page), 200);
      assert.equal((await customer.get(`${page}/files/${sent.id}`)).status, 200);
      await w.read("unknown file", await customer.get(`${page}/files/${crypto.randomUUID()}`));
      w.assertNone();
    } finally {
      await finish(t);
    }
  });

  Deno.test(`${lang}: terms to accept and declined`, async () => {
    const { t, tech } = await setUp();
    try {
      await setGroupSettings(t.deps.db, tech.groupId!, {
        termsEnabled: true,
        termsText: "Будьте вежливы.",
      }, { actor: await masterAdmin(t), ip: "127.0.0.1", now: t.clock.now() });
      const w = new EnglishWatch(t, lang);
      const session = await carolSession(t, tech);
      const customer = w.client();
      const page = `/s/${session.token}`;
      await w.read("terms", await customer.get(page), 200);
      await w.read("chat before terms", await customer.post(`${page}/chat`, { text: "hi" }), 403);
      await w.read("events before terms", await customer.get(`${page}/events`), 403);
      await customer.post(`${page}/terms`, { decision: "decline" });
      await w.read("declined", await customer.get(page), 200);
      w.assertNone();
    } finally {
      await finish(t);
    }
  });

  Deno.test(`${lang}: the survey of each question kind, its refusals, answered already`, async () => {
    const t = await startTestApp();
    try {
      const w = new EnglishWatch(t, lang);
      const group = await makeGroup(t, { name: "Helpdesk", permissions: PERMISSIONS });
      const row = await makePerson(t, { groupId: group.id });
      const techBrowser = t.client();
      await techBrowser.signIn(row.email, TECH_PASSWORD);
      const admin = t.client();
      await admin.signIn(ADMIN.email, ADMIN.password);
      await admin.get(`/admin/surveys/group/${group.id}`);
      const saved = await admin.post(`/admin/surveys/group/${group.id}`, {
        rows: "5",
        enabled: "1",
        q0_label: "Быстро?",
        q0_kind: "rating",
        q0_position: "1",
        q0_required: "1",
        q1_label: "Снова?",
        q1_kind: "choice",
        q1_choices: "Да\nНет",
        q1_position: "2",
        q2_label: "Ещё?",
        q2_kind: "text",
        q2_position: "3",
      });
      assert.equal(saved.status, 303);
      const tech = { ...toCurrentUser(row), permissions: new Set(PERMISSIONS), groupId: group.id };
      const session = await workingSession(t, tech);
      const customer = w.client();
      const page = `/s/${session.token}`;
      await w.read("survey not offered", await customer.get(`${page}/survey`), 404);
      await techBrowser.get("/console");
      const ended = await techBrowser.post(`/console/sessions/${session.id}/end`, {}, HTMX);
      assert.equal(ended.status, 204);
      await w.read("ended with the survey link", await customer.get(page), 200);
      const form = await w.read("survey", await customer.get(`${page}/survey`), 200);
      const [rating, choice, text] = [
        ...new Set([...form.matchAll(/name="(a_[^"]+)"/g)].map((m) => m[1])),
      ];
      await w.read("survey required", await customer.post(`${page}/survey`, {}), 422);
      await w.read(
        "survey bad answers",
        await customer.post(`${page}/survey`, { [rating]: "9", [choice]: "Может" }),
        422,
      );
      await w.read(
        "survey too long",
        await customer.post(`${page}/survey`, { [rating]: "4", [text]: "x".repeat(5000) }),
        422,
      );
      await w.read(
        "survey answered",
        await customer.post(`${page}/survey`, { [rating]: "4", [choice]: "Да", [text]: "ок" }),
        200,
      );
      await w.read("survey again", await customer.post(`${page}/survey`, { [rating]: "1" }), 409);
      await w.read("survey page again", await customer.get(`${page}/survey`));
      await w.read("ended after the survey", await customer.get(page), 200);
      w.assertNone();
    } finally {
      await t.close();
    }
  });
}

/** Posts JSON as the customer's page script does (its CSRF token in the header). */
function postJson(client: TestClient, path: string, body: unknown): Promise<Response> {
  return client.send(path, {
    method: "POST",
    headers: { "content-type": "application/json", "x-csrf-token": client.csrf },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

/** A stand-in Deno runtime for each platform but this server's, so packages build small. */
async function fakeRuntimes(t: TestApp): Promise<void> {
  for (const [platform, spec] of Object.entries(PLATFORMS)) {
    if (spec.os === Deno.build.os && spec.arch === Deno.build.arch) continue;
    const dir = `${t.deps.config.dataDir}/runtimes/${platform}`;
    await Deno.mkdir(dir, { recursive: true });
    await Deno.writeTextFile(`${dir}/${spec.exe}`, "not a runtime");
  }
}

const BROWSERS: Record<string, string> = {
  windows: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/131.0",
  darwin: "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) Safari/605.1",
  linux: "Mozilla/5.0 (X11; Linux aarch64) Firefox/133.0",
};

for (const lang of ["ru", "he"]) {
  Deno.test(`${lang}: every line of the session log a customer is shown`, async () => {
    const { t, tech } = await setUp();
    try {
      const w = new EnglishWatch(t, lang);
      const session = await workingSession(t, tech);
      // Every event the log knows: the customer's page shows the ones meant for the customer.
      for (const key of flatten(en).keys()) {
        if (!key.startsWith("log.")) continue;
        const body = key.replace(/_(zero|one|two|few|many|other)$/, "");
        await logSessionEvent(t.deps, session, body, { name: "Ann", count: 2 }, {
          userId: tech.id,
          name: "Ann",
          author: "technician",
        });
      }
      const customer = w.client();
      const page = await w.read("every log line", await customer.get(`/s/${session.token}`), 200);
      assert.match(page, /data-event="log.endedByTechnician"/, "event lines are on the page");
      w.assertNone();
    } finally {
      await finish(t);
    }
  });

  Deno.test(`${lang}: the support app's download page for each system, and an unknown one`, async () => {
    const { t, tech } = await setUp();
    try {
      await fakeRuntimes(t);
      const w = new EnglishWatch(t, lang);
      const session = await workingSession(t, tech);
      const customer = w.client();
      const html = { accept: "text/html" };
      for (const [os, agent] of Object.entries(BROWSERS)) {
        const res = await customer.get(`/s/${session.token}/agent`, {
          ...html,
          "user-agent": agent,
        });
        const page = await w.read(`download on ${os}`, res, 200);
        assert.match(page, /id="agent-download-start"/, `${os}: the package is offered`);
      }
      for (const platform of Object.keys(PLATFORMS)) {
        if (platform === "linux-x64") continue; // this server's own runtime: a large package
        const res = await customer.get(`/s/${session.token}/agent?platform=${platform}`, html);
        await w.read(`download for ${platform}`, res, 200);
      }
      await w.read(
        "unknown platform",
        await customer.get(`/s/${session.token}/agent?platform=beos`, html),
        404,
      );
      await w.read("download for nobody", await customer.get(`/s/${"A".repeat(32)}/agent`), 404);
      w.assertNone();
    } finally {
      await finish(t);
    }
  });

  Deno.test(`${lang}: the browser's screen share, the shown screen and device information refused`, async () => {
    const { t, tech } = await setUp();
    try {
      const w = new EnglishWatch(t, lang);
      const waiting = await carolSession(t, tech);
      const customer = w.client();
      await customer.get(`/s/${waiting.token}`);
      const offer = `/s/${waiting.token}/share/offer`;
      await w.read(
        "share before the technician",
        await postJson(customer, offer, { sdp: "v=0\r\n" }),
        409,
      );
      await w.read("share bad offer", await postJson(customer, offer, { sdp: "hello" }), 422);
      await w.read("share not JSON", await postJson(customer, offer, "{"), 422);
      const present = `/s/${waiting.token}/present`;
      await w.read("nothing shown", await postJson(customer, `${present}/view`, {}), 409);
      await w.read("answer to nothing", await postJson(customer, `${present}/answer`, {}), 409);
      const device = `/s/${waiting.token}/device`;
      await w.read("device state", await customer.get(device), 200);
      await w.read(
        "device unasked",
        await customer.post(`${device}/answer`, { decision: "allow" }),
        409,
      );
      await w.read(
        "device bad answer",
        await customer.post(`${device}/answer`, { decision: "x" }),
        400,
      );
      await w.read("device not sharing", await customer.post(`${device}/stop`), 409);
      await w.read("device bad report", await postJson(customer, `${device}/report`, "{"), 400);
      await w.read("device report unasked", await postJson(customer, `${device}/report`, {}), 400);
      await w.read("no such session", await customer.get(`/s/${"A".repeat(32)}/device`), 404);
      const nobody = `/s/${"A".repeat(32)}`;
      await w.read("no remote events", await customer.get(`${nobody}/remote/events`), 404);
      await w.read("no revoke", await customer.post(`${nobody}/remote/revoke`), 404);
      await w.read("no file manager", await customer.get(`${nobody}/file-manager/events`), 404);
      const page = `/s/${waiting.token}`;
      await w.read("bad language", await customer.post(`${page}/lang`, { lang: "xx" }), 400);
      await w.read("no CSRF token", await customer.post(`${page}/chat`, { _csrf: "" }), 403);
      const huge = await customer.send(`${page}/chat`, {
        method: "POST",
        body: new URLSearchParams({ _csrf: customer.csrf, text: "x".repeat(3_000_000) }),
        headers: { "content-type": "application/x-www-form-urlencoded" },
      });
      await w.read("a body too large", huge, 413);
      w.assertNone();
    } finally {
      await finish(t);
    }
  });

  Deno.test(`${lang}: the device-information prompt, allowed, declined and stopped`, async () => {
    const { t, tech } = await setUp();
    try {
      const w = new EnglishWatch(t, lang);
      const ann = await technician(t, {
        name: "Ann",
        permissions: [...PERMISSIONS, "mobileTools"],
      });
      const session = await workingSession(t, ann);
      const console = t.client();
      await console.signIn(ann.email, TECH_PASSWORD);
      await console.get("/console");
      const customer = w.client();
      const page = `/s/${session.token}`;
      await customer.get(page);
      const ask = `/console/sessions/${session.id}/device/ask`;
      assert.equal((await console.post(ask)).status, 200);
      await w.read("device asked", await customer.get(page), 200);
      await w.read(
        "device allowed",
        await customer.post(`${page}/device/answer`, { decision: "allow" }),
        200,
      );
      await w.read(
        "device bad report",
        await postJson(customer, `${page}/device/report`, { cores: -1 }),
        400,
      );
      await w.read("device stopped", await customer.post(`${page}/device/stop`), 200);
      assert.equal((await console.post(ask)).status, 200);
      await w.read(
        "device declined",
        await customer.post(`${page}/device/answer`, { decision: "deny" }),
        200,
      );
      await w.read("after the device lines", await customer.get(page), 200);
      void tech;
      w.assertNone();
    } finally {
      await finish(t);
    }
  });

  Deno.test(`${lang}: a channel's form open, closed, unavailable, its required fields and callback`, async () => {
    const f = await startWithAdmin();
    const t = f.t;
    try {
      const w = new EnglishWatch(t, lang);
      const phone = await addField(f, "Телефон", 20);
      const groupId = await insertGroup(t, f.orgId, "Линия");
      await onlineTechnician(t, f.orgId, groupId);
      const form = (overrides: Record<string, string>) =>
        channelForm({ groupId, fields: { [phone]: "required" } }, {
          name: "Поддержка",
          unavailableMessage: "Мы закрыты.",
          ...overrides,
        });
      const channel = await createChannelVia(f, form({}));
      const callback = await createChannelVia(
        f,
        form({ unavailableAction: "callback", unavailableMessage: "" }),
      );
      const visitor = w.client();
      await w.read("channel open", await visitor.get(`/c/${channel.slug}`), 200);
      await w.read(
        "channel missing",
        await visitor.post(`/c/${channel.slug}`, { name: "Аня" }),
        422,
      );
      await w.read(
        "channel no name",
        await visitor.post(`/c/${channel.slug}`, { [`f_${phone}`]: "1" }),
        422,
      );
      await w.read(
        "channel too long",
        await visitor.post(`/c/${channel.slug}`, { name: "Аня", [`f_${phone}`]: "0".repeat(21) }),
        422,
      );
      const started = await visitor.post(`/c/${channel.slug}`, {
        name: "Аня",
        [`f_${phone}`]: "0612",
      });
      assert.equal(started.status, 303);
      await w.read("channel session", await visitor.get(started.headers.get("location")!), 200);
      t.clock.set(new Date("2026-11-24T19:00:00Z")); // 20:00 in Amsterdam: closed
      await w.read("channel closed", await visitor.get(`/c/${channel.slug}`), 200);
      await w.read(
        "closed, posted",
        await visitor.post(`/c/${channel.slug}`, { name: "Аня", [`f_${phone}`]: "1" }),
        409,
      );
      await w.read(
        "closed, callback posted",
        await visitor.post(`/c/${channel.slug}/callback`, {
          name: "Аня",
          contact: "1",
          [`f_${phone}`]: "1",
        }),
        409,
      );
      await w.read("callback form", await visitor.get(`/c/${callback.slug}`), 200);
      await w.read(
        "callback bad",
        await visitor.post(`/c/${callback.slug}/callback`, { name: "", contact: "" }),
        422,
      );
      await w.read(
        "callback stored",
        await visitor.post(`/c/${callback.slug}/callback`, {
          name: "Аня",
          contact: "a@example.test",
          [`f_${phone}`]: "1",
        }),
        200,
      );
      t.clock.set(new Date("2026-11-28T12:00:00Z")); // Saturday
      await w.read("channel weekend", await visitor.get(`/c/${channel.slug}`), 200);
      await w.read("no channel", await visitor.get("/c/AAAAAAAAAAAAAAAA"), 404);
      t.clock.set(new Date("2026-11-24T10:00:00Z"));
      const empty = await insertGroup(t, f.orgId, "Пусто");
      const nobody = await createChannelVia(
        f,
        channelForm({ groupId: empty, fields: { [phone]: "required" } }, {
          name: "Ночь",
          unavailableMessage: "",
        }),
      );
      await w.read("channel unstaffed", await visitor.get(`/c/${nobody.slug}`), 200);
      await w.read(
        "unstaffed, posted",
        await visitor.post(`/c/${nobody.slug}`, { name: "Аня", [`f_${phone}`]: "1" }),
        409,
      );
      w.assertNone();
    } finally {
      await t.close();
    }
  });
}

/** Answers the next `unattended.about` while `request` waits for it. */
async function withAbout(agent: Agent, request: Promise<Response>): Promise<Response> {
  const op = await nextOp(agent, "unattended.about");
  agent.send({
    type: "opDone",
    id: op.id,
    json: JSON.stringify({ timeZone: "Europe/Moscow", canInstall: true, unavailable: null }),
  });
  return await request;
}

type Agent = Awaited<ReturnType<typeof agentSocket>>;
const KEYS = await crypto.subtle.generateKey("Ed25519", true, ["sign", "verify"]) as CryptoKeyPair;
const PUBLIC = base64url(new Uint8Array(await crypto.subtle.exportKey("spki", KEYS.publicKey)));

/** Plays the agent's part of the install, signing with the test key (or a forged nonce). */
async function install(agent: Agent, forge = false) {
  const op = await nextOp(agent, "unattended.install");
  const { requestId, nonce, digest, tools } = op.request;
  const deviceId = "device-abcdefgh";
  const message = approvalMessage({
    requestId,
    nonce: forge ? "another-nonce" : nonce,
    digest,
    deviceId,
    tools,
  });
  const signature = new Uint8Array(
    await crypto.subtle.sign("Ed25519", KEYS.privateKey, message as Uint8Array<ArrayBuffer>),
  );
  agent.send({
    type: "opDone",
    id: op.id,
    json: JSON.stringify({
      deviceId,
      publicKey: PUBLIC,
      signature: base64url(signature),
      unit: "/tmp/root/etc/systemd/system/rescue-agent.service",
      credentialsKept: op.request.terms.authMode === "customer_credentials",
      hostname: "carol-laptop",
      os: "linux",
    }),
  });
}

async function until(what: string, check: () => Promise<boolean>, ms = 5_000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const TICKED = Object.fromEntries(APPROVAL_TOOLS.map((tool) => [`tool_${tool}`, "1"]));

for (const lang of ["ru", "he"]) {
  Deno.test({
    name: `${lang}: the unattended-access approval page: credentials, approve, decline, refusals`,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const t = await startTestApp();
      try {
        await withServer(t, async (port) => {
          const w = new EnglishWatch(t, lang);
          const ann = await technician(t, {
            name: "Ann",
            permissions: [...PERMISSIONS, "unattendedAccess"],
          });
          const browser = t.client();
          await browser.signIn(ann.email, TECH_PASSWORD);
          const session = await workingSession(t, ann);
          const customer = w.client();
          const page = `/s/${session.token}`;
          await customer.get(page);
          const path = `/console/sessions/${session.id}/unattended`;
          const agent = await agentWithOps(port, session.token, [
            "unattended.about",
            "unattended.install",
          ]);
          const terms: Record<string, string>[] = [
            { authMode: "customer_credentials", kind: "days", days: "7" },
            { authMode: "ask_each_time", kind: "unlimited" },
            { authMode: "ask_each_time", kind: "daily", start: "09:00", end: "17:00", wd1: "1" },
          ];
          const requestRow = async () =>
            (await t.deps.db.select().from(unattendedRequests)
              .where(eq(unattendedRequests.sessionId, session.id))).at(-1)!;
          for (const [i, form] of terms.entries()) {
            const sent = await withAbout(
              agent,
              browser.post(path, { ...form, zoneOf: "customer", technicianZone: "UTC" }),
            );
            assert.equal(sent.status, 201);
            const row = await requestRow();
            const url = `${page}/unattended/${row.id}`;
            await w.read(`request ${i}`, await customer.get(url), 200);
            await w.read(`line ${i}`, await customer.get(page), 200);
            const answer = { nonce: row.nonce, digest: row.digest };
            await w.read(
              `nothing ticked ${i}`,
              await customer.post(url, { ...answer, decision: "approve" }),
              422,
            );
            await w.read(
              `unknown tool ${i}`,
              await customer.post(url, { ...answer, decision: "approve", tool_root: "1" }),
              422,
            );
            await w.read(
              `wrong nonce ${i}`,
              await customer.post(url, { ...TICKED, decision: "approve", nonce: "x".repeat(43) }),
              409,
            );
            if (i === 1) {
              await customer.post(url, { ...answer, decision: "decline" });
            } else {
              assert.equal(
                (await customer.post(url, { ...answer, ...TICKED, decision: "approve" })).status,
                303,
              );
              await install(agent, i === 2);
              await until("answered", async () => (await requestRow()).state !== "approved");
            }
            await w.read(`answered ${i}`, await customer.get(url), 200);
            await w.read(
              `again ${i}`,
              await customer.post(url, { ...answer, ...TICKED, decision: "approve" }),
              409,
            );
            await w.read(`after ${i}`, await customer.get(page), 200);
            await t.deps.db.delete(unattendedRequests);
          }
          await w.read(
            "no such request",
            await customer.get(`${page}/unattended/${crypto.randomUUID()}`),
            404,
          );
          agent.ws.close();
          w.assertNone();
        });
      } finally {
        await t.close();
      }
    },
  });

  Deno.test({
    name: `${lang}: Lens on the phone: its page, a bad offer, bad state, an ended link`,
    sanitizeOps: false,
    sanitizeResources: false,
    async fn() {
      const t = await startTestApp();
      try {
        const w = new EnglishWatch(t, lang);
        const user = await technician(t, { name: "Ann", permissions: [...PERMISSIONS, "lens"] });
        const console = t.client();
        await console.signIn(user.email, TECH_PASSWORD);
        await console.get("/console/lens");
        assert.equal((await console.post("/console/lens")).status, 303);
        const token = lensRegistry(t.deps).ofTechnician(user.id)!.token;
        const phone = w.client();
        const page = `/lens/${token}`;
        await w.read("lens page", await phone.get(page), 200);
        await w.read("lens bad offer", await postJson(phone, `${page}/offer`, { sdp: "hi" }), 422);
        await w.read("lens not JSON", await postJson(phone, `${page}/offer`, "{"));
        await w.read("lens bad state", await postJson(phone, `${page}/state`, { paused: "x" }));
        await w.read("lens empty state", await postJson(phone, `${page}/state`, {}));
        await w.read("lens end", await postJson(phone, `${page}/end`, {}), 204);
        await w.read("lens ended", await phone.get(page), 404);
        await w.read("lens offer ended", await postJson(phone, `${page}/offer`, { sdp: "v=0" }));
        await w.read("lens unknown", await phone.get(`/lens/${"A".repeat(32)}`), 404);
        const expired = await console.post("/console/lens");
        assert.equal(expired.status, 303);
        const next = lensRegistry(t.deps).ofTechnician(user.id)!.token;
        lensRegistry(t.deps).ofTechnician(user.id)!.end("expired");
        await w.read("lens expired", await phone.get(`/lens/${next}`));
        w.assertNone();
      } finally {
        await t.close();
      }
    },
  });

  Deno.test(`${lang}: a calling card's download refused: unknown card, unknown system`, async () => {
    const { t, tech } = await setUp();
    try {
      const w = new EnglishWatch(t, lang);
      const session = await workingSession(t, tech);
      const customer = w.client();
      const base = `/s/${session.token}/calling-card`;
      const f = { t, admin: t.client(), orgId: tech.orgId };
      await f.admin.signIn(ADMIN.email, ADMIN.password);
      const channel = await createChannelVia(
        f,
        channelForm({ groupId: tech.groupId! }, { name: "Поддержка", unavailableMessage: "Нет" }),
      );
      await f.admin.get(`/admin/calling-cards/${channel.id}`);
      const body = new FormData();
      const card = { name: "Карта", text: "Звоните", accent: "#ff6600", background: "#ffffff" };
      for (
        const [k, v] of Object.entries({ ...card, _csrf: f.admin.csrf, groups: tech.groupId! })
      ) {
        body.set(k, v);
      }
      const saved = await f.admin.send(`/admin/calling-cards/${channel.id}`, {
        method: "POST",
        body,
      });
      assert.equal(saved.status, 303);
      const [{ id }] = await t.deps.db.select().from(callingCards);
      await w.read(
        "unknown card",
        await customer.get(`${base}/${crypto.randomUUID()}/linux-x64`),
        404,
      );
      await w.read("unknown system", await customer.get(`${base}/${id}/beos`), 404);
      await w.read("no runtime", await customer.get(`${base}/${id}/windows-x64`), 404);
      w.assertNone();
    } finally {
      await finish(t);
    }
  });
}

Deno.test("every customer-only language: the PIN page, a session with every log line, its end, the support app's page", async () => {
  const { t, tech } = await setUp();
  try {
    await fakeRuntimes(t);
    const session = await workingSession(t, tech);
    for (const key of flatten(en).keys()) {
      if (!key.startsWith("log.")) continue;
      const body = key.replace(/_(zero|one|two|few|many|other)$/, "");
      await logSessionEvent(t.deps, session, body, { name: "Ann", count: 2 }, {
        userId: tech.id,
        name: "Ann",
        author: "technician",
      });
    }
    const ended = await workingSession(t, tech);
    const left = t.client();
    await left.get(`/s/${ended.token}`);
    await left.post(`/s/${ended.token}/end`);
    const failures: string[] = [];
    for (const lang of CUSTOMER_ONLY_LANGUAGES) {
      FILES[lang] ??= (await import(`../locales/${lang}.json`, { with: { type: "json" } })).default;
      const w = new EnglishWatch(t, lang);
      const customer = w.client();
      const page = await w.read("/pin", await customer.get("/pin"), 200);
      assert.match(page, new RegExp(`<html lang="${lang}"`));
      // Refused as malformed, or — past ten from this address — as too many: either in words.
      await w.read("wrong PIN", await customer.post("/pin", { pin: "12ab" }));
      await w.read("session", await customer.get(`/s/${session.token}`), 200);
      await w.read("ended", await customer.get(`/s/${ended.token}`), 200);
      await w.read(
        "support app",
        await customer.get(`/s/${session.token}/agent?platform=windows-x64`, {
          accept: "text/html",
        }),
        200,
      );
      failures.push(...w.found);
    }
    const logged = t.logLines.filter((l) => l.includes('"i18n.english"'));
    assert.deepEqual([...logged, ...failures], []);
  } finally {
    await finish(t);
  }
});
