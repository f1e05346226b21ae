/**
 * What relaying a viewer to the agent's home instance adds (issue 15), measured on running
 * instances that share `databaseUrl`: a technician (written straight into the database, with a
 * browser session), a session whose support app — a fake agent speaking protocol/ — is
 * attached to instance 0, and two viewer sockets of that technician: one on instance 0 (the
 * agent's home: the local path) and one on instance 1 (relayed to instance 0). Control is
 * granted by the fake agent; then each viewer in turn (blocks of `block`, `take_control` at
 * each switch, so both paths see the same moments of the machine's load) sends pointer
 * moves one at a time, and the time from `send` to the agent receiving that move is taken.
 * Used by `deno task bench:relay` and by bench:cluster (tools/bench_cluster).
 */
import postgres from "postgres";
import { hashPassword, toCurrentUser, users } from "../../modules/auth/mod.ts";
import { newInstance } from "../../modules/cluster/mod.ts";
import { loadConfig } from "../../modules/config/mod.ts";
import { openDatabase } from "../../modules/db/mod.ts";
import { fileStoreIn } from "../../modules/files/mod.ts";
import { type AppDeps, createLogger } from "../../modules/http/mod.ts";
import { LiveHub } from "../../modules/live/mod.ts";
import { defaultGroupSettings, groupMembers, technicianGroups } from "../../modules/org/mod.ts";
import { defaultPermissions } from "../../modules/permissions/mod.ts";
import { createPrivateSession, loadSession, startSession } from "../../modules/support/mod.ts";
import { randomToken, sha256Hex } from "../../modules/tokens/mod.ts";
import {
  type AgentMessage,
  Channel,
  type ServerMessage,
  ServerMessageSchema,
} from "../../protocol/mod.ts";

export interface RelayFigures {
  /** One-way times viewer → agent, in ms: viewer on the agent's instance, and relayed. */
  local: number[];
  relayed: number[];
  note?: string;
}

export interface MeasureOptions {
  /** Moves per path (default 500). */
  messages?: number;
  /** Moves per block before switching paths (default 50). */
  block?: number;
}

/** A socket and the frames it got, waited for by predicate. */
class Socket<In> {
  readonly inbox: In[] = [];
  #wake = () => {};
  readonly opened: Promise<void>;
  constructor(readonly ws: WebSocket, decode: (data: string) => In) {
    ws.onmessage = (event) => {
      if (typeof event.data !== "string") return;
      this.inbox.push(decode(event.data));
      this.#wake();
    };
    this.opened = new Promise((resolve, reject) => {
      ws.onopen = () => resolve();
      ws.onerror = () => reject(new Error(`socket to ${ws.url} failed`));
    });
  }

  async next(want: (m: In) => boolean, ms = 5_000): Promise<In> {
    const until = performance.now() + ms;
    for (;;) {
      const found = this.inbox.findIndex(want);
      if (found >= 0) return this.inbox.splice(0, found + 1)[found];
      if (performance.now() > until) throw new Error("no matching frame in time");
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        setTimeout(resolve, 20);
      });
    }
  }
}

function _open(url: string, headers?: Record<string, string>): WebSocket {
  // Deno's WebSocket takes headers in its second argument; the DOM type does not know it.
  return new WebSocket(url, headers && ({ headers } as unknown as string[]));
}

