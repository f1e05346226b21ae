// Predefined replies (SPEC T2): a button with `data-insert` puts its text into the chat
// box named by `data-target`, at the cursor, so the technician can still change it before
// sending. Nothing is sent from here. Loaded with `defer`; no inline script (CSP).
document.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-insert][data-target]");
  if (!button) return;
  const box = document.getElementById(button.dataset.target);
  if (!(box instanceof HTMLTextAreaElement || box instanceof HTMLInputElement)) return;
  event.preventDefault();
  const text = button.dataset.insert;
  const start = box.selectionStart ?? box.value.length;
  const end = box.selectionEnd ?? box.value.length;
  box.setRangeText(text, start, end, "end");
  box.focus();
  // Let the chat form (and anything counting characters) notice the change.
  box.dispatchEvent(new Event("input", { bubbles: true }));
});
