// The support app's download page (modules/remote/download.tsx): the download with its size and
// a progress bar. The file is fetched here, shown as it arrives, then handed to the browser to
// save; without this script the link downloads it the ordinary way.
const start =
  /** @type {HTMLAnchorElement | null} */ (document.getElementById("agent-download-start"));
const bar =
  /** @type {HTMLProgressElement | null} */ (document.getElementById("agent-download-progress"));
const status = document.getElementById("agent-download-status");

/** @param {number} bytes */
const mb = (bytes) => (bytes / 1_048_576).toFixed(1);

start?.addEventListener("click", async (event) => {
  if (!bar || !status || start.dataset.busy) return;
  event.preventDefault();
  start.dataset.busy = "1";
  start.setAttribute("aria-disabled", "true");
  const total = Number(start.dataset.size);
  bar.hidden = false;
  try {
    const response = await fetch(start.href);
    if (!response.ok || !response.body) throw new Error(String(response.status));
    const length = Number(response.headers.get("content-length")) || total;
    bar.max = length;
    /** @type {Uint8Array[]} */
    const chunks = [];
    let received = 0;
    const reader = response.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      received += value.length;
      bar.value = received;
      status.textContent = (start.dataset.progress ?? "")
        .replace("{{done}}", mb(received)).replace("{{size}}", mb(length));
    }
    const url = URL.createObjectURL(new Blob(chunks));
    const save = document.createElement("a");
    save.href = url;
    save.download = start.download;
    document.body.append(save);
    save.click();
    save.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  } catch {
    status.textContent = start.dataset.failed ?? "";
  } finally {
    delete start.dataset.busy;
    start.removeAttribute("aria-disabled");
  }
});
