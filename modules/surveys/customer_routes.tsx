/**
 * `/s/:token/survey`: the customer answers the session's survey (SPEC T4) — public, the
 * token in the link is the capability, as on the rest of the Instant Chat page. Only once
 * the survey was offered (at the end or sent by the technician); an external survey is a
 * redirect to its address with the session id.
 */
import { type Context, Hono } from "hono";
import { type AppEnv, readForm } from "../http/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import { CustomerShell, findByToken, type SupportSession } from "../support/mod.ts";
import { SurveyPageBody } from "./customer_views.tsx";
import { answerSurvey, customerSurvey } from "./session_survey.ts";

type C = Context<AppEnv>;

export const customerSurveyRoutes = new Hono<AppEnv>()
  .use("/s/:token/survey", async (c, next) => {
    await next();
    c.header("Cache-Control", "no-store");
    c.header("X-Robots-Tag", "noindex");
  })
  .get("/s/:token/survey", async (c) => {
    const session = await sessionOr404(c);
    const survey = await customerSurvey(c.get("deps"), session);
    if (survey.state === "none") throw new Refusal(404, "surveys.notOffered");
    if (survey.state === "open" && survey.form.externalUrl) return c.redirect(survey.href, 303);
    return page(c, session, {
      form: survey.state === "open" ? survey.form : undefined,
      answered: survey.state === "answered",
    });
  })
  .post("/s/:token/survey", async (c) => {
    const session = await sessionOr404(c);
    const values = await readForm(c);
    const { result, form } = await answerSurvey(c.get("deps"), session, values);
    if (!result.ok) return page(c, session, { form, values, problems: result.problems }, 422);
    return page(c, session, { answered: true });
  });

async function sessionOr404(c: C): Promise<SupportSession> {
  const session = await findByToken(c.get("deps"), c.req.param("token") ?? "");
  if (!session) throw new Refusal(404, "customer.notFound");
  return session;
}

function page(
  c: C,
  session: SupportSession,
  body: Omit<Parameters<typeof SurveyPageBody>[0], "c" | "token">,
  status: 200 | 422 = 200,
) {
  return c.html(
    <CustomerShell c={c} title={c.get("t")("customer.survey.title")}>
      <SurveyPageBody c={c} token={session.token} {...body} />
    </CustomerShell>,
    status,
  );
}
