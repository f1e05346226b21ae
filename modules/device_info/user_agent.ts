/**
 * The User-Agent string read on the server, for a browser without client hints (Firefox,
 * Safari): the operating system and its version, the browser, a phone's model where Android
 * still names it, and whether it calls itself mobile. Only what the string says; a part it does
 * not say is null. Client hints, where sent, win over this (views.tsx).
 */
export interface UserAgentFacts {
  os: string | null;
  osVersion: string | null;
  browser: string | null;
  browserVersion: string | null;
  model: string | null;
  mobile: boolean;
}

const _dots = (version: string) => version.replaceAll("_", ".");

function _os(ua: string): Pick<UserAgentFacts, "os" | "osVersion" | "model"> {
  const android = /Android(?: ([\d.]+))?(?:; ([^;)]+))?/.exec(ua);
  if (android) {
    // Chrome's reduced string says "K" for the model: it names nothing.
    const model = android[2]?.replace(/\s+Build\/.*$/, "").trim() ?? "";
    return {
      os: "Android",
      osVersion: android[1] ?? null,
      model: model && model !== "K" && !/^wv$/.test(model) ? model : null,
    };
  }
  const ios = /(iPhone|iPad|iPod)(?:.*? OS ([\d_]+))?/.exec(ua);
  if (ios) return { os: "iOS", osVersion: ios[2] ? _dots(ios[2]) : null, model: ios[1] };
  const windows = /Windows NT ([\d.]+)/.exec(ua);
  if (windows) return { os: "Windows", osVersion: windows[1], model: null };
  if (/CrOS/.test(ua)) return { os: "ChromeOS", osVersion: null, model: null };
  const mac = /Mac OS X ([\d_.]+)/.exec(ua);
  if (mac) return { os: "macOS", osVersion: _dots(mac[1]), model: null };
  if (/Linux/.test(ua)) return { os: "Linux", osVersion: null, model: null };
  return { os: null, osVersion: null, model: null };
}

/** Most specific first: Edge and Opera also say Chrome, Chrome also says Safari. */
const BROWSERS: [string, RegExp][] = [
  ["Edge", /Edg(?:e|A|iOS)?\/([\d.]+)/],
  ["Opera", /OPR\/([\d.]+)/],
  ["Samsung Internet", /SamsungBrowser\/([\d.]+)/],
  ["Firefox", /(?:Firefox|FxiOS)\/([\d.]+)/],
  ["Chrome", /(?:HeadlessChrome|Chrome|CriOS)\/([\d.]+)/],
  ["Safari", /Version\/([\d.]+).*Safari\//],
];

export function parseUserAgent(ua: string): UserAgentFacts {
  const found = BROWSERS.map(([name, pattern]) => [name, pattern.exec(ua)] as const)
    .find(([, match]) => match);
  return {
    ..._os(ua),
    browser: found?.[0] ?? null,
    browserVersion: found?.[1]?.[1] ?? null,
    mobile: /Mobi|iPhone|iPod/.test(ua) || (/Android/.test(ua) && !/Tablet/.test(ua) &&
      /Mobile/.test(ua)),
  };
}
