// The terms the customer reads for a Windows computer say what the Windows service does (it
// shows the console user's desktop, does not sign in, keeps no credentials, runs until
// removed) instead of "Credentials are asked at every connection", which only the Linux
// service does; with no agent heard, a sentence true for both.
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { startTestApp } from "../../tests/support/app.ts";
import { TECH_PASSWORD } from "../../tests/support/org.ts";
import { technician, workingSession } from "../../tests/support/sessions.ts";
import { agentWithOps, nextOp, withServer } from "../../tests/support/sockets.ts";
import { defaultPermissions } from "../permissions/mod.ts";
import { translator } from "../i18n/mod.ts";
import type { ResolvedTerms } from "../../protocol/unattended_request.ts";
import { describeTerms } from "./request_views.tsx";
import { unattendedRequests } from "./schema.ts";

const WINDOWS = /runs as a Windows service until it is removed. It shows the desktop of the user/;
const EACH = /Credentials are asked at every connection/;

Deno.test("describeTerms() says the Windows service's truth, and one true for both when unknown", () => {
  const t = translator("en");
  const terms = {
    authMode: "ask_each_time",
    kind: "unlimited",
    fromAt: "2026-12-07T00:00:00.000Z",
    untilAt: null,
    weekdays: [],
    dailyStart: null,
    dailyEnd: null,
    timeZone: "Europe/Berlin",
    zoneOf: "customer",
  } as unknown as ResolvedTerms;
  const words = (os: string | null) => describeTerms(t, "en", terms, { os })[0];
  assert.match(words("windows"), WINDOWS);
  assert.match(words("linux"), EACH);
  assert.equal(words(null), "Your sign-in credentials are not kept.");
});

Deno.test({
  name:
    "unattended request: the customer page and the technician's copy of a Windows computer's terms",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const t = await startTestApp();
    try {
      await withServer(t, async (port) => {
        const ann = await technician(t, {
          permissions: [...defaultPermissions(), "unattendedAccess"],
        });
        const browser = t.client();
        await browser.signIn(ann.email, TECH_PASSWORD);
        const requestOn = async (os: "windows" | "linux") => {
          const session = await workingSession(t, ann);
          const agent = await agentWithOps(
            port,
            session.token,
            ["unattended.about", "unattended.install"],
            os,
          );
          const sent = browser.post(`/console/sessions/${session.id}/unattended`, {
            authMode: "ask_each_time",
            kind: "days",
            days: "3",
            zoneOf: "technician",
            technicianZone: "Europe/Berlin",
          }, { "hx-request": "true" });
          const op = await nextOp(agent, "unattended.about");
          agent.send({
            type: "opDone",
            id: op.id,
            json: JSON.stringify({
              timeZone: "Europe/Amsterdam",
              canInstall: true,
              unavailable: null,
            }),
          });
          const response = await sent;
          const technicianHtml = await response.text();
          assert.equal(response.status, 200, technicianHtml);
          const [row] = await t.deps.db.select().from(unattendedRequests)
            .where(eq(unattendedRequests.sessionId, session.id));
          const customer = t.client();
          const page = await customer.get(`/s/${session.token}/unattended/${row.id}`);
          assert.equal(page.status, 200);
          return { technicianHtml, customerHtml: await page.text() };
        };
        const win = await requestOn("windows");
        assert.match(win.customerHtml, WINDOWS);
        assert.doesNotMatch(win.customerHtml, EACH);
        assert.match(win.technicianHtml, WINDOWS);
        assert.doesNotMatch(win.technicianHtml, EACH);
        const linux = await requestOn("linux");
        assert.match(linux.customerHtml, EACH);
        assert.doesNotMatch(linux.customerHtml, WINDOWS);
      });
    } finally {
      await t.close();
    }
  },
});
