// The session workspace (modules/console/workspace_panel.tsx): Enter sends the chat,
// forms that worked are emptied, refusals show in #flash, files go up with a progress bar,
// and times show in the technician's own clock. Loaded with `defer`; no inline script (CSP).
(() => {
  const inWorkspace = (element) => element?.closest?.("[data-active-session]");

  // Enter sends, Shift+Enter (or an input method composing text) makes a new line.
  document.addEventListener("keydown", (event) => {
    const box = event.target;
    if (!box.matches?.("textarea[data-chat-input]")) return;
    if (event.key !== "Enter" || event.shiftKey || event.isComposing) return;
    event.preventDefault();
    if (box.value.trim() !== "" && !box.disabled) box.form?.requestSubmit();
  });

  // A chat message or pushed URL that went through leaves an empty box behind.
  document.addEventListener("htmx:afterRequest", (event) => {
    const form = event.detail.elt;
    if (!event.detail.successful || !form.matches?.("form[data-reset-on-success]")) return;
    form.reset();
    form.querySelector("[data-chat-input]")?.focus();
  });

  function setChat(panel, enabled) {
    if (!panel) return;
    for (const control of panel.querySelectorAll(".chat-form textarea, .chat-form button")) {
      control.disabled = !enabled;
    }
    const note = panel.querySelector(".chat-off-note");
    if (note) note.hidden = enabled;
    const toggle = panel.querySelector(".chat-toggle");
    if (toggle) {
      toggle.querySelector("input[name=enabled]").value = enabled ? "0" : "1";
      const button = toggle.querySelector("button");
      button.textContent = enabled ? button.dataset.labelOff : button.dataset.labelOn;
    }
  }

  // The sender hears it from its own response…
  document.addEventListener("workspace:chat", (event) => {
    const { sessionId, enabled } = event.detail;
    setChat(document.getElementById(`session-${sessionId}`), enabled);
  });

  function localTimes(root) {
    for (const time of root.querySelectorAll?.(".workspace time[datetime]") ?? []) {
      const at = new Date(time.getAttribute("datetime"));
      if (Number.isNaN(at.getTime()) || time.dataset.local) continue;
      const clock = at.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
      time.textContent = time.textContent.replace(/\d\d:\d\d/, clock);
      time.dataset.local = "1";
    }
  }

  // …everyone else from the log line the live stream appends (and times get localised).
  new MutationObserver((mutations) => {
    for (const mutation of mutations) {
      for (const node of mutation.addedNodes) {
        if (!(node instanceof Element)) continue;
        localTimes(node.parentElement ?? node);
        const event = node.matches(".log-line[data-event]") ? node.dataset.event : "";
        if (event === "log.chatOn" || event === "log.chatOff") {
          setChat(inWorkspace(node), event === "log.chatOn");
        }
      }
    }
  }).observe(document.body, { childList: true, subtree: true });
  localTimes(document);

  // Send file: XMLHttpRequest, for its upload progress; the plain post remains without JS.
  // The file is the raw body, named in X-File-Name, so the server streams it to disk.
  function flash(message) {
    const region = document.getElementById("flash");
    if (!region) return;
    const p = document.createElement("p");
    p.className = "flash error";
    p.setAttribute("role", "alert");
    p.textContent = message;
    region.replaceChildren(p);
  }

  function upload(form) {
    const input = form.querySelector("input[type=file]");
    const file = input?.files?.[0];
    if (!file) return;
    if (file.size > Number(form.dataset.maxBytes)) return flash(form.dataset.tooLarge);
    const progress = form.querySelector("progress.upload-progress");
    const button = form.querySelector("button[type=submit]");
    const xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.setRequestHeader("HX-Request", "true");
    xhr.setRequestHeader("X-CSRF-Token", form.elements._csrf.value);
    xhr.setRequestHeader("X-File-Name", encodeURIComponent(file.name));
    xhr.setRequestHeader("Content-Type", file.type || "application/octet-stream");
    xhr.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) progress.value = (event.loaded / event.total) * 100;
    });
    xhr.addEventListener("loadend", () => {
      progress.hidden = true;
      button.disabled = false;
      if (xhr.status >= 200 && xhr.status < 300) return form.reset();
      // Our error fragment is one <p>: take its text, never its markup.
      const text = new DOMParser().parseFromString(xhr.responseText || "", "text/html")
        .body.textContent.trim();
      flash(text || form.dataset.failed);
    });
    progress.value = 0;
    progress.hidden = false;
    button.disabled = true;
    xhr.send(file);
  }

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!form.matches?.("form.send-file-form")) return;
    event.preventDefault();
    upload(form);
  });
})();
