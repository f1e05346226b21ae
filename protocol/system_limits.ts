/**
 * The bounds of system information's lists (protocol/system.ts re-exports them), in a file of
 * their own without zod: the Windows layer's test fixture runs them on a Deno with no packages.
 */
export const PROCESSES_MAX = 4000;
export const UNITS_MAX = 3000;
export const APPS_MAX = 12_000;
export const MODULES_MAX = 2000;
export const STARTUP_MAX = 1000;
export const EVENTS_MAX = 1000;
export const EVENT_FILTER_MAX = 200;
/** Linux's PID_MAX_LIMIT (2^22). */
export const PID_MAX = 4_194_304;
