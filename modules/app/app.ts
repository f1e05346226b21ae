import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { accountRoutes } from "../account/mod.ts";
import { adminRoutes, brandingMiddleware, logoRoutes } from "../admin/mod.ts";
import { apiRoutes } from "../api/mod.ts";
import { auditRoutes } from "../audit/mod.ts";
import { authRoutes, sessionMiddleware } from "../auth/mod.ts";
import {
  channelAdminRoutes,
  channelAgentRoutes,
  channelPublicRoutes,
  channelsNeedingGroup,
  fieldAdminRoutes,
} from "../channels/mod.ts";
import { monitoringRoutes } from "../monitoring/mod.ts";
import { consoleRoutes } from "../console/mod.ts";
import { collaborationRoutes } from "../collaboration/mod.ts";
import { historyRoutes } from "../history/mod.ts";
import {
  lensRecorders,
  lensRecordingRoutes,
  recordingRoutes,
  sessionRecorders,
} from "../recording/mod.ts";
import { customerSurveyRoutes, offerSurveyAtEnd, surveyAdminRoutes } from "../surveys/mod.ts";
import { mailAdminRoutes } from "../mail/mod.ts";
import { smsAdminRoutes } from "../sms/mod.ts";
import { webhookAdminRoutes } from "../webhooks/mod.ts";
import {
  groupDependentsFrom,
  orgAdminRoutes,
  orgPublicRoutes,
  passwordResetRoutes,
  permissionsMiddleware,
} from "../org/mod.ts";
import { repliesRoutes } from "../replies/mod.ts";
import {
  externalAdminRoutes,
  externalConsoleRoutes,
  externalGuestRoutes,
  guestSessionCaller,
} from "../external/mod.ts";
import { callingCardRoutes, cardsNeedingGroup } from "../calling_cards/mod.ts";
import {
  approvedToolsOf,
  computerRoutes,
  deviceRoutes,
  requestRoutes,
  serviceModeRoutes,
} from "../unattended/mod.ts";
import { agentFileRoutes, customerFileRoutes, fileManagerRoutes } from "../filemgr/mod.ts";
import { libraryRoutes, scriptSessionRoutes } from "../scripts/mod.ts";
import { systemRoutes } from "../sysinfo/mod.ts";
import { lensRecordersFrom, lensRoutes } from "../lens/mod.ts";
import { deviceInfoRoutes, forgetDeviceInfoAtEnd } from "../device_info/mod.ts";
import { reportRoutes } from "../reports/mod.ts";
import { ssoAdminRoutes, ssoSignIn, ssoSignInRoutes } from "../sso/mod.ts";
import { healthRoutes } from "../health/mod.ts";
import { createMetrics, metricsRoutes } from "../metrics/mod.ts";
import {
  type AppDeps,
  type AppEnv,
  bodyCaps,
  bodyLimit,
  cleanTextInputs,
  csrfProtection,
  relayedRequests,
  requestContext,
  securityHeaders,
} from "../http/mod.ts";
import { Refusal } from "../refusal/mod.ts";
import { renderError } from "./errors.tsx";
import { staticRoutes } from "../static_files/mod.ts";
import {
  channelSessionHooks,
  customerRoutes,
  fileLimit,
  presenceOf,
  whenSessionEnds,
} from "../support/mod.ts";
import {
  agentDownloadRoutes,
  agentRoutes,
  approvedToolsFrom,
  rebootRoutes,
  recordersFrom,
  remoteRoutes,
  toolRoutes,
} from "../remote/mod.ts";

