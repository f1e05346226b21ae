/**
 * Builds the whole web application from its dependencies: middleware in order, then every
 * module's routes mounted at its prefix. `main.ts` and the tests both call `createApp`, so
 * what the tests exercise is exactly what is served.
 */
export { createApp } from "./app.ts";
