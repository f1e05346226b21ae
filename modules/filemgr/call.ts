/**
 * The file manager's way of asking the agent: `callAgent` (modules/remote) with the agent's
 * failure turned into a `FileRefusal` with its code; and reading a route's JSON body or
 * query through a zod schema (bad input is a 400 `invalid` that changes nothing).
 */
import type { Context } from "hono";
import type { z } from "zod";
import type { AppEnv } from "../http/mod.ts";
import type { AppDeps } from "../http/mod.ts";
import { callAgent } from "../remote/mod.ts";
import type { FILE_OPS } from "../../protocol/files.ts";
import { FileRefusal } from "./access.ts";

type Spec = typeof FILE_OPS[number];
export type FileKind = Spec["kind"];
type Of<K extends FileKind> = Extract<Spec, { kind: K }>;
export type FileRequest<K extends FileKind> = z.infer<Of<K>["request"]>;
export type FileResult<K extends FileKind> = z.infer<Of<K>["result"]>;
export type FileOutcome<K extends FileKind> =
  | { ok: true; result: FileResult<K> }
  | { ok: false; code: string; reason: string };

/** `callAgent`, typed from this feature's own specs (a widened kind elsewhere cannot blur them). */
export function callFiles<K extends FileKind>(
  deps: AppDeps,
  sessionId: string,
  request: FileRequest<K> & { kind: K },
  options: {
    signal?: AbortSignal;
    onEvent?: (event: z.infer<Of<K>["event"]>) => void;
    timeoutMs?: number;
  } = {},
): Promise<FileOutcome<K>> {
  return callAgent(deps, sessionId, request as never, options as never) as Promise<
    FileOutcome<K>
  >;
}

export async function ask<K extends FileKind>(
  c: Context<AppEnv>,
  sessionId: string,
  request: FileRequest<K> & { kind: K },
  options?: { signal?: AbortSignal },
): Promise<FileResult<K>> {
  const outcome = await callAgent(c.get("deps"), sessionId, request as never, options);
  if (outcome.ok) return outcome.result as FileResult<K>;
  throw new FileRefusal(outcome.code, outcome.reason);
}

export async function jsonBody<S extends z.ZodType>(
  c: Context<AppEnv>,
  schema: S,
): Promise<z.infer<S>> {
  let raw: unknown;
  try {
    raw = await c.req.json();
  } catch {
    throw new FileRefusal("invalid", "the body is not JSON");
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new FileRefusal("invalid", `${issue?.path.join(".") || "body"}: ${issue?.message}`);
  }
  return parsed.data;
}

export function query<S extends z.ZodType>(c: Context<AppEnv>, schema: S): z.infer<S> {
  const parsed = schema.safeParse(c.req.query());
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new FileRefusal("invalid", `${issue?.path.join(".") || "query"}: ${issue?.message}`);
  }
  return parsed.data;
}
