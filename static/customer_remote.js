// The customer's side of remote view on the server's page (modules/support/customer_views.tsx,
// RemoteConsent): shows the technician's open request from /s/:token/remote/events and says
// where to answer — in the support app's own window on the customer's computer, which this
// page (served by the server) cannot reach or script. Shows what is shared as the app
// reports it, and can only take things back.
(() => {
  const root = document.getElementById("remote-consent");
  if (!root) return;
  const labels = JSON.parse(root.dataset.labels || "{}");
  const csrf = () => document.querySelector("input[name=_csrf]")?.value ?? "";
  const $ = (id) => document.getElementById(id);

  async function revoke(capability) {
    await fetch(root.dataset.revoke, {
      method: "POST",
      headers: { "X-CSRF-Token": csrf() },
      body: new URLSearchParams({ capability }),
    });
  }

  function render(state) {
    const attached = state.agent !== "absent";
    root.hidden = !attached;
    const download = document.querySelector(".agent-download");
    if (download) download.hidden = attached;
    const ask = state.asks[0];
    $("remote-ask").hidden = !ask;
    if (ask) {
      const text = ask.capability === "control" ? labels.askControl : labels.askView;
      $("remote-ask-text").textContent = text.replace(
        "{{technician}}",
        ask.technician || labels.technician,
      );
      root.dataset.asking = ask.capability;
    } else delete root.dataset.asking;
    const controlling = state.control === "granted";
    const viewing = state.view === "granted";
    $("remote-sharing").hidden = !controlling && !viewing;
    $("remote-sharing-text").textContent = controlling
      ? `${labels.sharing} ${labels.controlling}`
      : labels.sharing;
    $("remote-revoke-control").hidden = !controlling;
    $("remote-revoke-view").hidden = !viewing;
    $("remote-agent-lost").hidden = state.agent !== "reconnecting";
    root.dataset.view = state.view;
    root.dataset.control = state.control;
  }

  $("remote-revoke-control").addEventListener("click", () => revoke("control"));
  $("remote-revoke-view").addEventListener("click", () => revoke("view"));

  let source = null;
  const connect = () => {
    source = new EventSource(root.dataset.events);
    source.addEventListener("remote", (event) => render(JSON.parse(event.data)));
    source.addEventListener("error", () => {
      if (source.readyState === EventSource.CLOSED) setTimeout(connect, 3000);
    });
  };
  connect();
  addEventListener("pagehide", () => source?.close());
})();
