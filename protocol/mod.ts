/**
 * The agent protocol: the message types the server and the customer agent exchange, one
 * package imported by both (`modules/` and `agent/`). Filled by the agent issue; for now
 * it fixes only the version both sides will announce in their hello messages.
 */
export const PROTOCOL_VERSION = 1;
