/**
 * Customer surveys (SPEC T4, S2): the survey of each technician group and channel — ordered
 * questions (a 1–5 rating, a choice, free text) or an external address that gets the
 * session id — edited by admins at `/admin/surveys` (`surveyAdminRoutes`), and the
 * customer's answers, stored once per session in `survey_answers` (reports read it).
 * In a session: offered at its end however it ends — a technician's End, the customer
 * leaving, a timeout or abandon; never twice, never when the customer never arrived —
 * (`offerSurveyAtEnd`, which the app registers with support's `whenSessionEnds`), or
 * pushed by the technician (`pushSurvey`); answered at `/s/:token/survey`
 * (`customerSurveyRoutes`).
 */

/** Which survey a session gets, and a session's answers. */
export { answersFor, type SurveyAnswerRow, type SurveyForm, surveyForSession } from "./service.ts";

/** In a session: the offer at its end, push, whether the workspace shows the button. */
export { canPushSurvey, offerSurveyAtEnd, pushSurvey } from "./session_survey.ts";

/** The admin pages, the customer's page, and the answers in a session's record. */
export { surveyAdminRoutes } from "./routes.tsx";
export { customerSurveyRoutes } from "./customer_routes.tsx";
export { SurveyAnswersCard } from "./views.tsx";

/** The tables (reports read `surveyAnswers`). */
export { surveyAnswers, surveyForms } from "./schema.ts";