/** A technician with a browser session, and a working session with the fake agent on `home`. */
async function _setup(databaseUrl: string, home: string) {
  const dataDir = await Deno.makeTempDir({ prefix: "rescue-bench-relay-" });
  const config = await loadConfig({ env: { DATA_DIR: dataDir, DATABASE_URL: databaseUrl } });
  const database = await openDatabase(config);
  const deps: AppDeps = {
    config,
    db: database.db,
    dbKind: database.kind,
    clock: { now: () => new Date() },
    log: createLogger({}, () => {}),
    live: new LiveHub(),
    instance: newInstance("http://127.0.0.1:0"),
    files: fileStoreIn(dataDir),
  };
  const close = async () => {
    await database.close();
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
  };
  try {
    const [someone] = await deps.db.select().from(users).limit(1);
    const now = new Date();
    const [group] = await deps.db.insert(technicianGroups).values({
      orgId: someone.orgId,
      name: `Relay bench ${randomToken(4)}`,
      permissions: defaultPermissions(),
      settings: { ...defaultGroupSettings(), maxActiveSessions: 10 },
      createdAt: now,
      updatedAt: now,
    }).returning();
    const [row] = await deps.db.insert(users).values({
      orgId: someone.orgId,
      email: `relay-bench-${randomToken(6)}@cluster.test`.toLowerCase(),
      name: "Relay Bench",
      role: "technician",
      passwordHash: await hashPassword(randomToken()),
      createdAt: now,
    }).returning();
    await deps.db.insert(groupMembers).values({ userId: row.id, groupId: group.id });
    const tech = {
      ...toCurrentUser(row),
      permissions: new Set(defaultPermissions()),
      groupId: group.id,
    };
    // A browser session straight in the table (as bench:cluster seeds them): no sign-in limit.
    const cookie = randomToken();
    const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
    try {
      await sql`insert into web_sessions ${
        sql({
          id: await sha256Hex(cookie),
          user_id: row.id,
          stage: "full",
          ip: "127.0.0.1",
          user_agent: "bench:relay",
          created_at: now,
          last_seen_at: now,
          expires_at: new Date(now.getTime() + 3_600_000),
        })
      }`;
    } finally {
      await sql.end();
    }
    const { session } = await createPrivateSession(deps, tech, {
      method: "link",
      customerName: "Relay bench",
      fields: {},
    });
    const channel = new Channel<ServerMessage, AgentMessage>(ServerMessageSchema);
    const agent = new Socket<ServerMessage>(
      _open(`${home.replace(/^http/, "ws")}/agent/ws`),
      (data) => {
        const decoded = channel.decode(data);
        if (!decoded.ok) throw new Error(decoded.reason);
        return decoded.message;
      },
    );
    await agent.opened;
    const send = (message: AgentMessage) => agent.ws.send(channel.encode(message));
    send({
      type: "hello",
      token: session.token,
      deviceId: "bench-relay-device",
      os: "linux",
      language: "en",
      agentVersion: "0.1.0",
      screen: { width: 1920, height: 1080 },
    });
    await agent.next((m) => m.type === "welcome");
    await startSession(deps, tech, session.id);
    await loadSession(deps.db, session.id);
    return { cookie, session, agent, send, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * Measures both paths on the running instances `urls` (at least two; the agent on the first).
 * The database must be the one they share (migrated, with the bootstrap admin).
 */
export async function measureRelay(
  urls: string[],
  databaseUrl: string,
  options: MeasureOptions = {},
): Promise<RelayFigures> {
  if (urls.length < 2) throw new Error("measureRelay needs two instances");
  const messages = options.messages ?? 500;
  const block = options.block ?? 50;
  const { cookie, session, agent, send, close } = await _setup(databaseUrl, urls[0]);
  const viewers: Socket<{ type: string; [k: string]: unknown }>[] = [];
  try {
    for (const url of urls.slice(0, 2)) {
      const viewer = new Socket(
        _open(`${url.replace(/^http/, "ws")}/console/sessions/${session.id}/remote/ws`, {
          cookie: `rs_session=${cookie}`,
          origin: url,
        }),
        (data) => JSON.parse(data),
      );
      await viewer.opened;
      await viewer.next((m) => m.type === "state" && m.agent === "connected");
      viewers.push(viewer);
    }
    const [local, relayed] = viewers;
    local.ws.send(JSON.stringify({ type: "control", on: true }));
    await agent.next((m) => m.type === "request" && m.capability === "control");
    send({ type: "consent", capability: "view", granted: true });
    send({ type: "consent", capability: "control", granted: true });
    for (const viewer of viewers) {
      await viewer.next((m) => m.type === "state" && m.control === "granted");
    }

    const figures: RelayFigures = { local: [], relayed: [] };
    let seq = 0;
    const move = async (viewer: typeof local): Promise<number> => {
      const x = seq++ % 1900;
      const y = Math.floor(seq / 1900) % 1000;
      const sent = performance.now();
      viewer.ws.send(JSON.stringify({ type: "pointer", x, y }));
      await agent.next((m) => m.type === "pointer" && m.x === x && m.y === y);
      return performance.now() - sent;
    };
    for (let done = 0; done < messages; done += block) {
      for (const [viewer, into] of [[local, figures.local], [relayed, figures.relayed]] as const) {
        viewer.ws.send(JSON.stringify({ type: "take_control" }));
        await viewer.next((m) => m.type === "control_owner" && m.owner === "here");
        await move(viewer); // the first after a switch settles the owner: not counted
        for (let i = 0; i < Math.min(block, messages - done); i++) into.push(await move(viewer));
      }
    }
    return figures;
  } finally {
    for (const viewer of viewers) viewer.ws.close();
    agent.ws.close();
    await close();
  }
}

/** The q-quantile (0..1) of `values` (nearest rank). */
export function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}
