// A session's screen recording played on its record page (modules/recording RecordingList):
// a part's Play puts it in the one player below the list, marks its row and starts it. The
// player fetches nothing before that (preload="none"): opening the record page takes no part
// (a taking is audited, http's fileResponse); seeking asks for byte ranges. A stretch where the
// picture was not live (listed under its part's row) plays its part from that stretch's start.

document.addEventListener("click", (event) => {
  const target = event.target instanceof Element ? event.target : null;
  const button = target?.closest("[data-recording-play]");
  if (!(button instanceof HTMLElement)) return;
  const section = button.closest("#recordings");
  const figure = section?.querySelector("[data-recording-figure]");
  const video = figure?.querySelector("video");
  const caption = figure?.querySelector("figcaption");
  if (!section || !(figure instanceof HTMLElement) || !video || !caption) return;
  const src = button.dataset.recordingPlay ?? "";
  // A stretch's button sits in the row under its part's: that part's row is the one marked.
  const own = button.closest("tr");
  const partId = own?.dataset.recordingGaps;
  const row = partId ? section.querySelector(`tr[data-recording-row="${partId}"]`) : own;
  const started = row?.querySelector("time")?.textContent?.trim() ?? "";
  const title = button.dataset.recordingTitle ?? "";
  for (const other of section.querySelectorAll("tr[aria-current]")) {
    other.removeAttribute("aria-current");
  }
  row?.setAttribute("aria-current", "true");
  figure.hidden = false;
  caption.textContent = [title, started].filter(Boolean).join(" · ");
  video.setAttribute("aria-label", caption.textContent);
  const same = video.getAttribute("src") === src;
  if (!same) video.src = src;
  const at = Number(button.dataset.recordingAt);
  if (button.dataset.recordingAt && Number.isFinite(at)) {
    const seek = () => void (video.currentTime = at);
    if (same && video.readyState >= HTMLMediaElement.HAVE_METADATA) seek();
    else video.addEventListener("loadedmetadata", seek, { once: true });
  }
  video.play().catch(() => {});
  figure.scrollIntoView({ block: "nearest" });
});
