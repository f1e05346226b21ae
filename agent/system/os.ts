/**
 * What system information needs from an operating system: one method per dashboard section
 * or tab, each answering "not available" with the reason instead of failing. Linux is
 * linux/linux.ts; Windows and macOS get their own implementation behind the same interface.
 */
import type {
  Applications,
  DriverRow,
  Events,
  ProcessRow,
  Section,
  ServiceAction,
  ServiceRow,
  Snapshot,
  Startup,
  UserInfo,
} from "../../protocol/system.ts";

export interface RunningProcess {
  pid: number;
  name: string;
  /** When it started (clock ticks after boot): a later process with the same PID differs. */
  startTicks: number;
  /** Z: ended, waiting for its parent to collect it. */
  state: string;
}

export interface SystemOs {
  snapshot(signal: AbortSignal): Promise<Snapshot>;
  processes(signal: AbortSignal): Promise<Section<{ rows: ProcessRow[]; truncated: boolean }>>;
  process(pid: number): Promise<RunningProcess | undefined>;
  /** Sends SIGTERM (SIGKILL when `force`); throws Deno.errors.PermissionDenied when not allowed. */
  signalProcess(pid: number, force: boolean): void;
  services(signal: AbortSignal): Promise<Section<ServiceRow[]>>;
  serviceAction(
    unit: string,
    action: ServiceAction,
    signal: AbortSignal,
  ): Promise<{ ok: true; active: string } | { ok: false; reason: string }>;
  applications(signal: AbortSignal): Promise<Applications>;
  user(): Promise<Section<UserInfo>>;
  drivers(): Promise<Section<DriverRow[]>>;
  startup(signal: AbortSignal): Promise<Startup>;
  events(
    query: { maxPriority: number; text: string; limit: number },
    signal: AbortSignal,
  ): Promise<Events>;
}
