// The customer's side of remote view (modules/support/customer_views.tsx, RemoteConsent):
// shows the technician's requests from /s/:token/remote/events and answers them, signed
// with the key the support app put in this page's #fragment (never sent to the server, so
// the server cannot answer for the customer); shows what is shared and takes it back.
(() => {
  const root = document.getElementById("remote-consent");
  if (!root) return;
  const labels = JSON.parse(root.dataset.labels || "{}");
  const token = root.dataset.token;
  const storageKey = `rescue-agent-key:${token}`;
  const fromHash = /[#&]k=([A-Za-z0-9_-]{43})/.exec(location.hash)?.[1];
  if (fromHash) {
    sessionStorage.setItem(storageKey, fromHash);
    history.replaceState(null, "", location.pathname + location.search);
  }
  const key = fromHash || sessionStorage.getItem(storageKey);
  const csrf = () => document.querySelector("input[name=_csrf]")?.value ?? "";
  const $ = (id) => document.getElementById(id);
  let current = null;

  const b64url = (bytes) =>
    btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_")
      .replace(/=+$/, "");
  const unb64url = (text) =>
    Uint8Array.from(
      atob(text.replaceAll("-", "+").replaceAll("_", "/") + "===".slice((text.length + 3) % 4)),
      (ch) => ch.charCodeAt(0),
    );

  async function sign(capability, nonce, granted) {
    const cryptoKey = await crypto.subtle.importKey(
      "raw",
      unb64url(key),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign"],
    );
    const message = `rescue-consent/1|${capability}|${nonce}|${granted ? "grant" : "deny"}`;
    const mac = await crypto.subtle.sign("HMAC", cryptoKey, new TextEncoder().encode(message));
    return b64url(new Uint8Array(mac));
  }

  async function post(url, fields) {
    const body = new URLSearchParams(fields);
    const response = await fetch(url, {
      method: "POST",
      headers: { "X-CSRF-Token": csrf() },
      body,
    });
    return response.ok;
  }

  async function answer(granted) {
    const ask = current?.asks?.[0];
    if (!ask || !key) return;
    $("remote-allow").disabled = $("remote-deny").disabled = true;
    const signature = await sign(ask.capability, ask.nonce, granted);
    await post(root.dataset.consent, {
      capability: ask.capability,
      nonce: ask.nonce,
      granted: granted ? "1" : "0",
      signature,
    });
    $("remote-allow").disabled = $("remote-deny").disabled = false;
  }

  function render(state) {
    current = state;
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
      $("remote-nokey").hidden = Boolean(key);
      $("remote-allow").disabled = !key;
      root.dataset.asking = ask.capability;
    } else delete root.dataset.asking;
    const controlling = state.control === "granted";
    const viewing = state.view === "granted";
    $("remote-sharing").hidden = !controlling && !viewing;
    $("remote-sharing-text").textContent = controlling ? labels.controlling : labels.sharing;
    $("remote-revoke-control").hidden = !controlling;
    $("remote-revoke-view").hidden = !viewing;
    $("remote-agent-lost").hidden = state.agent !== "reconnecting";
    root.dataset.view = state.view;
    root.dataset.control = state.control;
  }

  $("remote-allow").addEventListener("click", () => answer(true));
  $("remote-deny").addEventListener("click", () => answer(false));
  $("remote-revoke-control").addEventListener(
    "click",
    () => post(root.dataset.revoke, { capability: "control" }),
  );
  $("remote-revoke-view").addEventListener(
    "click",
    () => post(root.dataset.revoke, { capability: "view" }),
  );

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
