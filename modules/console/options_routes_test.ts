// /console/options through the real app (middlewares, CSRF, sessions): the page in English
// and Dutch, saving, 422 with nothing saved, the sign-in redirect, and the files the page
// needs (alerts.js, the sounds).
//
// The lead mounts `consoleOptionsRoutes` in modules/app/app.ts; until then (and harmlessly
// after) this test mounts it on the test app itself.
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { users } from "../auth/mod.ts";
import { ADMIN, startTestApp } from "../../tests/support/app.ts";
import {
  CONSOLE_FLAGS,
  defaultConsoleOptions,
  readConsoleOptions,
  SOUND_ALERTS,
} from "./options.ts";
import { consoleOptionsRoutes } from "./options_routes.tsx";
import { consoleOptions } from "./schema.ts";

async function start() {
  const t = await startTestApp();
  const mounted = t.app.routes.some((route) => route.path.startsWith("/console/options"));
  if (!mounted) t.app.route("/console/options", consoleOptionsRoutes);
  const admin = t.client();
  await admin.signIn(ADMIN.email, ADMIN.password);
  const [row] = await t.deps.db.select().from(users).where(eq(users.email, ADMIN.email));
  return { t, admin, userId: row.id };
}

/** The options as the page hands them to static/alerts.js. */
function embeddedOptions(html: string) {
  const match = /<script type="application\/json" id="console-options">([^<]*)<\/script>/.exec(
    html,
  );
  assert.ok(match, "the page carries the options for alerts.js");
  return JSON.parse(match[1]);
}

Deno.test("GET /console/options shows the form with a test button per sound and the options as data", async () => {
  const { t, admin } = await start();
  try {
    const res = await admin.get("/console/options");
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.match(html, /<h1>Console options<\/h1>/);
    assert.match(html, /<form method="post" action="\/console\/options"/);
    assert.match(html, /name="_csrf"/);
    for (const id of SOUND_ALERTS) {
      assert.match(html, new RegExp(`<button[^>]*data-sound="${id}"`), id);
      assert.match(html, new RegExp(`name="sounds\\.${id}" value="1" checked`), id);
    }
    for (const flag of CONSOLE_FLAGS) assert.match(html, new RegExp(`name="${flag}"`), flag);
    assert.match(html, /<option value="system" selected/);
    assert.deepEqual(embeddedOptions(html), defaultConsoleOptions());
    // The CSP forbids inline script: every <script> loads a file or is a JSON data block.
    for (const tag of html.match(/<script[^>]*>/g) ?? []) {
      assert.match(tag, /src="\/(static|vendor)\/|type="application\/json"/, tag);
    }
    assert.match(html, /<script type="module" src="\/static\/alerts.js"[^>]*>/);
    assert.doesNotMatch(html, /style="/);
    assert.match(res.headers.get("content-security-policy") ?? "", /script-src 'self'/);
  } finally {
    await t.close();
  }
});

Deno.test("GET /console/options in Dutch shows no translation keys", async () => {
  const { t, admin } = await start();
  try {
    await admin.post("/lang", { language: "nl" });
    admin.headers["accept-language"] = "nl";
    const html = await (await admin.get("/console/options")).text();
    assert.match(html, /<h1>Console-opties<\/h1>/);
    assert.match(html, /Geluid testen/);
    const visible = html.replace(/<script[\s\S]*?<\/script>/g, "").replace(/<[^>]+>/g, " ");
    assert.doesNotMatch(visible, /\bconsoleOptions\.[a-zA-Z_]+/);
  } finally {
    await t.close();
  }
});

Deno.test("POST /console/options saves, redirects and the page then shows what was saved", async () => {
  const { t, admin, userId } = await start();
  try {
    await admin.get("/console/options");
    const res = await admin.post("/console/options", {
      colourScheme: "contrast",
      "sounds.networkLost": "1",
      "sounds.sessionUrgent": "1",
      confirmEnd: "1",
      detachRemoteViews: "1",
    });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get("location"), "/console/options?saved=1");
    const saved = await readConsoleOptions(t.deps.db, userId);
    assert.equal(saved.colourScheme, "contrast");
    assert.deepEqual(
      SOUND_ALERTS.filter((id) => saved.sounds[id]),
      ["networkLost", "sessionUrgent"],
    );
    // What was ticked, and only that: the clipboard sync (on by default) was left unticked.
    assert.deepEqual(CONSOLE_FLAGS.filter((flag) => saved[flag]), [
      "confirmEnd",
      "detachRemoteViews",
    ]);
    const html = await (await admin.get("/console/options?saved=1")).text();
    assert.match(html, /name="detachRemoteViews" value="1" checked/);
    assert.match(html, /name="clipboardSync" value="1"\/>/);
    assert.match(html, /role="status">Saved\.</);
    assert.match(html, /<option value="contrast" selected/);
    assert.deepEqual(embeddedOptions(html), saved);
  } finally {
    await t.close();
  }
});

Deno.test("POST /console/options with an unknown colour scheme is a 422 and saves nothing", async () => {
  const { t, admin } = await start();
  try {
    await admin.get("/console/options");
    const res = await admin.post("/console/options", {
      colourScheme: "purple",
      "sounds.networkLost": "1",
    });
    assert.equal(res.status, 422);
    const html = await res.text();
    assert.match(html, /Your options were not saved/);
    assert.match(html, /id="problem-colourScheme"[^>]*>Choose one of the listed colour schemes/);
    assert.match(html, /name="colourScheme"[^>]*aria-invalid="true"/);
    assert.match(html, /name="sounds\.networkLost" value="1" checked/, "the valid input is kept");
    assert.doesNotMatch(html, /name="sounds\.chatMinimised" value="1" checked/);
    assert.equal((await t.deps.db.select().from(consoleOptions)).length, 0);
  } finally {
    await t.close();
  }
});

Deno.test("/console/options needs a signed-in user and a CSRF token", async () => {
  const { t, admin } = await start();
  try {
    const anonymous = t.client();
    const res = await anonymous.get("/console/options");
    assert.equal(res.status, 303);
    assert.match(res.headers.get("location") ?? "", /^\/signin\?next=%2Fconsole%2Foptions/);
    const forged = await admin.post("/console/options", { _csrf: "forged", colourScheme: "dark" });
    assert.equal(forged.status, 403);
    assert.equal((await t.deps.db.select().from(consoleOptions)).length, 0);
  } finally {
    await t.close();
  }
});

Deno.test("alerts.js and every alert sound are served with the right types; nothing else under sounds/", async () => {
  const { t, admin } = await start();
  try {
    const script = await admin.get("/static/alerts.js");
    assert.equal(script.status, 200);
    assert.match(script.headers.get("content-type") ?? "", /^text\/javascript/);
    assert.match(await script.text(), /rescueAlerts/);
    for (const id of SOUND_ALERTS) {
      const res = await admin.get(`/static/sounds/${id}.wav`);
      assert.equal(res.status, 200, id);
      assert.equal(res.headers.get("content-type"), "audio/wav");
      assert.equal(new TextDecoder().decode((await res.bytes()).subarray(0, 4)), "RIFF");
    }
    for (const path of ["/static/sounds/missing.wav", "/static/sounds/..%2Fapp.css"]) {
      const res = await admin.get(path);
      assert.equal(res.status, 404, path);
      await res.body?.cancel();
    }
  } finally {
    await t.close();
  }
});
