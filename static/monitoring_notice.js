// @ts-check
// The monitored technician's side of monitoring (modules/monitoring, SPEC K4), on the console:
// from /monitoring/me/events, the group's notice while an admin watches, and — where the
// group wants the technician's consent — who asks, with Allow and Refuse.
import { liveSource } from "./live_source.js";

/**
 * @typedef {object} MonitoringView  as modules/monitoring sends it
 * @property {string | null} notice
 * @property {{ id: string, adminName: string }[]} asks
 */

const root = document.getElementById("monitoring-notice");
if (root?.dataset.events) {
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

  liveSource(box.dataset.events ?? "", {
    retryMs: 5000,
    on: { monitoring: (event) => render(JSON.parse(event.data)) },
  });
}
