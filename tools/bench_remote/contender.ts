// The interface a remote-view implementation implements to be measured by
// `deno task bench:remote` (tools/bench_remote.ts). The harness owns the X display (Xvfb
// with the workload page on it) and a headless viewer browser; a contender starts whatever
// captures that display and streams it, opens its viewer in a page of `env.browser`, and
// hands back the page plus the selector of the element showing the remote screen at 1:1.
// Add an implementation to the list in contenders.ts.
import type { BrowserContext, Page } from "playwright-core";

export interface BenchEnv {
  display: string;
  width: number;
  height: number;
  browser: BrowserContext; /* headless viewer context */
}

export interface RunningContender {
  /** The viewer page, already showing the remote screen at 1:1 */
  page: Page;
  /** CSS selector of the element the decoder reads: a canvas or a video */
  source: string;
  /**
   * Optional: CSS selector of the viewer's own pointer element, drawn over the picture when the
   * pointer is sent apart from it; its `data-x` is the hot spot's x on the remote screen (the
   * pointer workload reads it where the picture has no pointer)
   */
  pointerOverlay?: string;
  /**
   * Processes whose CPU is charged to this contender (the harness adds their descendants,
   * and the CPU of children they already reaped)
   */
  pids(): number[];
  /**
   * Optional: the same processes by name (e.g. server, agent), each part's CPU reported
   * separately as well (`cpuPctByPart`), descendants included
   */
  pidsByPart?(): Record<string, number[]>;
  /** Bytes received by the viewer so far (from inside the page or from the transport) */
  bytesReceived(): Promise<number>;
  stop(): Promise<void>;
}

export interface Contender {
  name: string;
  start(env: BenchEnv): Promise<RunningContender>;
}
