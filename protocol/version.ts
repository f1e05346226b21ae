/** The protocol version both sides announce; a frame of another version is refused. */
export const PROTOCOL_VERSION = 1;
