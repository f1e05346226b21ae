// @ts-check
// The Scripts tab of a session's workspace (modules/scripts/session_views.tsx): a run's output
// streams in live (server-sent events `output` and `end`), its status, exit code and the
// download appear when it ends, Stop goes away; the line saying whether the customer allows
// scripts follows the agent's state. Imported by workspace.js; no inline script (CSP).
import { liveSource } from "./live_source.js";

/** @param {Element} run */
function follow(run) {
  if (!(run instanceof HTMLElement) || run.dataset.streaming) return;
  const url = run.dataset.runEvents;
  if (!url) return;
  run.dataset.streaming = "1";
  const output = run.querySelector(".script-output");
  const status = run.querySelector("[data-run-status]");
  const source = liveSource(url, {
    after: "0",
    on: {
      output: (event) => {
        const piece = JSON.parse(event.data);
        if (!output) return;
        const atEnd = output.scrollTop + output.clientHeight >= output.scrollHeight - 4;
        const span = document.createElement("span");
        if (piece.stream === "stderr") span.className = "stderr";
        span.textContent = piece.text;
        output.append(span);
        if (atEnd) output.scrollTop = output.scrollHeight;
      },
      end: (event) => {
        source.close();
        const end = JSON.parse(event.data);
        if (status) {
          status.textContent = run.getAttribute(`data-label-${end.status.toLowerCase()}`) ??
            end.status;
        }
        run.querySelector("[data-run-stop]")?.remove();
        const exit = run.querySelector("[data-run-exit]");
        if (exit instanceof HTMLElement) {
          const parts = [];
          if (end.exitCode !== null) {
            parts.push(
              (run.dataset.exitLabel ?? "{{code}}").replace("{{code}}", String(end.exitCode)),
            );
          }
          if (end.reason) parts.push(end.reason);
          exit.textContent = parts.join(" ");
          exit.hidden = parts.length === 0;
        }
        const download = run.querySelector("[data-run-download]");
        if (download instanceof HTMLElement) download.hidden = !end.outputSize;
        run.dataset.ended = end.status;
      },
    },
  });
}

/** @param {Element} panel */
function watchConsent(panel) {
  if (!(panel instanceof HTMLElement) || panel.dataset.watching) return;
  const url = panel.dataset.agentEvents;
  const line = panel.querySelector("[data-scripts-consent]");
  if (!url || !(line instanceof HTMLElement)) return;
  panel.dataset.watching = "1";
  const source = liveSource(url, {
    retryMs: 5000,
    on: {
      state: (event) => {
        if (!panel.isConnected) return source.close();
        const state = JSON.parse(event.data);
        const consent = state.present ? state.consent?.scripts ?? "off" : "absent";
        line.textContent = line.getAttribute(`data-label-${consent}`) ??
          line.getAttribute("data-label-off") ?? "";
        panel.dataset.consent = consent;
        const ask = panel.querySelector("[data-scripts-ask]");
        if (ask instanceof HTMLElement) {
          ask.hidden = consent === "granted" || consent === "asked" || consent === "absent";
        }
      },
    },
  });
}

/** @param {ParentNode} root */
function scan(root) {
  for (const run of root.querySelectorAll("[data-run-events]")) follow(run);
  for (const panel of root.querySelectorAll("[data-agent-events]")) watchConsent(panel);
  if (root instanceof Element) {
    if (root.matches("[data-run-events]")) follow(root);
    if (root.matches("[data-agent-events]")) watchConsent(root);
  }
}

document.addEventListener("htmx:load", (event) => {
  if (event.target instanceof Element) scan(event.target);
});
scan(document);
