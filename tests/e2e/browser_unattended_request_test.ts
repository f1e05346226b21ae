// Unattended access asked for in a session, end to end in Chromium (issue 19): the technician
// opens the dialog from the workspace, asks for three days in the customer's time zone; the
// customer's chat shows the request, the customer reads the very terms on their page and
// approves; the support app (a protocol-speaking stand-in that signs with an Ed25519 key made
// here, as the real agent does with its device key) confirms and installs; the workspace's
// dialog then says Granted and the computer is on the technician's Computers page. The customer
// unticks two of the five tools first; the grant keeps the three left.
// Screenshots (1366×768; the customer's approval also at 1920×1080) go to SCREENSHOTS (a
// folder) when set.
import assert from "node:assert/strict";
import { eq } from "drizzle-orm";
import { browserTest, signInPage, withBrowser } from "../support/browser.ts";
import { attachFakeAgent, type FakeAgent } from "../support/fake_agent.ts";
import { TECH_PASSWORD } from "../support/org.ts";
import { technician, workingSession } from "../support/sessions.ts";
import { defaultPermissions } from "../../modules/permissions/mod.ts";
import { unattendedGrants } from "../../modules/unattended/mod.ts";
import { approvalMessage } from "../../protocol/unattended_request.ts";

const SHOTS = Deno.env.get("SCREENSHOTS");
const b64 = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");

/** Answers the server's operations as the support app would after the customer's yes. */
function playAgent(agent: FakeAgent, keys: CryptoKeyPair, publicKey: string) {
  const seen = new Set<string>();
  let stop = false;
  const answer = async (id: string, json: string) => {
    const request = JSON.parse(json);
    const done = (result: unknown) =>
      agent.send({ type: "opDone", id, json: JSON.stringify(result) });
    if (request.kind === "agent.about") {
      done({ os: "linux", ops: ["unattended.about", "unattended.install"] });
    } else if (request.kind === "unattended.about") {
      done({ timeZone: "Europe/Amsterdam", canInstall: true, unavailable: null });
    } else if (request.kind === "unattended.install") {
      const deviceId = "e2e-device-0001";
      const signature = new Uint8Array(
        await crypto.subtle.sign(
          "Ed25519",
          keys.privateKey,
          approvalMessage({ ...request, deviceId }) as Uint8Array<ArrayBuffer>,
        ),
      );
      done({
        deviceId,
        publicKey,
        signature: b64(signature),
        unit: "/tmp/e2e-root/etc/systemd/system/rescue-agent.service",
        credentialsKept: false,
        hostname: "carol-laptop",
        os: "linux",
      });
    }
  };
  (async () => {
    while (!stop) {
      for (const frame of agent.got) {
        if (frame.type === "op" && !seen.has(frame.id)) {
          seen.add(frame.id);
          await answer(frame.id, frame.json);
        }
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  return () => stop = true;
}

browserTest(
  "browser: unattended access — asked in the workspace, approved on the customer page, granted",
  async (t) => {
    const ann = await technician(t, {
      permissions: [...defaultPermissions(), "unattendedAccess"],
    });
    const session = await workingSession(t, ann);
    const id = session.id;
    const keys = await crypto.subtle.generateKey("Ed25519", true, [
      "sign",
      "verify",
    ]) as CryptoKeyPair;
    const publicKey = b64(new Uint8Array(await crypto.subtle.exportKey("spki", keys.publicKey)));
    await withBrowser(t, async ({ base, newPage }) => {
      const agent = await attachFakeAgent(base, session.token);
      const stop = playAgent(agent, keys, publicKey);
      try {
        const tech = await newPage();
        await tech.setViewportSize({ width: 1366, height: 768 });
        await signInPage(tech, base, ann.email, TECH_PASSWORD);
        await tech.waitForFunction(() => "htmx" in globalThis);
        await tech.locator(`#session-tabs [data-tab-session="${id}"]`).click();
        const panel = tech.locator(`#session-${id}`);
        await panel.locator(".head-menu > summary").click(); // the header's More actions
        await panel.locator("button[data-unattended]").click();
        const dialog = tech.locator("#unattended-dialog");
        await dialog.waitFor();
        await dialog.getByText("Europe/Amsterdam").waitFor();
        await dialog.locator("input[name=days]").fill("3");
        await dialog.locator("input[name=zoneOf][value=customer]").check();
        if (SHOTS) await tech.screenshot({ path: `${SHOTS}/unattended_request_dialog.png` });
        await dialog.locator("button[type=submit]").click();
        await tech.locator("#unattended-dialog [data-request-state=pending]").waitFor();

        const customer = await newPage();
        await customer.setViewportSize({ width: 1366, height: 768 });
        await customer.goto(`${base}/s/${session.token}`);
        await customer.locator("a.unattended-link").click();
        await customer.locator(".unattended-terms").waitFor();
        const terms = await customer.locator(".unattended-terms").innerText();
        assert.match(terms, /Credentials are asked at every connection/);
        assert.match(terms, /Europe\/Amsterdam \(your time zone\)/);
        // The customer unticks what they do not allow: scripts and restarting.
        const tools = customer.locator("fieldset.unattended-tools input[type=checkbox]");
        assert.equal(await tools.count(), 5);
        assert.equal(await customer.locator("fieldset.unattended-tools :checked").count(), 5);
        await customer.getByLabel("Running scripts").uncheck();
        await customer.getByLabel("Restarting the computer").uncheck();
        if (SHOTS) {
          await customer.screenshot({ path: `${SHOTS}/unattended-customer-tools-1366.png` });
          await customer.setViewportSize({ width: 1920, height: 1080 });
          await customer.screenshot({ path: `${SHOTS}/unattended-customer-tools-1920.png` });
        }
        await customer.locator("button[value=approve]").click();
        await customer.locator("[data-request-state=approved], [data-request-state=granted]")
          .waitFor();

        // Granted: in the database, in the dialog, and on the Computers page.
        for (let i = 0; i < 100; i++) {
          if ((await t.deps.db.select().from(unattendedGrants)).length > 0) break;
          await new Promise((r) => setTimeout(r, 50));
        }
        const [grant] = await t.deps.db.select().from(unattendedGrants)
          .where(eq(unattendedGrants.ownerUserId, ann.id));
        assert.ok(grant, "a grant was stored");
        assert.equal(grant.timeZone, "Europe/Amsterdam");
        // Signed by the device and kept with the grant: just what stayed ticked.
        assert.deepEqual(grant.tools, ["control", "files", "systemInfo"]);
        await tech.locator("#unattended-dialog [data-close-dialog]").click();
        await panel.locator(".head-menu > summary").click(); // the header's More actions
        await panel.locator("button[data-unattended]").click();
        await tech.locator("#unattended-dialog [data-request-state=granted]").waitFor();
        await tech.goto(`${base}/console/computers`);
        await tech.getByText("carol-laptop").first().waitFor();
        assert.deepEqual([...tech.errors, ...customer.errors], []);
      } finally {
        stop();
        agent.close();
      }
    });
  },
);
