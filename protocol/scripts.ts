/**
 * The agent operations of scripts (issue 17, SPEC R10; docs/agent_ops.md). `scripts.run`
 * carries the script and its resource file as data: the agent asks the customer about this
 * very script by name, writes both into a fresh private folder, runs the script there with
 * an interpreter it picks from the target OS and the script itself, streams its output and
 * answers with the exit code. Nothing in the request is ever put into a shell command line.
 */
import { z } from "zod";
import { defineOp } from "./op_spec.ts";

/** Largest script file, in bytes (UTF-8). */
export const SCRIPT_MAX_BYTES = 256 * 1024;
/** Largest resource file, in bytes; it travels base64 on the control socket, so it is small. */
export const RESOURCE_MAX_BYTES = 1024 * 1024;
/** The longest a script may run, in seconds (the technician picks up to this). */
export const SCRIPT_TIMEOUT_MAX_S = 3600;
/** One live output event's text, in characters. */
export const SCRIPT_CHUNK_MAX = 16 * 1024;
/** Output kept per stream in the result (the end of it), in characters. */
export const SCRIPT_RESULT_OUTPUT_MAX = 64 * 1024;

/** What a script is written for; `any` runs wherever its interpreter exists. */
export const SCRIPT_OS = ["any", "linux", "windows", "darwin"] as const;
export type ScriptOs = typeof SCRIPT_OS[number];

/**
 * A file name the agent writes into its folder: a plain name, no path, no leading dot or
 * dash (so it never reads as an option), letters, digits and `._ -+` only.
 */
export const SCRIPT_FILE_NAME = /^[A-Za-z0-9_+][A-Za-z0-9._ +-]{0,99}$/;
const fileName = z.string().regex(SCRIPT_FILE_NAME).refine((n) => n !== "." && n !== "..");
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export const ScriptOutputSchema = z.strictObject({
  stream: z.enum(["stdout", "stderr"]),
  text: z.string().max(SCRIPT_CHUNK_MAX),
});
export type ScriptOutput = z.infer<typeof ScriptOutputSchema>;

export const ScriptRunResultSchema = z.strictObject({
  /** The exit code, or null when the script was killed (time limit, stop) or never started. */
  exitCode: z.number().int().min(-2147483648).max(2147483647).nullable(),
  signal: z.string().max(16).nullable(),
  timedOut: z.boolean(),
  stopped: z.boolean(),
  durationMs: z.number().int().nonnegative(),
  /** The end of each stream (at most SCRIPT_RESULT_OUTPUT_MAX characters). */
  stdout: z.string().max(SCRIPT_RESULT_OUTPUT_MAX),
  stderr: z.string().max(SCRIPT_RESULT_OUTPUT_MAX),
  /** Characters the script wrote in all (both streams), also what was streamed. */
  outputChars: z.number().int().nonnegative(),
  /** The command the agent ran, as an argument list (shown to the technician). */
  command: z.array(z.string().max(200)).max(8),
});
export type ScriptRunResult = z.infer<typeof ScriptRunResultSchema>;

export const SCRIPT_OPS = [
  defineOp({
    kind: "scripts.run",
    capability: "scripts",
    params: {
      /** Shown to the customer, who allows or declines this run. */
      name: z.string().min(1).max(120),
      fileName,
      targetOs: z.enum(SCRIPT_OS),
      /** The script's text (UTF-8). */
      script: z.string().min(1).max(SCRIPT_MAX_BYTES),
      resource: z.strictObject({
        fileName,
        base64: z.string().max(Math.ceil(RESOURCE_MAX_BYTES / 3) * 4).regex(BASE64),
      }).nullable(),
      timeoutSeconds: z.number().int().min(1).max(SCRIPT_TIMEOUT_MAX_S),
    },
    result: ScriptRunResultSchema,
    event: ScriptOutputSchema,
    // The server passes the script's own limit (plus the customer's time to answer).
    timeoutMs: (SCRIPT_TIMEOUT_MAX_S + 300) * 1000,
  }),
] as const;
