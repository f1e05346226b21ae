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

/** The standard error responses of an authenticated, admin-only route. */
export const adminErrors = {
  401: problemResponse("Missing, unknown or expired token"),
  403: problemResponse("The token's user may not do this"),
  404: problemResponse("Not found, or not yours to manage"),
  409: problemResponse("Conflicts with existing data"),
  422: problemResponse("Malformed or invalid input; nothing was changed"),
};

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
