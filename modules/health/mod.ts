/** `GET /healthz`: liveness and which database engine answers, for load balancers and ops. */
export { healthRoutes } from "./routes.ts";
