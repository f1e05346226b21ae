/**
 * Customer surveys (SPEC T4, S2): the survey of each technician group and channel — ordered
 * questions (a 1–5 rating, a choice, free text) or an external address that gets the
 * session id — edited by admins at `/admin/surveys` (`surveyAdminRoutes`), and the
 * customer's answers, stored once per session in `survey_answers` (reports read it).
 * In a session: offered at End (`surveyWhenEnded`, which the doors give to `endSession`)
 * or pushed by the technician (`pushSurvey`); answered at `/s/:token/survey`
 * (`customerSurveyRoutes`).
 */

/** Which survey a session gets, and a session's answers. */
export { answersFor, type SurveyAnswerRow, type SurveyForm, surveyForSession } from "./service.ts";

/** In a session: offer at End, push, whether the workspace shows the button. */
export { canPushSurvey, pushSurvey, surveyWhenEnded } from "./session_survey.ts";

/** The admin pages, the customer's page, and the answers in a session's record. */
export { surveyAdminRoutes } from "./routes.tsx";
export { customerSurveyRoutes } from "./customer_routes.tsx";
export { SurveyAnswersCard } from "./views.tsx";

/** The tables (reports read `surveyAnswers`). */
export { surveyAnswers, surveyForms } from "./schema.ts";
