// The server's side of the customer's narrowed approval: on an unattended session the
// technician can ask the device for the tools the grant carries and nothing else — refused
// with the reason before anything reaches the device, and left out of what the workspace's
// tabs are offered; with the screen unticked, view and control are refused on the viewer's
// socket. (The agent refuses them too: agent/unattended/tool_grants_test.ts.)
import assert from "node:assert/strict";
import { startTestApp } from "../../tests/support/app.ts";
import { TECH_PASSWORD } from "../../tests/support/org.ts";
import { technician, workingSession } from "../../tests/support/sessions.ts";
import { until } from "../../tests/support/files_agent.ts";
import { agentWithOps, viewerSocket, withServer } from "../../tests/support/sockets.ts";
import { defaultPermissions } from "../permissions/mod.ts";
import { connectUnattended } from "./connect.ts";
import { deviceHub } from "./device_hub.ts";
import { approvedToolsOf } from "./session_tools.ts";
import { deviceWithGrant } from "./test_fixtures.ts";

const OPS = ["files.roots", "files.list", "system.processes", "scripts.run", "reboot.start"];

Deno.test({
  name:
    "approvedToolsOf(): an unattended session asks only for the tools the customer left ticked; other sessions are not limited",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const t = await startTestApp();
    try {
      await withServer(t, async (port) => {
        const ann = await technician(t, {
          name: "Ann",
          permissions: [...defaultPermissions(), "unattendedAccess", "scriptsDeploy"],
        });
        const browser = t.client();
        assert.equal((await browser.signIn(ann.email, TECH_PASSWORD)).status, 303);
        const { device } = await deviceWithGrant(t, ann, { tools: ["control", "files"] });
        deviceHub(t.deps).attach(device.id, { send: () => {}, close: () => {}, join: () => {} });
        // Tuesday 24 November 2026, 11:00 in Amsterdam: inside the grant's office hours.
        const { session } = await connectUnattended(t.deps, ann, device.id, t.clock.now());
        assert.deepEqual(await approvedToolsOf(t.deps, session.id), ["control", "files"]);

        // The agent's list of operations reaches the server after its welcome: wait for it.
        const offersKnown = (id: string) =>
          until("the agent's operations reached the server", async () => {
            const state = await (await browser.get(`/console/sessions/${id}/agent/state`)).json();
            return state.offered !== null;
          });
        const agent = await agentWithOps(port, session.token, OPS);
        await offersKnown(session.id);
        const ask = (capability: string) =>
          browser.post(`/console/sessions/${session.id}/agent/request`, { capability });
        const refused = await ask("systemInfo");
        assert.equal(refused.status, 409);
        assert.match(await refused.text(), /did not allow this with the unattended access/);
        for (const path of ["scripts/ask", "reboot/ask"]) {
          const res = await browser.post(`/console/sessions/${session.id}/${path}`);
          assert.equal(res.status, 409, path);
          await res.body?.cancel();
        }
        const allowed = await ask("files");
        assert.equal(allowed.status, 200);
        const state = await allowed.json();
        assert.deepEqual(state.offered, ["files"], "the tabs are offered the approved tool only");
        const request = await agent.next((m) => m.type === "request");
        assert.equal((request as { capability: string }).capability, "files");
        // The screen was ticked: view is asked for as usual.
        const viewer = await viewerSocket(port, browser, session.id);
        viewer.send({ type: "view", on: true });
        const asked = await agent.next((m) => m.type === "request");
        assert.equal((asked as { capability: string }).capability, "view");
        viewer.ws.close();
        agent.ws.close();

        // Another computer whose customer unticked the screen: view is refused on the server.
        const files = await deviceWithGrant(t, ann, { name: "files-only", tools: ["files"] });
        deviceHub(t.deps).attach(files.device.id, {
          send: () => {},
          close: () => {},
          join: () => {},
        });
        const second = await connectUnattended(t.deps, ann, files.device.id, t.clock.now());
        const filesAgent = await agentWithOps(port, second.session.token, OPS);
        const watcher = await viewerSocket(port, browser, second.session.id);
        watcher.send({ type: "view", on: true });
        const error = await watcher.next((m) => m.type === "error");
        assert.equal(error.code, "not_approved");
        assert.match(String(error.reason), /did not allow seeing or controlling the screen/);
        watcher.send({ type: "control", on: true });
        assert.equal((await watcher.next((m) => m.type === "error")).code, "not_approved");
        watcher.ws.close();
        filesAgent.ws.close();

        // A session the customer attends: the approval does not limit it.
        const attended = await workingSession(t, ann);
        const other = await agentWithOps(port, attended.token, OPS);
        await offersKnown(attended.id);
        const res = await browser.post(`/console/sessions/${attended.id}/agent/request`, {
          capability: "systemInfo",
        });
        assert.equal(res.status, 200);
        assert.ok((await res.json()).offered.includes("systemInfo"));
        other.ws.close();
      });
    } finally {
      await t.close();
    }
  },
});
