// Small progressive enhancements; loaded with `defer`, no inline script anywhere (CSP).
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const source = document.getElementById(button.dataset.copy);
  if (source) navigator.clipboard?.writeText(source.textContent.trim());
});

// The language picker on the sign-in page submits on change.
document.addEventListener("change", (event) => {
  if (event.target.matches("[data-autosubmit]")) event.target.form.requestSubmit();
});

// Refusals (4xx) from htmx requests carry what to show — the flash (HX-Retarget #flash) or the
// form again with its messages — so they are swapped like successes, app-wide.
document.addEventListener("htmx:beforeSwap", (event) => {
  const status = event.detail.xhr.status;
  if (status >= 400 && status < 500) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
