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
