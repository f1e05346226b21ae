/**
 * The versioned JSON API at /api/v1, authenticated by personal API tokens
 * (`Authorization: Bearer rsk_…`) and described by an OpenAPI 3.1 document generated from
 * the route definitions (`/api/v1/openapi.json`; every operation has an `operationId` and the
 * problems it can answer with), browsable at `/api/v1/docs` (Swagger UI served from
 * node_modules). Errors are RFC 9457 problem documents.
 */
export { apiRoutes } from "./routes.ts";
