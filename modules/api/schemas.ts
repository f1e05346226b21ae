import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { type AppEnv, problem } from "../http/mod.ts";

export const Problem = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  requestId: z.string(),
}).openapi("Problem");

export const problemResponse = (description: string) => ({
  description,
  content: { "application/problem+json": { schema: Problem } },
});

type ProblemStatus = 400 | 401 | 403 | 404 | 409 | 422 | 423 | 429;

/**
 * The problems one route answers with, each described for that route — only the statuses it
 * can give, so a client reads what each means there (OpenAPI `responses`).
 */
export function problems<S extends ProblemStatus>(
  described: Record<S, string>,
): Record<S, ReturnType<typeof problemResponse>> {
  return Object.fromEntries(
    Object.entries(described).map(([status, text]) => [status, problemResponse(text as string)]),
  ) as Record<S, ReturnType<typeof problemResponse>>;
}

/**
 * The problems of a route behind a bearer token: 401, and a 403 that says why this route
 * refuses (`forbidden`, if it has a reason of its own) besides the one every token route
 * shares (the organisation requires 2FA and the token's user has not set it up).
 */
export function tokenProblems<S extends Exclude<ProblemStatus, 401 | 403>>(
  forbidden: string | null,
  described: Record<S, string>,
) {
  const enrol = "the organisation requires 2FA and the token's user has not set it up";
  return problems({
    401: "Missing, unknown, revoked or expired token",
    403: forbidden ? `${forbidden}; or ${enrol}` : `Only when ${enrol}`,
    ...described,
  } as Record<S | 401 | 403, string>);
}

/** What a 422 means on a route that reads a body or parameters. */
export const INVALID = "Malformed or invalid input (every issue is listed); nothing was changed";

/** zod validation failures become a 422 problem listing every issue. */
export function validationHook(
  result: { success: boolean; error?: { issues: { path: PropertyKey[]; message: string }[] } },
  c: Context<AppEnv>,
) {
  if (!result.success) {
    const issues = (result.error?.issues ?? []).map((i) => ({
      path: i.path.map(String).join("."),
      message: i.message,
    }));
    return problem(c, 422, c.get("t")("api.invalidRequest"), { issues });
  }
}
