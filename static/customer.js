// The customer's Instant Chat page (modules/support/customer_views.tsx): live log over
// server-sent events with catch-up after a drop, font size, Enter to send, uploads and
// downloads with progress, and the end-session confirmation. Loaded with `defer`; the page
// works without it (plain forms, reload to see new lines).
(() => {
  "use strict";
  const page = document.getElementById("customer-page");
  const log = document.getElementById("customer-log");

  // --- Font size: five steps as classes on the page, remembered in this browser. ---
  const FONT_KEY = "rescue.customerFont";
  const FONT_STEPS = 5;
  const readFont = () => {
    const stored = Number(localStorage.getItem(FONT_KEY) ?? "1");
    return Number.isInteger(stored) && stored >= 0 && stored < FONT_STEPS ? stored : 1;
  };
  const applyFont = (step) => {
    if (!page) return;
    for (let i = 0; i < FONT_STEPS; i++) page.classList.toggle(`font-s${i}`, i === step);
  };
  applyFont(readFont());
  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-font-step]");
    if (!button) return;
    const step = Math.min(
      FONT_STEPS - 1,
      Math.max(0, readFont() + Number(button.dataset.fontStep)),
    );
    localStorage.setItem(FONT_KEY, String(step));
    applyFont(step);
  });

  // --- Log lines: local times, no duplicates, newest in view. ---
  const timeFormat = new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
    hour: "2-digit",
    minute: "2-digit",
  });
  const localiseTimes = (root) => {
    for (const time of root.querySelectorAll("time[datetime]")) {
      const at = new Date(time.getAttribute("datetime"));
      if (!Number.isNaN(at.getTime())) time.textContent = timeFormat.format(at);
    }
  };
  const dedupe = () => {
    if (!log) return;
    const seen = new Set();
    for (const line of log.querySelectorAll(".log-line[id]")) {
      if (seen.has(line.id)) line.remove();
      else seen.add(line.id);
    }
  };
  const scrollDown = () => {
    if (log) log.scrollTop = log.scrollHeight;
  };
  const appendLine = (html, live) => {
    if (!log || !html) return;
    const template = document.createElement("template");
    template.innerHTML = html;
    for (const line of template.content.querySelectorAll(".log-line")) {
      if (line.id && document.getElementById(line.id)) continue;
      localiseTimes(line);
      log.append(line);
      const link = line.querySelector("a.pushed-url");
      if (live && link) globalThis.open(link.href, "_blank", "noopener,noreferrer");
    }
    scrollDown();
  };
  if (log) {
    localiseTimes(log);
    scrollDown();
  }

  // --- Session state: chat switched off, session ended. ---
  const setChatEnabled = (enabled) => {
    const notice = document.getElementById("chat-disabled-notice");
    if (notice) notice.hidden = enabled;
    for (
      const el of document.querySelectorAll(
        "#customer-chat-form textarea, #customer-chat-form button",
      )
    ) {
      el.disabled = !enabled;
    }
  };
  let ended = false;
  const showEnded = () => {
    ended = true;
    const notice = document.getElementById("ended-notice");
    if (notice) notice.hidden = false;
    const banner = document.getElementById("reconnect-banner");
    if (banner) banner.hidden = true;
    for (const form of document.querySelectorAll("#customer-chat-form, #customer-file-form")) {
      for (const el of form.elements) el.disabled = true;
    }
    const end = document.getElementById("end-session-form");
    if (end) end.hidden = true;
  };
  let chatEnabled = true;

  // --- Live stream: EventSource reconnects by itself (sending Last-Event-ID); if the server
  // refused outright, start a new one from the last line seen. ---
  if (page?.dataset.events) {
    let lastId = page.dataset.after || "0";
    let source = null;
    const banner = document.getElementById("reconnect-banner");
    const connect = () => {
      source = new EventSource(`${page.dataset.events}?after=${encodeURIComponent(lastId)}`);
      source.addEventListener("open", () => {
        if (banner) banner.hidden = true;
      });
      source.addEventListener("log", (event) => {
        alive();
        if (event.lastEventId) lastId = event.lastEventId;
        appendLine(event.data, true);
      });
      source.addEventListener("state", (event) => {
        alive();
        const state = JSON.parse(event.data);
        chatEnabled = Boolean(state.chatEnabled);
        setChatEnabled(chatEnabled);
        if (state.ended) {
          source.close();
          showEnded();
        }
      });
      source.addEventListener("ping", alive);
      source.addEventListener("error", () => {
        if (ended) return;
        if (banner) banner.hidden = false;
        if (source.readyState === EventSource.CLOSED) setTimeout(connect, 5000);
      });
      alive();
    };
    // A line that went quiet (no heartbeat for 40 s: a silent network drop) is replaced.
    let watchdog = 0;
    const alive = () => {
      clearTimeout(watchdog);
      watchdog = setTimeout(() => {
        if (ended) return;
        source?.close();
        if (banner) banner.hidden = false;
        connect();
      }, 40_000);
    };
    connect();
    addEventListener("pagehide", () => source?.close());
    // The browser knows when it is offline: drop the stream (the technician sees
    // Reconnecting) and come back by itself as soon as the network does.
    addEventListener("offline", () => {
      if (ended) return;
      clearTimeout(watchdog);
      source?.close();
      if (banner) banner.hidden = false;
    });
    addEventListener("online", () => {
      if (!ended && source?.readyState !== EventSource.OPEN) connect();
    });
  }

  // --- Chat: Enter sends (Shift+Enter for a new line); refused messages come back in the form. ---
  document.addEventListener("keydown", (event) => {
    if (event.target.id !== "customer-chat-input" || event.key !== "Enter") return;
    if (event.shiftKey || event.isComposing) return;
    event.preventDefault();
    event.target.form.requestSubmit();
  });
  document.addEventListener("htmx:afterSettle", () => {
    dedupe();
    if (log) localiseTimes(log);
    scrollDown();
    if (ended) showEnded();
    else if (!chatEnabled) setChatEnabled(false);
    const input = document.getElementById("customer-chat-input");
    if (input && !input.disabled && !input.value) input.focus();
  });

  // --- End session: ask first. ---
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (form.dataset.confirm && !confirm(form.dataset.confirm)) event.preventDefault();
  });

  // --- Upload with progress (XMLHttpRequest reports upload progress; fetch does not). The
  // file goes as the raw body, named in X-File-Name, so the server streams it to disk. ---
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (form.id !== "customer-file-form") return;
    event.preventDefault();
    const input = form.querySelector("#customer-file");
    const status = form.querySelector("#file-status");
    const progress = form.querySelector("progress.upload-progress");
    if (!input.files?.length) {
      status.textContent = form.dataset.choose;
      return;
    }
    const file = input.files[0];
    const xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    xhr.setRequestHeader("X-CSRF-Token", form.elements._csrf.value);
    xhr.setRequestHeader("X-File-Name", encodeURIComponent(file.name));
    xhr.setRequestHeader("Content-Type", file.type || "application/octet-stream");
    progress.hidden = false;
    progress.value = 0;
    status.textContent = "";
    xhr.upload.addEventListener("progress", (e) => {
      if (e.lengthComputable) progress.value = Math.round((e.loaded / e.total) * 100);
    });
    xhr.addEventListener("load", () => {
      progress.hidden = true;
      if (xhr.status >= 200 && xhr.status < 300) {
        appendLine(xhr.responseText, false);
        form.reset();
      } else {
        status.textContent = xhr.responseText.length < 500 && !/<html/i.test(xhr.responseText)
          ? xhr.responseText
          : form.dataset.failed;
      }
    });
    xhr.addEventListener("error", () => {
      progress.hidden = true;
      status.textContent = form.dataset.failed;
    });
    xhr.send(file);
  });

  // --- Download with progress, then save the bytes under the file's own name. ---
  document.addEventListener("click", async (event) => {
    const link = event.target.closest("a[data-file-id]");
    if (!link || !globalThis.ReadableStream) return;
    event.preventDefault();
    const progress = link.parentElement.querySelector("progress.download-progress");
    try {
      const response = await fetch(link.href, { credentials: "same-origin" });
      if (!response.ok || !response.body) throw new Error(String(response.status));
      const total = Number(response.headers.get("content-length")) || 0;
      const reader = response.body.getReader();
      const chunks = [];
      let received = 0;
      if (progress) {
        progress.hidden = false;
        progress.value = 0;
      }
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        received += value.length;
        if (progress && total) progress.value = Math.round((received / total) * 100);
      }
      const url = URL.createObjectURL(new Blob(chunks, { type: "application/octet-stream" }));
      const save = document.createElement("a");
      save.href = url;
      save.download = link.dataset.fileName || "file";
      document.body.append(save);
      save.click();
      save.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch {
      location.href = link.href; // let the browser download it the plain way
    } finally {
      if (progress) progress.hidden = true;
    }
  });
})();
