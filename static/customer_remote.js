// @ts-check
// The customer's side of remote view on the server's page (modules/support/customer_views.tsx,
// RemoteConsent): shows the technician's open request from /s/:token/remote/events and says
// where to answer — in the support app's own window on the customer's computer, which this
// page (served by the server) cannot reach or script. Shows what is shared as the app
// reports it, and can only take things back.
import { liveSource } from "./live_source.js";

/**
 * @typedef {object} RemoteState  as modules/remote sends it
 * @property {string} agent  "absent", "reconnecting" or attached
 * @property {string} view
 * @property {string} control
 * @property {{ capability: string, technician?: string }[]} asks
 * @property {{ name: string, controls: boolean, monitor: boolean }[]} [technicians]  who
 *   watches the remote view now, and who of them controls
 * @property {boolean} [browserShare]  the "app" is this browser sharing the screen
 * @property {string | null} [shareId]  which browser share (the id its offer's answer gave)
 * @property {boolean} [switchAsked]  a technician asked for the support app instead
 * @property {boolean} [recording]  the server records the picture now (modules/recording)
 * @property {boolean} [drawing]  a technician's whiteboard is on: drawings show on the screen
 */

const root = document.getElementById("remote-consent");
if (root?.dataset.events) {
  const consent = root;
  /** @type {Record<string, string>} */
  const labels = JSON.parse(root.dataset.labels || "{}");
  /** @param {string} id */
  const $ = (id) => /** @type {HTMLElement} */ (document.getElementById(id));
  /** @param {string} id @param {boolean} visible */
  const show = (id, visible) => $(id).hidden = !visible;

  /** @param {string} capability */
  const revoke = async (capability) => {
    /** @type {HTMLInputElement | null} */
    const csrf = document.querySelector("input[name=_csrf]");
    await fetch(consent.dataset.revoke ?? "", {
      method: "POST",
      headers: { "X-CSRF-Token": csrf?.value ?? "" },
      body: new URLSearchParams({ capability }),
    });
  };

  /** @param {RemoteState} state */
  const render = (state) => {
    const attached = state.agent !== "absent";
    consent.hidden = !attached;
    /** @type {HTMLElement | null} */
    const download = document.querySelector(".agent-download");
    if (download) download.hidden = attached;
    // "No support app? Share my screen" is no offer while the support app is there: the server
    // refuses a browser share then (share_routes.ts). Its own share keeps its section.
    document.getElementById("browser-share")?.toggleAttribute(
      "data-app-attached",
      attached && !state.browserShare,
    );
    const ask = state.asks[0];
    show("remote-ask", Boolean(ask));
    if (ask) {
      const text = ask.capability === "control" ? labels.askControl : labels.askView;
      $("remote-ask-text").textContent = text.replace(
        "{{technician}}",
        ask.technician || labels.technician,
      );
      consent.dataset.asking = ask.capability;
    } else delete consent.dataset.asking;
    const controlling = state.control === "granted";
    const viewing = state.view === "granted";
    // A browser share says so, and stops, in its own section (customer_share.js): one place.
    show("remote-sharing", (controlling || viewing) && !state.browserShare);
    $("remote-sharing-text").textContent = controlling
      ? `${labels.sharing} ${labels.controlling}`
      : labels.sharing;
    show("remote-revoke-control", controlling);
    show("remote-revoke-view", viewing);
    show("remote-agent-lost", state.agent === "reconnecting");
    show("remote-recording", state.recording === true);
    show("remote-drawing", state.drawing === true);
    // The technicians with the remote view open — "connected to your screen" only while it is
    // shared: before the customer allows it, or after they stop sharing, nobody sees it.
    const technicians = controlling || viewing ? state.technicians ?? [] : [];
    const list = $("remote-technicians");
    // A browser share names who sees the screen in its own section (customer_share.js).
    list.hidden = technicians.length === 0 || Boolean(state.browserShare);
    // Names only as text: they come from people, never as markup.
    list.textContent = technicians.length === 0
      ? ""
      : `${labels.connected} ${
        technicians.map((p) =>
          p.controls
            ? `${p.name} (${labels.controls})`
            : p.monitor
            ? `${p.name} (${labels.monitoring})`
            : p.name
        ).join(", ")
      }`;
    list.dataset.controller = technicians.find((p) => p.controls)?.name ?? "";
    consent.dataset.view = state.view;
    consent.dataset.control = state.control;
    document.dispatchEvent(new CustomEvent("remote-state", { detail: state }));
  };

  $("remote-revoke-control").addEventListener("click", () => revoke("control"));
  $("remote-revoke-view").addEventListener("click", () => revoke("view"));
  const url = root.dataset.events;
  const follow = () => {
    const source = liveSource(url, {
      retryMs: 3000,
      on: {
        remote: (event) => render(JSON.parse(event.data)),
        // The support app is on another server instance now: follow it at once, not after
        // the stream's retry delay.
        moved: () => (source.close(), follow()),
      },
    });
  };
  follow();
}