export function createApp(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const metrics = createMetrics(deps);
  // First, so every answer is counted — refusals and errors included.
  app.use("*", metrics.countRequests);
  app.use("*", requestContext(deps));
  // A request relayed by another instance is believed only with a valid signature.
  app.use("*", relayedRequests());
  // Every end of a session offers the customer survey (its own rules say when).
  whenSessionEnds(deps, offerSurveyAtEnd);
  whenSessionEnds(deps, forgetDeviceInfoAtEnd(deps));
  // An unattended session's tools: only those the customer's approval carries.
  approvedToolsFrom(deps, (session) => approvedToolsOf(deps, session.id));
  // A group an active channel needs (it alone serves it) is not deleted: page and API say so.
  groupDependentsFrom(deps, channelsNeedingGroup);
  // Likewise a calling card only it may deploy (no technician could place it any more).
  groupDependentsFrom(deps, cardsNeedingGroup);
  // Every remote session's screen recorder (modules/recording), beside its frames.
  recordersFrom(deps, sessionRecorders(deps));
  // Every Lens session's recorder (modules/recording), beside the phone's frames and sound.
  lensRecordersFrom(deps, lensRecorders(deps));
  app.use("*", securityHeaders({ hsts: deps.config.secureCookies }));
  // Before anything reads a body (CSRF reads forms): no route buffers past its cap.
  app.use("*", bodyLimit(bodyCaps({ fileBytes: fileLimit(deps) })));
  // Every form and JSON body's text, cleaned once (no NUL, controls or bidi overrides).
  app.use("*", cleanTextInputs());
  app.route("/", staticRoutes);
  app.route("/", healthRoutes);
  app.route("/", metricsRoutes(metrics));
  app.use("*", sessionMiddleware());
  app.use("*", permissionsMiddleware());
  app.use("*", brandingMiddleware());
  app.use(
    "*",
    csrfProtection({ secret: deps.config.cookieSecret, secure: deps.config.secureCookies }),
  );
  app.route("/api/v1", apiRoutes);
  app.route("/", authRoutes(ssoSignIn));
  app.route("/", ssoSignInRoutes);
  app.route("/", customerRoutes);
  app.route("/", customerSurveyRoutes);
  app.route("/", agentRoutes);
  app.route("/", remoteRoutes);
  app.route("/", monitoringRoutes);
  app.route("/", toolRoutes);
  app.route("/", fileManagerRoutes);
  app.route("/", agentFileRoutes);
  app.route("/", customerFileRoutes);
  app.route("/", systemRoutes);
  app.route("/", lensRoutes);
  app.route("/", deviceInfoRoutes);
  app.route("/", rebootRoutes);
  app.route("/", recordingRoutes);
  app.route("/", lensRecordingRoutes);
  app.route("/", agentDownloadRoutes);
  app.route("/", orgPublicRoutes);
  app.route("/", passwordResetRoutes(ssoSignIn));
  app.route("/", logoRoutes);
  app.route("/", externalGuestRoutes);
  // An external technician's tools are the technicians' own routes again under /x (its
  // cookie's path): external says who calls, each route's caller check what it may do.
  app.use("/x/console/sessions/:id/*", guestSessionCaller);
  app.route("/x", toolRoutes);
  app.route("/x", fileManagerRoutes);
  app.route("/x", systemRoutes);
  app.route("/", externalConsoleRoutes);
  app.route("/", deviceRoutes);
  app.route("/", requestRoutes);
  app.route("/", serviceModeRoutes);
  app.route("/", callingCardRoutes);
  app.route("/console/computers", computerRoutes);
  app.route("/console/replies", repliesRoutes);
  app.route("/console/scripts", libraryRoutes(false));
  app.route("/", scriptSessionRoutes);
  app.route("/console/history", historyRoutes);
  app.route("/console/sessions", collaborationRoutes);
  app.route("/console", consoleRoutes);
  app.route("/account", accountRoutes);
  app.route("/admin/audit", auditRoutes);
  app.route("/admin/sso", ssoAdminRoutes);
  app.route("/admin/scripts", libraryRoutes(true));
  app.route("/admin/reports", reportRoutes);
  app.route("/admin/outbox", mailAdminRoutes);
  app.route("/admin/sms", smsAdminRoutes);
  app.route("/admin/webhooks", webhookAdminRoutes);
  app.route("/admin/channels", channelAdminRoutes);
  app.route("/admin/surveys", surveyAdminRoutes);
  app.route("/admin/fields", fieldAdminRoutes);
  app.route("/admin/external", externalAdminRoutes);
  app.route("/c", channelPublicRoutes(channelSessionHooks));
  app.route("/agent/channel", channelAgentRoutes(channelSessionHooks));
  app.route("/admin", orgAdminRoutes(presenceOf, ssoSignIn));
  app.route("/admin", adminRoutes);
  app.notFound((c) => renderError(c, new Refusal(404, "errors.notFound")));
  app.onError((error, c) => {
    if (error instanceof Refusal) return renderError(c, error);
    if (error instanceof HTTPException && error.status < 500) {
      // Raised by Hono itself, e.g. a JSON body that does not parse.
      const key = /json/i.test(error.message) ? "api.malformedJson" : "errors.badRequest";
      return renderError(c, new Refusal(error.status as 400, key));
    }
    (c.get("log") ?? deps.log).error("unhandled error", {
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
      stack: error instanceof Error ? error.stack : undefined,
    });
    return renderError(
      c,
      new Refusal(500, "errors.internal", { params: { requestId: c.get("requestId") } }),
    );
  });
  return app;
}
