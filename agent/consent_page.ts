// Over 400 lines on purpose: the agent's one window — its server, secret, questions, notices and answers share one state; the markup is in consent_page_assets.ts.
/**
 * The agent's own window for the customer's answers: a small page the agent serves itself on
 * loopback (`http://127.0.0.1:<random port>/<secret>/`) and opens in the customer's browser.
 * Its HTML, script and style ship inside the agent (consent_page_assets.ts), so the server —
 * which the consent protects the customer from — supplies no code that could answer for the
 * customer, and nothing that grants ever passes through the server.
 *
 * Who else could reach it, and why they get nothing:
 * - other web pages (the server's own, or any site) in the customer's browser: they do not
 *   know the secret path; a state change also needs our exact Origin and a JSON body (a
 *   cross-site POST of that kind needs a CORS preflight we never answer), and
 *   `Sec-Fetch-Site`, when sent, must say same-origin (or none: the customer opened it);
 * - DNS rebinding (a foreign name resolving to 127.0.0.1): the Host must be exactly ours;
 * - other local users: they can reach the port but not guess the secret (192 bits), and the
 *   secret is not on any command line they could read in the process list: the browser is
 *   opened on a launcher file only this user can read (`writeLauncher`), which forwards to
 *   the page;
 * - the server: it only hears the result (`consent`), after the customer chose.
 * The page sends no Referer (so the secret does not leak through the chat link), may not be
 * framed, and runs under a CSP that allows only its own script and style.
 */
import { CAPABILITIES, type Capability } from "../protocol/mod.ts";
import type { Agent, CustomerState } from "./agent.ts";
import { PAGE_CSS, PAGE_JS, pageHtml } from "./consent_page_assets.ts";
import { randomId } from "./consent.ts";
import type { AgentStrings } from "./strings.ts";
import type { CredentialCheck } from "./unattended/os_login.ts";
import type { OsCredentials } from "./unattended/credentials.ts";

export type WindowStatus = "connecting" | "connected" | "reconnecting";

/** Who is connected without the customer, shown as a banner at the top of the window. */
export interface ConnectedBanner {
  /** The technician's name, when the agent knows it (service mode does not). */
  technician: string | null;
  mode: "unattended" | "service";
}

/** What the customer typed for unattended access, after the check. */
export type GivenCredentials = OsCredentials & { verified: boolean; note: string | null };

export interface ConsentPageOptions {
  /** The session's agent; null while none runs (the unattended service between sessions). */
  agent: Agent | null;
  strings: AgentStrings;
  lang: string;
  /** The server's name as the customer knows it (shown, never fetched from). */
  server: string;
  /** The customer's chat page on the server (a plain link). */
  chatUrl: string;
  log?: (message: string) => void;
  /** The window outlives sessions (the service's): a session's end does not close it. */
  persistent?: boolean;
  /** Checks credentials typed into the window (os_login.ts); absent: the form is not offered. */
  verifyCredentials?: (credentials: OsCredentials) => Promise<CredentialCheck>;
  /** The banner's Disconnect: ends the connection now. */
  onDisconnect?: () => void;
  /** The banner's Revoke: ends unattended access on this computer; false when it failed. */
  onRevokeAccess?: () => Promise<boolean>;
}

interface CredentialsAsk {
  id: string;
  detail: string;
  error: string | null;
  resolve: (given: GivenCredentials | null) => void;
}

const LONG_POLL_MS = 20_000;
const IDLE = {
  view: false,
  control: false,
  noDesktop: null,
  ended: null,
  recorded: false,
  drawing: false,
  presenting: null,
} as const;
const MAX_BODY_BYTES = 1024;

const SECURITY_HEADERS: Record<string, string> = {
  "content-security-policy": "default-src 'none'; script-src 'self'; style-src 'self'; " +
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "cache-control": "no-store",
  "referrer-policy": "no-referrer",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "cross-origin-resource-policy": "same-origin",
  "cross-origin-opener-policy": "same-origin",
};

