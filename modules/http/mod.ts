/**
 * What every web module shares: the typed Hono environment (`AppEnv`, with the request
 * id, logger, translator and signed-in user as context variables), the dependencies the
 * app is built from (`AppDeps`), and the cross-cutting middleware — request ids and JSON
 * logs, security headers, request-body caps, text-input cleaning, CSRF protection, error
 * pages and RFC 9457 problem documents — and the checks no route should write itself: safe
 * redirect targets (`localRedirectPath`) and the Origin check before a WebSocket upgrade
 * (`socketOrigin`) — and `liveStream`, the one way to answer with server-sent events, and
 * `changeContext`, the one way a route says who changes something, from where and when,
 * and `fileResponse`, the one way to send a file from disk (HTTP Range: seek, resume).
 * Modules build their sub-apps with `new Hono<AppEnv>()` and never reach
 * into each other through the context.
 */
export type {
  AppDeps,
  AppEnv,
  AuthedEnv,
  Branding,
  Clock,
  CurrentUser,
  Logger,
  PageContext,
  RelayedRequest,
  Role,
  SessionGuest,
} from "./types.ts";
export { createLogger } from "./log.ts";
export { requestContext } from "./request_context.ts";
export { securityHeaders } from "./security_headers.ts";
export { csrfProtection, csrfToken } from "./csrf.ts";
export { type BodyCap, bodyCaps, bodyLimit, DEFAULT_BODY_BYTES } from "./body_limit.ts";
export { isHtmx, problem } from "./errors.tsx";
export { type ChangeContext, changeContext, clientAddress, readForm } from "./request.ts";
export { localRedirectPath } from "./redirect.ts";
export { socketOrigin } from "./socket_origin.ts";
export { RELAY_FORWARDED, relayedRequests } from "./relayed.ts";
export {
  type LiveMessage,
  type LiveStream,
  liveStream,
  type LiveStreamOptions,
} from "./live_stream.ts";
export { cleanText, cleanTextInputs } from "./text_input.ts";
export { type ByteRange, fileResponse, parseByteRange } from "./byte_range.ts";
export { type SecretSealer, secretSealer } from "./secret_sealer.ts";
export {
  requireCaller,
  requirePermission,
  requireRole,
  requireUser,
  sessionRoot,
} from "./guards.ts";
export { setLanguage } from "./request_context.ts";
