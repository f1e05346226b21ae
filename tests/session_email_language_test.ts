// The connection e-mail (SPEC A8, C3) in the language of the technician who sends it while
// the group keeps the product's default text; an admin's own text as written. Mail goes
// through the real SMTP test server; the admin's settings form through the real app.
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { organisations, users } from "../modules/auth/mod.ts";
import { startSmtpServer } from "../modules/mail/smtp_test_server.ts";
import { setGroupSettings, technicianGroups } from "../modules/org/mod.ts";
import { ADMIN, startTestApp, type TestApp } from "./support/app.ts";
import { makeGroup, makePerson, masterAdmin, TECH_PASSWORD } from "./support/org.ts";
import en from "../locales/en.json" with { type: "json" };
import nl from "../locales/nl.json" with { type: "json" };

const HTMX = { "hx-request": "true" };

/**
 * The text a message says: headers unfolded with their encoded words (`=?UTF-8?B?…?=`,
 * `=?UTF-8?Q?…?=`) decoded, the body decoded by its Content-Transfer-Encoding (nodemailer
 * writes quoted-printable for mostly-Latin text, base64 for Cyrillic or Arabic).
 */
function decoded(raw: string): string {
  const utf8 = (bytes: number[]) => new TextDecoder().decode(new Uint8Array(bytes));
  const base64 = (text: string) =>
    utf8([...atob(text.replace(/\s+/g, ""))].map((ch) => ch.charCodeAt(0)));
  const quoted = (text: string) =>
    text.replace(/=\r?\n/g, "").replace(
      /(?:=[0-9A-F]{2})+/g,
      (run) => utf8(run.slice(1).split("=").map((hex) => parseInt(hex, 16))),
    );
  const text = raw.replace(/\r\n/g, "\n");
  const split = text.indexOf("\n\n");
  const head = text.slice(0, split).replace(/\n[ \t]+/g, " ");
  const words = head.replace(/\?= =\?/g, "?==?").replace(
    /=\?UTF-8\?([BQ])\?([^?]*)\?=/gi,
    (_, kind: string, body: string) =>
      kind.toUpperCase() === "B" ? base64(body) : quoted(body.replace(/_/g, " ")),
  );
  const body = text.slice(split + 2);
  const encoding = /^Content-Transfer-Encoding: (\S+)$/im.exec(head)?.[1].toLowerCase();
  return `${words}\n\n${
    encoding === "base64" ? base64(body) : encoding === "quoted-printable" ? quoted(body) : body
  }`;
}

/** The settings form's fields as a browser submits them (textarea lines end in CRLF). */
function formFields(page: string): Record<string, string> {
  const text = (s: string) =>
    s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"')
      .replace(/&#39;/g, "'").replace(/&amp;/g, "&");
  const form = /<form method="post" action="\/admin\/groups\/[^"]+\/settings">([\s\S]*?)<\/form>/
    .exec(page)![1];
  const fields: Record<string, string> = {};
  for (const [tag] of form.matchAll(/<input [^>]*>/g)) {
    const name = /name="([^"]+)"/.exec(tag)?.[1];
    if (!name || name === "_csrf") continue;
    if (/type="checkbox"/.test(tag) && !/checked/.test(tag)) continue;
    fields[name] = text(/value="([^"]*)"/.exec(tag)?.[1] ?? "");
  }
  for (const [, name, body] of form.matchAll(/<textarea [^>]*name="([^"]+)"[^>]*>([^<]*)</g)) {
    fields[name] = text(body).replace(/\r?\n/g, "\r\n");
  }
  for (
    const [, name, options] of form.matchAll(
      /<select [^>]*name="([^"]+)"[^>]*>([\s\S]*?)<\/select>/g,
    )
  ) {
    fields[name] = /<option value="([^"]+)" selected/.exec(options)?.[1] ?? "";
  }
  return fields;
}

async function signedIn(t: TestApp, email: string, password: string) {
  const browser = t.client();
  await browser.signIn(email, password);
  await browser.get("/console");
  return browser;
}

