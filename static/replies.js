// @ts-check
// Predefined replies (SPEC T2): a button with `data-insert` puts its text into the chat
// box named by `data-target`, at the cursor, so the technician can still change it before
// sending. Nothing is sent from here. A module (deferred); no inline script (CSP).
import { closest } from "./app.js";

document.addEventListener("click", (event) => {
  const button = closest(event, "button[data-insert][data-target]");
  if (!button) return;
  const box = document.getElementById(button.dataset.target ?? "");
  if (!(box instanceof HTMLTextAreaElement || box instanceof HTMLInputElement)) return;
  event.preventDefault();
  const start = box.selectionStart ?? box.value.length;
  const end = box.selectionEnd ?? box.value.length;
  box.setRangeText(button.dataset.insert ?? "", start, end, "end");
  box.focus();
  // Let the chat form (and anything counting characters) notice the change.
  box.dispatchEvent(new Event("input", { bubbles: true }));
});
