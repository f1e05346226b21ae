// @ts-check
// The monitored technician's side of monitoring (modules/monitoring, SPEC K4), on the console:
// from /monitoring/me, the group's notice while an admin watches, and — where the group wants
// the technician's consent — who asks, with Allow and Refuse. No stream of its own (over plain
// http each held request takes one of the browser's six connections to the server): it reads
// /monitoring/me when the console's stream says to look (console.js sends "monitoring-look" on
// the document), when it loads, and while it shows the notice every 20 s (a monitor page that
// went away sends nothing).

/**
 * @typedef {object} MonitoringView  as modules/monitoring sends it
 * @property {string | null} notice
 * @property {{ id: string, adminName: string }[]} asks
 */

/** How often a shown notice is looked at again: the admin's page may have gone away. */
const NOTICE_EVERY_MS = 20_000;

const root = document.getElementById("monitoring-notice");
if (root?.dataset.view) {
  const box = root;
  /** @type {Record<string, string>} */
  const labels = JSON.parse(box.dataset.labels || "{}");

  /** @param {string} id @param {"allow" | "refuse"} answer */
  const decide = async (id, answer) => {
    /** @type {HTMLInputElement | null} */
    const csrf = document.querySelector("input[name=_csrf]");
    await fetch(`/monitoring/me/asks/${encodeURIComponent(id)}/${answer}`, {
      method: "POST",
      headers: { "X-CSRF-Token": csrf?.value ?? "" },
    });
  };

  /** @param {MonitoringView} view */
  const render = (view) => {
    const parts = [];
    if (view.notice) {
      const notice = document.createElement("p");
      notice.className = "flash info";
      notice.dataset.monitored = "1";
      notice.textContent = view.notice; // the admin's text, never markup
      parts.push(notice);
    }
    for (const ask of view.asks) {
      const line = document.createElement("p");
      line.className = "flash warning monitoring-ask";
      line.setAttribute("role", "alertdialog");
      line.setAttribute("aria-label", (labels.asks ?? "").replace("{name}", ask.adminName));
      line.dataset.monitoringAsk = ask.id;
      const text = document.createElement("span");
      text.className = "monitoring-ask-title";
      text.textContent = (labels.asks ?? "").replace("{name}", ask.adminName);
      const allow = document.createElement("button");
      allow.type = "button";
      allow.className = "small";
      allow.textContent = labels.allow ?? "Allow";
      allow.addEventListener("click", () => decide(ask.id, "allow"));
      const refuse = document.createElement("button");
      refuse.type = "button";
      refuse.className = "small secondary";
      refuse.textContent = labels.refuse ?? "Refuse";
      refuse.addEventListener("click", () => decide(ask.id, "refuse"));
      const help = document.createElement("span");
      help.className = "monitoring-ask-help";
      help.textContent = labels.help ?? "";
      const buttons = document.createElement("span");
      buttons.className = "row";
      buttons.append(allow, refuse);
      line.append(text, help, buttons);
      parts.push(line);
    }
    box.replaceChildren(...parts);
    box.dataset.state = view.notice ? "monitored" : view.asks.length ? "asked" : "";
  };

  // Only the newest answer counts: looks may overlap.
  let asked = 0;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let again;
  const look = async () => {
    const mine = ++asked;
    clearTimeout(again);
    const view = await fetch(box.dataset.view ?? "", {
      cache: "no-store",
      headers: { accept: "application/json" },
      // Signed out meanwhile, the answer is the sign-in page (a redirect), not JSON: nothing.
    }).then((r) => (r.ok && !r.redirected ? r.json() : null)).catch(() => null);
    if (mine !== asked) return;
    if (view) render(view);
    // A notice shown, or an answer that did not come: look again in a while.
    if (!view || view.notice) again = setTimeout(look, NOTICE_EVERY_MS);
  };
  document.addEventListener("monitoring-look", () => void look());
  look();
}
