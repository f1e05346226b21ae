/**
 * What the benchmarks that start the real server share: a free port, the server's resident
 * memory, and a cookie jar over real HTTP that plays a browser.
 */

/** A TCP port on 127.0.0.1 that nothing listens on right now. */
export function freePort(): number {
  const listener = Deno.listen({ port: 0, hostname: "127.0.0.1" });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

/** The resident memory of process `pid` in MiB (0 once it is gone). */
export async function rssMiB(pid: number): Promise<number> {
  try {
    const status = await Deno.readTextFile(`/proc/${pid}/status`);
    return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
  } catch {
    return 0;
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A cookie jar over real HTTP that fills in the CSRF token from the last page. */
export class BenchBrowser {
  cookies = new Map<string, string>();
  csrf = "";
  /** `address` plays a distinct client (sent as X-Forwarded-For; the server trusts it). */
  constructor(readonly base: string, readonly address?: string) {}

  async request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set("cookie", [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; "));
    headers.set("origin", this.base);
    if (this.address) headers.set("x-forwarded-for", this.address);
    const res = await fetch(this.base + path, { ...init, headers, redirect: "manual" });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const i = pair.indexOf("=");
      this.cookies.set(pair.slice(0, i).trim(), pair.slice(i + 1).trim());
    }
    return res;
  }

  /** Loads a page and keeps its CSRF token. */
  async page(path: string): Promise<string> {
    const text = await (await this.request(path)).text();
    const match = /name="_csrf" value="([^"]+)"/.exec(text) ??
      /X-CSRF-Token&quot;:&quot;([^&]+)&quot;/.exec(text);
    if (match) this.csrf = match[1];
    return text;
  }

  /** Posts a form with the last page's CSRF token; the answer's body is dropped. */
  async post(path: string, fields: Record<string, string> = {}): Promise<Response> {
    const res = await this.request(path, {
      method: "POST",
      body: new URLSearchParams({ _csrf: this.csrf, ...fields }),
      headers: { "content-type": "application/x-www-form-urlencoded", "x-csrf-token": this.csrf },
    });
    await res.body?.cancel();
    return res;
  }
}
