// For tests outside this module (the secrets-at-rest check): the sealing functions and the
// endpoints table. Counted as test code by the boundary check.
export { openWebhookSecret, sealWebhookSecret } from "./secret.ts";
export { webhookEndpoints } from "./schema.ts";
