/**
 * For the file manager's server tests: the test app served on loopback, a technician signed
 * in on a working session, and the real agent (agent.ts, its real connection and its real
 * file handlers, with a stand-in screen) joined to that session with a temporary home
 * folder as the customer's files. `grantFiles()` asks as the technician and answers Allow
 * as the customer does in the agent's window.
 */
import { Agent, type EncoderLike } from "../../agent/agent.ts";
import { AgentConnection } from "../../agent/connection.ts";
import type { Desktop, Frame } from "../../agent/platform/types.ts";
import { fileHandlers } from "../../agent/files/handlers.ts";
import { linuxFiles } from "../../agent/files/linux.ts";
import { type Permission } from "../../modules/permissions/mod.ts";
import { remoteHub } from "../../modules/remote/mod.ts";
import { startTestApp, type TestApp, type TestClient } from "./app.ts";
import { serveLoopback } from "./browser.ts";
import { makeGroup, makePerson, TECH_PASSWORD } from "./org.ts";
import { workingSession } from "./sessions.ts";
import { toCurrentUser } from "../../modules/auth/mod.ts";

function stillDesktop(): Desktop {
  const frame: Frame = { width: 64, height: 48, stride: 256, data: new Uint8Array(64 * 48 * 4) };
  return {
    width: 64,
    height: 48,
    grab: () => frame,
    cursor: () => null,
    pointer: () => {},
    button: () => {},
    wheel: () => {},
    key: () => {},
    ctrlAltDel: () => null,
    clipboardRead: () => Promise.resolve(""),
    clipboardWrite: () => Promise.resolve(),
    keyboardLayout: () => "us",
    close: () => {},
  };
}

const stillEncoder = (): EncoderLike => ({
  encode: () => ({ data: new Uint8Array([1]), keyframe: true }),
  setPreset: () => {},
  close: () => {},
});

export async function until(what: string, check: () => boolean | Promise<boolean>, ms = 10_000) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export interface FilesWorld {
  t: TestApp;
  base: string;
  client: TestClient;
  sessionId: string;
  agent: Agent;
  connection: AgentConnection;
  /** The customer's home folder (their files). */
  home: string;
  prefix: string;
  getJson(path: string): Promise<{ status: number; body: Record<string, unknown> }>;
  postJson(path: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }>;
  grantFiles(): Promise<void>;
  /** The server drops the agent's control socket; the agent reconnects by itself. */
  dropAgent(): Promise<void>;
  close(): Promise<void>;
}

export async function filesWorld(
  options: { permissions?: Permission[] } = {},
): Promise<FilesWorld> {
  const t = await startTestApp();
  const served = serveLoopback((req) => t.app.fetch(req));
  const permissions = options.permissions ??
    ["startPrivate", "methodLink", "fileManager"] as Permission[];
  const group = await makeGroup(t, { permissions });
  const person = await makePerson(t, { groupId: group.id });
  const tech = { ...toCurrentUser(person), permissions: new Set(permissions), groupId: group.id };
  const session = await workingSession(t, tech);
  const client = t.client();
  await client.signIn(person.email, TECH_PASSWORD);
  await client.get("/console");
  const base = await Deno.makeTempDir({ prefix: "files-world-" });
  const home = `${base}/home`;
  await Deno.mkdir(home);
  const agent = new Agent({
    desktop: stillDesktop(),
    encoder: stillEncoder,
    ops: fileHandlers({
      os: "linux",
      serverUrl: served.base,
      token: session.token,
      dataDir: `${base}/agent-data`,
      log: () => {},
    }, { os: linuxFiles({ home, dataHome: `${home}/.local/share` }) }),
  });
  const connection = new AgentConnection({
    url: `${served.base.replace("http", "ws")}/agent/ws`,
    hello: {
      token: session.token,
      deviceId: "files-test-device-0001",
      os: "linux",
      language: "en",
      agentVersion: "test",
      screen: { width: 64, height: 48 },
    },
    agent,
    log: () => {},
  });
  connection.start();
  await until("the agent attached", () => remoteHub(t.deps).find(session.id)?.agent != null);
  const prefix = `/console/sessions/${session.id}/file-manager`;
  const parse = async (res: Response) => {
    const text = await res.text();
    try {
      return { status: res.status, body: JSON.parse(text) };
    } catch {
      return { status: res.status, body: { text } };
    }
  };
  const world: FilesWorld = {
    t,
    base: served.base,
    client,
    sessionId: session.id,
    agent,
    connection,
    home,
    prefix,
    getJson: async (path) => parse(await client.get(path)),
    postJson: async (path, body) =>
      parse(
        await client.send(path, {
          method: "POST",
          body: JSON.stringify(body),
          headers: { "content-type": "application/json", "x-csrf-token": client.csrf },
        }),
      ),
    async grantFiles() {
      const asked = await client.post(`/console/sessions/${session.id}/agent/request`, {
        capability: "files",
      });
      if (asked.status !== 200) throw new Error(`request files: ${asked.status}`);
      await until(
        "the question",
        () => agent.customerState.questions.some((q) => q.capability === "files"),
      );
      const question = agent.customerState.questions.find((q) => q.capability === "files")!;
      const verdict = agent.answer("files", question.id, true);
      if (!verdict.ok) throw new Error(`answer: ${verdict.reason}`);
      await until("the grant at the server", async () => {
        const state = await (await client.get(`/console/sessions/${session.id}/agent/state`))
          .json();
        return state.consent.files === "granted";
      });
    },
    async dropAgent() {
      const before = connection.connects;
      remoteHub(t.deps).find(session.id)?.agent?.close(4000, "dropped by the test");
      await until(
        "the agent back",
        () => connection.connects > before && remoteHub(t.deps).find(session.id)?.agent != null,
      );
    },
    async close() {
      connection.end("test over");
      agent.stop();
      await served.close();
      await t.close();
      await Deno.remove(base, { recursive: true }).catch(() => {});
    },
  };
  return world;
}
