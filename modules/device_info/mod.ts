/**
 * Device information from the customer's browser (SPEC M2, the part a browser can carry): the
 * workspace's Device tab for a technician with `mobileTools`, and the customer page's consent
 * prompt. With the customer's Allow, the page sends what its browser exposes — model and
 * system (client hints, else the User-Agent read here), battery, network, screen, languages,
 * time zone, memory and cores, storage, a measured round trip — live while the session lasts,
 * until the customer stops; kept in memory only (board.ts says why) and forgotten when the
 * session ends (`forgetDeviceInfoAtEnd`, registered by the app with support's `whenSessionEnds`).
 */
export { deviceInfoRoutes } from "./routes.tsx";
export { forgetDeviceInfoAtEnd } from "./board.ts";
