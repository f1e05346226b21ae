// What the technician is told about a Windows computer (the Windows service, agent/unattended/
// windows_*.ts): Computers says the service shows the console user's desktop and, in its title,
// what it does not reach (the secure desktop), and offers no login-screen credentials (only the
// Linux service types them); the unattended-access dialog of a Windows computer offers no kept
// credentials (the Windows service does not sign in) nor service mode (Linux only), and a
// crafted request for either is refused;
// the dialog of a session whose Windows app is not
// an administrator says so and how to fix it, and the request is refused with the same words.
import assert from "node:assert/strict";
import { startTestApp } from "../../tests/support/app.ts";
import { TECH_PASSWORD } from "../../tests/support/org.ts";
import { technician, workingSession } from "../../tests/support/sessions.ts";
import { agentWithOps, nextOp, withServer } from "../../tests/support/sockets.ts";
import { defaultPermissions } from "../permissions/mod.ts";
import { deviceWithGrant } from "./test_fixtures.ts";
import { unattendedRequests } from "./schema.ts";

const ACCESS = ["unattendedAccess", "startPrivate", "desktopView", "remoteControl"] as const;
const READY = { canInstall: true, unavailable: null };
const UNATTENDED_OPS = ["unattended.about", "unattended.install"];

/**
 * A session of `ann` whose support app says it runs on `os` and answers `unattended.about` with
 * `answer` each time a request (`about(request)`) asks; the request path.
 */
async function agentOn(
  t: Awaited<ReturnType<typeof startTestApp>>,
  port: number,
  ann: Awaited<ReturnType<typeof technician>>,
  os: "windows" | "linux",
  answer: { canInstall: boolean; unavailable: string | null },
) {
  const session = await workingSession(t, ann);
  const agent = await agentWithOps(port, session.token, UNATTENDED_OPS, os);
  const about = async (request: Promise<Response>) => {
    const op = await nextOp(agent, "unattended.about");
    agent.send({
      type: "opDone",
      id: op.id,
      json: JSON.stringify({ timeZone: "Europe/Amsterdam", ...answer }),
    });
    return await request;
  };
  return { path: `/console/sessions/${session.id}/unattended`, about, agent };
}

Deno.test("Computers: a Windows computer in the Windows service's words, no login-screen fields", async () => {
  const t = await startTestApp();
  try {
    const ann = await technician(t, { permissions: [...ACCESS] });
    const win = await deviceWithGrant(t, ann, { name: "front-desk", os: "windows" });
    const linux = await deviceWithGrant(t, ann, { name: "reception-pc" });
    const client = t.client();
    await client.signIn(ann.email, TECH_PASSWORD);
    const page = await (await client.get("/console/computers")).text();
    const row = (id: string) => page.slice(page.indexOf(`data-computer="${id}"`)).split("</tr>")[0];
    assert.match(
      row(win.device.id),
      /Windows service: shows the desktop of the user signed in at the console/,
    );
    assert.match(row(win.device.id), /title="[^"]*Not reached yet: the Windows sign-in and lock/);
    assert.doesNotMatch(row(win.device.id), /data-sign-in=/);
    assert.match(row(linux.device.id), /data-sign-in=/, "the Linux service still asks");
  } finally {
    await t.close();
  }
});

Deno.test({
  name:
    "unattended request: an app that may not install (Windows: not an administrator; Linux: not root) is named, and refused",
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
        for (
          const [os, words] of [
            ["windows", /does not run as an administrator[^<]*Run as administrator/],
            ["linux", /Linux computer does not run as root[^<]*sudo \.\/rescue-agent\.sh/],
          ] as const
        ) {
          const { path, about, agent } = await agentOn(t, port, ann, os, {
            canInstall: false,
            unavailable: "not_elevated",
          });
          const dialog = await about(browser.get(path, { "hx-request": "true" }));
          const html = await dialog.text();
          assert.match(html, words, os);
          assert.doesNotMatch(html, /unattended-form/);
          const refused = await about(browser.post(path, { authMode: "ask_each_time" }));
          assert.equal(refused.status, 409);
          assert.match(await refused.text(), words, os);
          agent.ws.close();
        }
      });
    } finally {
      await t.close();
    }
  },
});

Deno.test({
  name: "unattended request: a Windows computer is offered no kept credentials, and refused them",
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
        const win = await agentOn(t, port, ann, "windows", READY);
        const html = await (await win.about(browser.get(win.path, { "hx-request": "true" })))
          .text();
        assert.match(html, /unattended-form/);
        assert.doesNotMatch(html, /value="customer_credentials"/);
        assert.match(html, /<input type="hidden" name="authMode" value="ask_each_time"/);
        assert.match(
          html,
          /The Windows service does not sign in: it shows the desktop of the user/,
        );
        assert.doesNotMatch(html, /two weeks at most/);
        // Nor service mode, which the Windows app does not have: said, and refused.
        assert.doesNotMatch(html, /data-service-mode/);
        assert.match(html, /Service mode \(the support app restarting as a system service/);
        const service = await browser.post(win.path.replace(/unattended$/, "service-mode"), {});
        assert.equal(service.status, 409);
        assert.match(await service.text(), /is built for Linux only; the Windows support app/);
        // A crafted request with the customer's credentials: refused in words, nothing stored.
        const crafted = await win.about(
          browser.post(win.path, {
            authMode: "customer_credentials",
            kind: "days",
            days: "3",
            zoneOf: "technician",
            technicianZone: "Europe/Berlin",
          }),
        );
        assert.equal(crafted.status, 422);
        assert.match(
          await crafted.text(),
          /A Windows computer cannot keep the customer.{1,6}s credentials: the Windows service/,
        );
        assert.equal((await t.deps.db.select().from(unattendedRequests)).length, 0);
        // What the dialog offers is accepted.
        const asked = await win.about(
          browser.post(win.path, {
            authMode: "ask_each_time",
            kind: "days",
            days: "3",
            zoneOf: "technician",
            technicianZone: "Europe/Berlin",
          }),
        );
        assert.equal(asked.status, 201, await asked.clone().text());
        // A Linux computer keeps both choices.
        const linux = await agentOn(t, port, ann, "linux", READY);
        const linuxHtml =
          await (await linux.about(browser.get(linux.path, { "hx-request": "true" }))).text();
        assert.match(linuxHtml, /value="customer_credentials"/);
        assert.doesNotMatch(linuxHtml, /The Windows service does not sign in/);
        assert.match(linuxHtml, /data-service-mode/);
      });
    } finally {
      await t.close();
    }
  },
});
