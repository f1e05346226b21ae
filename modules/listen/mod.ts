/**
 * The server's listener: plain HTTP, or HTTPS from this process (TLS_CERT_FILE/TLS_KEY_FILE;
 * HTTP/2 by ALPN) with an optional plain-HTTP redirect (HTTP_REDIRECT_PORT), and a renewed
 * certificate taken without a restart (on SIGHUP, and when the files change; open requests go
 * on, WebSockets are closed and their clients open them again).
 */
export { listen, type Listening, type ListenLog, type ReloadResult } from "./listen.ts";