Deno.test("the connection e-mail: the default in the sending technician's language, an admin's text as written", async (ctx) => {
  const smtp = await startSmtpServer();
  const t = await startTestApp({ env: { SMTP_URL: smtp.url } });
  try {
    await t.deps.db.update(organisations).set({ name: "Helpdesk Jansen" });
    const group = await makeGroup(t, {
      permissions: ["startPrivate", "methodPin", "methodLink", "methodEmail"],
    });
    const people = {
      nl: await makePerson(t, { groupId: group.id, email: "anne@example.test" }),
      en: await makePerson(t, { groupId: group.id, email: "bert@example.test" }),
    };
    await t.deps.db.update(users).set({ name: "Anne", language: "nl" })
      .where(eq(users.id, people.nl.id));
    await t.deps.db.update(users).set({ name: "Bert", language: "en" })
      .where(eq(users.id, people.en.id));
    const anne = await signedIn(t, "anne@example.test", TECH_PASSWORD);
    const bert = await signedIn(t, "bert@example.test", TECH_PASSWORD);

    /** The e-mail the technician's console sends to `name` (in `language`, if chosen). */
    const sent = async (browser: typeof anne, name: string, language?: string) => {
      const before = smtp.messages.length;
      const res = await browser.post("/console/sessions", {
        method: "email",
        name,
        contact: `${name.toLowerCase()}@example.test`,
        ...(language ? { language } : {}),
      }, HTMX);
      assert.equal(res.status, 201, await res.text());
      assert.equal(smtp.messages.length, before + 1, "the console hands the mail over at once");
      return decoded(smtp.messages.at(-1)!);
    };
    /** The e-mail by the technician's own mail program (the mailto: link's text). */
    const mailto = async (browser: typeof anne, name: string) => {
      const res = await browser.post("/console/sessions", {
        method: "email",
        name,
        contact: "someone@example.test",
        via: "client",
      }, HTMX);
      const href = /<a id="mailto-link"[^>]*href="([^"]+)"/.exec(await res.text())![1];
      return decodeURIComponent(href.replaceAll("&amp;", "&"));
    };

    await ctx.step(
      "a Dutch technician's e-mail is in Dutch, an English one's in English",
      async () => {
        const dutch = await sent(anne, "Carla");
        assert.match(dutch, /^Subject: Hulp op afstand van Helpdesk Jansen$/m);
        assert.match(dutch, /Beste Carla,\n\nAnne staat klaar om u te helpen\./);
        assert.match(dutch, /verbinding te maken: http:\/\/\S+\/s\/[A-Za-z0-9_-]{32}\n\(of voer/);
        assert.doesNotMatch(dutch, /Hello|Remote support/);
        const english = await sent(bert, "Dave");
        assert.match(english, /^Subject: Remote support from Helpdesk Jansen$/m);
        assert.match(english, /Hello Dave,\n\nBert is ready to help you\./);
        assert.match(
          await mailto(anne, "Carla"),
          /subject=Hulp op afstand van Helpdesk Jansen&body=Beste Carla,/,
        );
        assert.match(
          await mailto(bert, "Dave"),
          /subject=Remote support from Helpdesk Jansen&body=Hello Dave,/,
        );
      },
    );

    await ctx.step(
      "the technician writes to the customer in the customer's language, a customer-only one too",
      async () => {
        const dialog = await (await bert.get("/console/new-session?method=email", HTMX)).text();
        assert.match(dialog, /<option value="en" selected="">English<\/option>/);
        assert.match(dialog, /<option value="ru">Русский<\/option>/);
        const russian = await sent(bert, "Olga", "ru");
        assert.match(russian, /^Subject: Удалённая поддержка от Helpdesk Jansen$/m);
        assert.match(russian, /Здравствуйте, Olga!\n\nBert готов\(а\) вам помочь\./);
        const german = await sent(anne, "Dieter", "de");
        assert.match(german, /Dieter/);
        assert.doesNotMatch(german, /Beste|Hello/);
        const before = smtp.messages.length;
        const bad = await bert.post("/console/sessions", {
          method: "email",
          name: "Olga",
          contact: "olga@example.test",
          language: "xx",
        }, HTMX);
        assert.equal(bad.status, 422);
        assert.match(await bad.text(), /id="ns-problem-language"/);
        assert.equal(smtp.messages.length, before, "nothing sent");
      },
    );

    const admin = t.client();
    await admin.signIn(ADMIN.email, ADMIN.password);
    await t.deps.db.update(users).set({ language: "nl" })
      .where(eq(users.id, (await masterAdmin(t)).id));
    const settingsPage = `/admin/groups/${group.id}/settings`;

    await ctx.step(
      "a Dutch admin's form shows the Dutch default; saving it unchanged keeps the default",
      async () => {
        const page = await (await admin.get(settingsPage)).text();
        assert.match(
          page,
          /id="s-emailSubject" type="text" name="emailSubject" value="Hulp op afstand van \{\{organisation\}\}"/,
        );
        assert.match(
          page,
          /name="emailTemplate" rows="5">Beste \{\{customerName\}\},\n\n\{\{technicianName\}\} staat klaar/,
        );
        assert.match(
          page,
          /<strong>Hulp op afstand van Helpdesk Jansen<\/strong>/,
          "the preview too",
        );
        // The placeholders one can use read as a list, not as one run of braces.
        assert.match(
          page,
          /Plaatshouders die je kunt gebruiken: <code>\{\{customerName\}\}<\/code>, <code>\{\{technicianName\}\}<\/code>, /,
        );
        const fields = formFields(page);
        assert.equal(fields.connectingTimeout, "20");
        assert.match(fields.emailTemplate, /^Beste \{\{customerName\}\},\r\n\r\n/);
        const saved = await admin.post(settingsPage, fields);
        assert.equal(saved.status, 303, await saved.text());
        const [row] = await t.deps.db.select().from(technicianGroups)
          .where(eq(technicianGroups.id, group.id));
        assert.equal(row.settings.emailSubject, en.groupSettings.defaultEmailSubject);
        assert.equal(row.settings.emailTemplate, en.groupSettings.defaultEmailTemplate);
        assert.match(await sent(bert, "Dave"), /^Subject: Remote support from Helpdesk Jansen$/m);
        assert.match(await sent(anne, "Carla"), /^Subject: Hulp op afstand van Helpdesk Jansen$/m);
        await t.deps.db.update(users).set({ language: "en" })
          .where(eq(users.id, (await masterAdmin(t)).id));
        const english = await (await admin.get(settingsPage)).text();
        assert.match(english, /value="Remote support from \{\{organisation\}\}"/);
        await t.deps.db.update(users).set({ language: "nl" })
          .where(eq(users.id, (await masterAdmin(t)).id));
      },
    );

    await ctx.step("an admin's own text is sent as written, whoever sends it", async () => {
      const page = await (await admin.get(settingsPage)).text();
      const saved = await admin.post(settingsPage, {
        ...formFields(page),
        emailSubject: "Support by {{technicianName}}",
        emailTemplate: "Dear {{customerName}},\r\n\r\nPlease open {{link}}.",
      });
      assert.equal(saved.status, 303);
      for (
        const [browser, name, by] of [[anne, "Carla", "Anne"], [bert, "Dave", "Bert"]] as const
      ) {
        const mail = await sent(browser, name);
        assert.match(mail, new RegExp(`^Subject: Support by ${by}$`, "m"));
        assert.match(mail, new RegExp(`Dear ${name},\\n\\nPlease open http`));
        assert.doesNotMatch(mail, /Beste|Hello/);
      }
      const again = await (await admin.get(settingsPage)).text();
      assert.match(
        again,
        /value="Support by \{\{technicianName\}\}"/,
        "the form shows it as written",
      );
    });

    await ctx.step(
      "rows holding the English default from before, with the form's CRLF too, count as the default",
      async () => {
        // What a group saved before the default came from the locales holds (and the form
        // sent it back with CRLF line ends).
        assert.equal(en.groupSettings.defaultEmailSubject, "Remote support from {{organisation}}");
        assert.equal(
          en.groupSettings.defaultEmailTemplate,
          "Hello {{customerName}},\n\n{{technicianName}} is ready to help you. " +
            "Open this link to connect: {{link}}\n(or enter the code {{pin}}).",
        );
        const [row] = await t.deps.db.select().from(technicianGroups)
          .where(eq(technicianGroups.id, group.id));
        await t.deps.db.update(technicianGroups).set({
          settings: {
            ...row.settings,
            emailSubject: "Remote support from {{organisation}}",
            emailTemplate: en.groupSettings.defaultEmailTemplate.replace(/\n/g, "\r\n"),
          },
        }).where(eq(technicianGroups.id, group.id));
        const dutch = await sent(anne, "Carla");
        assert.match(dutch, /^Subject: Hulp op afstand van Helpdesk Jansen$/m);
        assert.match(dutch, /Beste Carla,/);
        // The API and the service store a default given in any language as the English one.
        await setGroupSettings(t.deps.db, group.id, {
          ...row.settings,
          emailSubject: nl.groupSettings.defaultEmailSubject,
          emailTemplate: nl.groupSettings.defaultEmailTemplate,
        }, { actor: await masterAdmin(t), ip: "127.0.0.1", now: t.clock.now() });
        const [stored] = await t.deps.db.select().from(technicianGroups)
          .where(eq(technicianGroups.id, group.id));
        assert.equal(stored.settings.emailSubject, en.groupSettings.defaultEmailSubject);
        assert.equal(stored.settings.emailTemplate, en.groupSettings.defaultEmailTemplate);
      },
    );
  } finally {
    await t.close();
    await smtp.close();
  }
});
