/**
 * The versioned JSON API at /api/v1, authenticated by personal API tokens
 * (`Authorization: Bearer rsk_…`) and described by an OpenAPI 3.1 document generated from
 * the route definitions (`/api/v1/openapi.json`). Errors are RFC 9457 problem documents.
 */
export { apiRoutes } from "./routes.ts";