export class ConsentPage {
  readonly #secret = randomId(24);
  readonly #server: Deno.HttpServer<Deno.NetAddr>;
  readonly #origin: string;
  #version = 0;
  #status: WindowStatus = "connecting";
  #waiters = new Set<() => void>();
  #connected: ConnectedBanner | null = null;
  #revoked = false;
  #credentials: CredentialsAsk | null = null;
  /** Refused requests so far (tests read it). */
  refused = 0;

  constructor(private options: ConsentPageOptions) {
    this.#server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      (request) => this.#handle(request),
    );
    this.#origin = `http://127.0.0.1:${this.#server.addr.port}`;
  }

  /** The page's address (the secret is in the path: treat it like a password). */
  get url(): string {
    return `${this.#origin}/${this.#secret}/`;
  }

  get origin(): string {
    return this.#origin;
  }

  /** Something the page shows changed: wake the waiting page. */
  changed() {
    this.#version++;
    for (const wake of this.#waiters) wake();
    this.#waiters.clear();
  }

  setStatus(status: WindowStatus) {
    if (status === this.#status) return;
    this.#status = status;
    this.changed();
  }

  /** The agent of the session now running (the service has one per connection). */
  setAgent(agent: Agent | null) {
    this.options.agent = agent;
    this.changed();
  }

  /** Shows (or, with null, hides) the "… is connected to this computer" banner. */
  setConnected(banner: ConnectedBanner | null) {
    this.#connected = banner;
    this.changed();
  }

  get connected(): ConnectedBanner | null {
    return this.#connected;
  }

  /**
   * Puts the credentials form in front of the customer with `detail` (the terms); resolves
   * with what they typed once it passed the check, or null when they declined or `signal`
   * aborted. One form at a time: a second ask while one is open is declined.
   */
  askCredentials(detail: string, signal?: AbortSignal): Promise<GivenCredentials | null> {
    if (this.#credentials || !this.options.verifyCredentials) return Promise.resolve(null);
    const { promise, resolve } = Promise.withResolvers<GivenCredentials | null>();
    const ask: CredentialsAsk = { id: randomId(12), detail, error: null, resolve };
    const finish = (given: GivenCredentials | null) => {
      if (this.#credentials !== ask) return;
      this.#credentials = null;
      this.changed();
      resolve(given);
    };
    ask.resolve = finish;
    this.#credentials = ask;
    signal?.addEventListener("abort", () => finish(null), { once: true });
    this.changed();
    return promise;
  }

  async close() {
    this.#credentials?.resolve(null);
    for (const wake of this.#waiters) wake();
    await this.#server.shutdown();
  }

  #refuse(status: number, why: string): Response {
    this.refused++;
    this.options.log?.(`window: refused a request (${why})`);
    return new Response(why, { status, headers: SECURITY_HEADERS });
  }

  async #handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    // DNS rebinding: a page of evil.example resolving to 127.0.0.1 sends its own Host.
    if (request.headers.get("host") !== url.host || url.host !== new URL(this.#origin).host) {
      return this.#refuse(421, "wrong host");
    }
    const prefix = `/${this.#secret}/`;
    if (!_sameText(url.pathname.slice(0, prefix.length), prefix)) {
      return this.#refuse(404, "no such page");
    }
    const path = url.pathname.slice(prefix.length);
    // Opening the page itself is harmless from anywhere (the launcher file is another origin;
    // another site cannot frame or read it); everything else only from the page itself.
    const site = request.headers.get("sec-fetch-site");
    const opening = request.method === "GET" && path === "" &&
      request.headers.get("sec-fetch-mode") === "navigate";
    if (site !== null && site !== "same-origin" && site !== "none" && !opening) {
      return this.#refuse(403, "another site");
    }
    if (request.method === "GET") {
      if (path === "") return this.#respond(this.#html(), "text/html; charset=utf-8");
      if (path === "page.js") return this.#respond(PAGE_JS, "text/javascript; charset=utf-8");
      if (path === "page.css") return this.#respond(PAGE_CSS, "text/css; charset=utf-8");
      if (path === "state") return await this.#state(Number(url.searchParams.get("after")));
      return this.#refuse(404, "no such page");
    }
    if (request.method !== "POST") return this.#refuse(405, "method");
    // State changes: our own page only (a browser always sends Origin on a POST fetch).
    if (request.headers.get("origin") !== this.#origin) return this.#refuse(403, "foreign origin");
    if (!(request.headers.get("content-type") ?? "").startsWith("application/json")) {
      return this.#refuse(415, "json only");
    }
    const body = await _smallJson(request);
    if (body === null) return this.#refuse(400, "bad body");
    if (path === "answer") return this.#answer(body);
    if (path === "revoke") return this.#revoke(body);
    if (path === "confirm") return this.#confirm(body);
    if (path === "credentials") return await this.#credentialsAnswer(body);
    if (path === "disconnect") return this.#disconnect();
    if (path === "stop-drawing") {
      this.options.agent?.stopDrawing();
      return this.#respond("{}", "application/json");
    }
    if (path === "revoke-access") return await this.#revokeAccess();
    return this.#refuse(404, "no such page");
  }

  #respond(body: string, type: string, status = 200): Response {
    return new Response(body, { status, headers: { ...SECURITY_HEADERS, "content-type": type } });
  }

  #html(): string {
    return pageHtml({
      strings: this.options.strings,
      lang: this.options.lang,
      server: this.options.server,
      chatUrl: this.options.chatUrl,
      title: this.options.persistent ? this.options.strings.unattendedService.title : undefined,
    });
  }

  async #state(after: number): Promise<Response> {
    if (after === this.#version && this.#customerState().ended === null) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve) => {
        this.#waiters.add(resolve);
        timer = setTimeout(resolve, LONG_POLL_MS);
      });
      clearTimeout(timer);
    }
    const state = {
      version: this.#version,
      status: this.#status,
      ...this.#customerState(),
      connected: this.#connected,
      canDisconnect: this.#connected !== null && this.options.onDisconnect !== undefined,
      canRevoke: this.options.onRevokeAccess !== undefined && !this.#revoked,
      revoked: this.#revoked,
      persistent: this.options.persistent === true,
      credentials: this.#credentials && {
        id: this.#credentials.id,
        detail: this.#credentials.detail,
        error: this.#credentials.error,
      },
    };
    return this.#respond(JSON.stringify(state), "application/json");
  }

  /** The agent's part of the state; idle with no agent, or a finished one in a lasting window. */
  #customerState(): CustomerState {
    const agent = this.options.agent;
    const state = agent?.customerState;
    if (state && (state.ended === null || !this.options.persistent)) return state;
    return { ...IDLE, questions: [], tools: [], confirms: [] };
  }

  async #credentialsAnswer(body: Record<string, unknown>): Promise<Response> {
    const ask = this.#credentials;
    if (!ask || body.id !== ask.id) return this.#refuse(409, "no such form");
    if (body.decline === true) {
      ask.resolve(null);
      return this.#respond("{}", "application/json");
    }
    const { user, password } = body;
    if (
      typeof user !== "string" || typeof password !== "string" || user.length > 64 ||
      password.length > 512
    ) {
      return this.#refuse(400, "bad credentials");
    }
    const check = await this.options.verifyCredentials!({ user: user.trim(), password });
    if (this.#credentials !== ask) return this.#refuse(409, "no such form");
    if (!check.ok) {
      ask.error = check.reason;
      this.changed();
      return this.#respond(JSON.stringify({ error: check.reason }), "application/json", 422);
    }
    ask.resolve({ user: user.trim(), password, verified: check.verified, note: check.note });
    return this.#respond(
      JSON.stringify({ verified: check.verified, note: check.note }),
      "application/json",
    );
  }

  #disconnect(): Response {
    if (!this.#connected || !this.options.onDisconnect) return this.#refuse(409, "nobody");
    this.options.log?.("window: the customer disconnected the technician");
    this.options.onDisconnect();
    return this.#respond("{}", "application/json");
  }

  async #revokeAccess(): Promise<Response> {
    if (!this.options.onRevokeAccess || this.#revoked) return this.#refuse(409, "nothing");
    this.options.log?.("window: the customer revokes unattended access");
    if (!(await this.options.onRevokeAccess())) return this.#refuse(502, "revoke failed");
    this.#revoked = true;
    this.changed();
    return this.#respond("{}", "application/json");
  }

  #answer(body: Record<string, unknown>): Response {
    const { capability, id, allow } = body;
    if (!_isCapability(capability) || typeof id !== "string" || typeof allow !== "boolean") {
      return this.#refuse(400, "bad answer");
    }
    const agent = this.options.agent;
    if (!agent) return this.#refuse(409, "no session");
    const verdict = agent.answer(capability, id, allow);
    if (!verdict.ok) return this.#refuse(409, verdict.reason);
    return this.#respond("{}", "application/json");
  }

  #confirm(body: Record<string, unknown>): Response {
    const { id, allow } = body;
    if (typeof id !== "string" || typeof allow !== "boolean") {
      return this.#refuse(400, "bad answer");
    }
    const agent = this.options.agent;
    if (!agent) return this.#refuse(409, "no session");
    const verdict = agent.confirmAnswer(id, allow);
    if (!verdict.ok) return this.#refuse(409, verdict.reason);
    return this.#respond("{}", "application/json");
  }

  #revoke(body: Record<string, unknown>): Response {
    if (!_isCapability(body.capability)) return this.#refuse(400, "bad capability");
    this.options.agent?.revoke(body.capability);
    return this.#respond("{}", "application/json");
  }
}

