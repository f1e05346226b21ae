/** `GET /healthz`: liveness, which database engine and which instance answers, for load balancers and ops. */
export { healthRoutes } from "./routes.ts";
