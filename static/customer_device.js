// @ts-check
// Device information on the customer's page (modules/support/customer_device_view.tsx, served
// by modules/device_info): a technician's ask shows Allow / Deny; after Allow this page sends
// what the browser exposes — and sends it again when the battery, the network, the orientation
// or the window changes, when a technician presses Refresh, and every 30 s (the round trip) —
// until the customer stops or the session ends. A value the browser does not give is sent as
// null, never guessed. Asks arrive as lines of the session log; while sharing, the page holds a
// question the server answers when something changes (`GET <base>?after=<version>`).

const root = document.getElementById("device-info");
if (root) run(root);

/** @param {HTMLElement} root */
function run(root) {
  const base = root.dataset.base ?? "";
  /** @type {Record<string, string>} */
  const labels = JSON.parse(root.dataset.labels || "{}");
  /** @param {string} id */
  const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
  const status = $("device-status");

  /** @typedef {{ version: number, consent: string, askedBy: string | null, refresh: number }} State */
  /** @type {State | null} */
  let state = null;
  let ended = false;

  const csrf = () =>
    /** @type {HTMLInputElement | null} */ (document.querySelector("input[name=_csrf]"))
      ?.value ?? "";
  /** @param {string} path @param {BodyInit} body @param {string} type */
  const post = (path, body, type) =>
    fetch(`${base}${path}`, {
      method: "POST",
      headers: { "X-CSRF-Token": csrf(), "HX-Request": "true", "Content-Type": type },
      body,
    });

  /** @param {State} next */
  const render = (next) => {
    const before = state;
    state = next;
    const asked = next.consent === "asked";
    const sharing = next.consent === "granted";
    root.hidden = next.consent === "off";
    $("device-ask").hidden = !asked;
    $("device-sharing").hidden = !sharing;
    $("device-ask-text").textContent = next.askedBy
      ? (labels.askBy ?? "").replace("{{name}}", next.askedBy)
      : labels.ask ?? "";
    if (asked || sharing) status.textContent = "";
    else if (next.consent === "denied") status.textContent = labels.denied ?? "";
    else if (next.consent === "stopped") status.textContent = labels.stopped ?? "";
    if (sharing && (before?.consent !== "granted" || before.refresh !== next.refresh)) send();
    if (sharing) follow();
  };

  // --- What the browser exposes. ---
  /** @param {unknown} value @param {number} max */
  const text = (value, max) =>
    typeof value === "string" && value.trim() ? value.trim().slice(0, max) : null;
  /** @param {unknown} value */
  const finite = (value) => typeof value === "number" && Number.isFinite(value) ? value : null;
  const EFFECTIVE = ["slow-2g", "2g", "3g", "4g"];
  const ORIENTATIONS = [
    "portrait-primary",
    "portrait-secondary",
    "landscape-primary",
    "landscape-secondary",
  ];

  /** @type {any} */
  const nav = navigator;
  /** @type {any} */
  let battery = null;
  const batteryReady = typeof nav.getBattery === "function"
    ? nav.getBattery().then((/** @type {any} */ b) => {
      battery = b;
      for (const name of ["levelchange", "chargingchange", "chargingtimechange"]) {
        b.addEventListener(name, changed);
      }
      b.addEventListener("dischargingtimechange", changed);
    }).catch(() => {})
    : Promise.resolve();

  const hints = async () => {
    const data = nav.userAgentData;
    if (!data) return null;
    /** @type {any} */
    let high = {};
    try {
      high = await data.getHighEntropyValues([
        "platform",
        "platformVersion",
        "model",
        "fullVersionList",
      ]);
    } catch { /* the low-entropy values still count */ }
    /** @type {{ brand: string, version: string }[]} */
    const list = high.fullVersionList ?? data.brands ?? [];
    return {
      platform: text(high.platform ?? data.platform, 64),
      platformVersion: text(high.platformVersion, 64),
      model: typeof high.model === "string" ? high.model.slice(0, 128) : null,
      mobile: typeof data.mobile === "boolean" ? data.mobile : null,
      brands: list.slice(0, 10)
        .map((b) => ({ brand: text(b.brand, 64), version: text(b.version, 64) }))
        .filter((b) => b.brand && b.version),
    };
  };

  /** The median of three timed requests to this server, in whole milliseconds. */
  const roundTrip = async () => {
    const times = [];
    for (let i = 0; i < 3; i++) {
      const start = performance.now();
      try {
        const res = await fetch(`${base}/ping`, { cache: "no-store" });
        if (res.status !== 204) return null;
      } catch {
        return null;
      }
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    return Math.min(60_000, Math.round(times[1]));
  };

  const storage = async () => {
    try {
      const estimate = await nav.storage?.estimate?.();
      const usage = finite(estimate?.usage);
      const quota = finite(estimate?.quota);
      return usage === null || quota === null
        ? null
        : { usageBytes: Math.round(usage), quotaBytes: Math.round(quota) };
    } catch {
      return null;
    }
  };

  const collect = async () => {
    await batteryReady;
    const connection = nav.connection;
    const orientation = screen.orientation;
    const seconds = (/** @type {unknown} */ value) => {
      const n = finite(value);
      return n === null ? null : Math.round(n);
    };
    return {
      hints: await hints(),
      battery: battery
        ? {
          level: battery.level,
          charging: battery.charging,
          chargingTime: seconds(battery.chargingTime),
          dischargingTime: seconds(battery.dischargingTime),
        }
        : null,
      network: connection
        ? {
          effectiveType: EFFECTIVE.includes(connection.effectiveType)
            ? connection.effectiveType
            : null,
          downlinkMbps: finite(connection.downlink),
          rttMs: finite(connection.rtt) === null ? null : Math.round(connection.rtt),
          saveData: typeof connection.saveData === "boolean" ? connection.saveData : null,
        }
        : null,
      online: navigator.onLine,
      screen: {
        width: Math.max(1, Math.round(screen.width)),
        height: Math.max(1, Math.round(screen.height)),
        pixelRatio: devicePixelRatio,
        orientation: orientation && ORIENTATIONS.includes(orientation.type)
          ? orientation.type
          : null,
        angle: orientation ? ((orientation.angle % 360) + 360) % 360 : null,
        touchPoints: navigator.maxTouchPoints ?? 0,
        viewportWidth: innerWidth,
        viewportHeight: innerHeight,
      },
      languages: [...(navigator.languages ?? [])].map((l) => text(l, 35)).filter(Boolean)
        .slice(0, 20),
      timeZone: text(Intl.DateTimeFormat().resolvedOptions().timeZone, 64),
      memoryGb: finite(nav.deviceMemory),
      cores: finite(navigator.hardwareConcurrency) || null,
      storage: await storage(),
      serverRttMs: await roundTrip(),
    };
  };

  // --- Sending: one at a time; a change during a send sends once more after it. ---
  let sending = false;
  let again = false;
  const send = async () => {
    if (state?.consent !== "granted" || ended) return;
    if (sending) return void (again = true);
    sending = true;
    try {
      const res = await post("/report", JSON.stringify(await collect()), "application/json");
      if (!res.ok && res.status !== 409) status.textContent = labels.failed ?? "";
    } catch {
      status.textContent = labels.failed ?? "";
    } finally {
      sending = false;
    }
    if (again) (again = false, send());
  };
  /** A change the browser announced: sent a moment later, once for a burst (a resize). */
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let soon;
  function changed() {
    if (state?.consent !== "granted") return;
    clearTimeout(soon);
    soon = setTimeout(send, 300);
  }
  nav.connection?.addEventListener?.("change", changed);
  screen.orientation?.addEventListener?.("change", changed);
  addEventListener("online", changed);
  addEventListener("offline", changed);
  addEventListener("resize", changed);
  setInterval(() => state?.consent === "granted" && send(), 30_000);

  // --- The customer's answers. ---
  /** @param {string} path @param {Record<string, string>} fields */
  const answer = async (path, fields) => {
    try {
      const res = await post(
        path,
        new URLSearchParams(fields),
        "application/x-www-form-urlencoded",
      );
      if (res.ok) render(await res.json());
      else status.textContent = labels.failed ?? "";
    } catch {
      status.textContent = labels.failed ?? "";
    }
  };
  $("device-allow").addEventListener("click", () => answer("/answer", { decision: "allow" }));
  $("device-deny").addEventListener("click", () => answer("/answer", { decision: "deny" }));
  $("device-stop").addEventListener("click", () => answer("/stop", {}));

  // --- Hearing asks and refreshes. An ask is a line of the session log, which the page's own
  // stream brings (static/customer.js appends it): the state is read once then. Only while the
  // customer shares does the page hold a question the server answers when something changes (a
  // Refresh, the session's end) — an idle page holds no connection of ours: a browser has six
  // per server over plain http, and the page's streams, a second tab and uploads share them. ---
  const gone = () => {
    ended = true;
    root.hidden = true;
  };
  /** Reads the state now; false when the session is over. */
  const read = async () => {
    try {
      const res = await fetch(base, { cache: "no-store" });
      if (res.status === 404) return (gone(), false);
      if (res.ok) render(await res.json());
    } catch { /* the next ask's line reads it again */ }
    return true;
  };
  let following = false;
  const follow = async () => {
    if (following) return;
    following = true;
    while (!ended && state?.consent === "granted") {
      try {
        const res = await fetch(`${base}?after=${state.version}`, { cache: "no-store" });
        if (res.status === 404) gone();
        else if (res.ok) render(await res.json());
        else await new Promise((r) => setTimeout(r, 3_000));
      } catch {
        await new Promise((r) => setTimeout(r, 3_000));
      }
    }
    following = false;
  };
  const log = document.getElementById("customer-log");
  if (log) {
    new MutationObserver((changes) => {
      const asked = changes.some((change) =>
        [...change.addedNodes].some((node) =>
          node instanceof HTMLElement && node.dataset.event === "log.device.asked"
        )
      );
      if (asked && !ended) read();
    }).observe(log, { childList: true });
  }
  read();
}