/**
 * A file only this user can read that forwards the browser to the page: the browser is opened
 * on the file's path, so the page's secret never appears on a command line (the process list
 * is visible to other users). Returns the file's URL; the caller removes it at exit.
 */
export async function writeLauncher(dir: string, pageUrl: string): Promise<URL> {
  await Deno.mkdir(dir, { recursive: true, mode: 0o700 });
  const path = await Deno.makeTempFile({ dir, prefix: "window-", suffix: ".html" });
  await Deno.chmod(path, 0o600).catch(() => {}); // not on Windows; the folder is the user's
  const href = pageUrl.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
  await Deno.writeTextFile(
    path,
    `<!doctype html><meta charset="utf-8"><meta name="referrer" content="no-referrer">` +
      `<meta http-equiv="refresh" content="0;url=${href}"><a href="${href}">${href}</a>\n`,
  );
  return new URL(`file://${path.startsWith("/") ? "" : "/"}${path.replaceAll("\\", "/")}`);
}

function _isCapability(value: unknown): value is Capability {
  return typeof value === "string" && (CAPABILITIES as readonly string[]).includes(value);
}

/** Compares without an early exit (the secret is in the path). */
function _sameText(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

async function _smallJson(request: Request): Promise<Record<string, unknown> | null> {
  const reader = request.body?.getReader();
  if (!reader) return null;
  const bytes = new Uint8Array(MAX_BODY_BYTES);
  let size = 0;
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    if (size + read.value.byteLength > MAX_BODY_BYTES) {
      await reader.cancel();
      return null;
    }
    bytes.set(read.value, size);
    size += read.value.byteLength;
  }
  try {
    const parsed = JSON.parse(new TextDecoder().decode(bytes.subarray(0, size)));
    return parsed && typeof parsed === "object" && !Array.isArray(parsed) ? parsed : null;
  } catch {
    return null;
  }
}
