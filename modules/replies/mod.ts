/** Filled by the console/session issue (#4). */
export * from "./schema.ts";
