/**
 * The workspace's "Show screen" tab (present_routes.ts): Show my screen, Show something else
 * (another screen or window in the same presentation), Stop, a preview of what the customer
 * gets and one line that says truthfully where the customer is — not asked yet, asked,
 * connecting, watching, or how it ended. `static/present.js` does the capture and follows
 * `…/present/events`.
 */
import type { Context } from "hono";
import type { AuthedEnv } from "../http/mod.ts";
import { CsrfField } from "../../views/layout.tsx";

/** The words the tab's script shows, by state (`present.*`). */
const LABELS = [
  "connecting",
  "offered",
  "accepted",
  "watching",
  "endedTechnician",
  "endedCustomer",
  "endedDeclined",
  "endedLost",
  "endedSession",
  "endedMoved",
  "failed",
  "unsupported",
  "customerAway",
] as const;

export function PresentPanel(props: { c: Context<AuthedEnv>; sessionId: string }) {
  const t = props.c.get("t");
  const base = `/console/sessions/${props.sessionId}/present`;
  const labels = Object.fromEntries(LABELS.map((key) => [key, t(`present.${key}`)]));
  return (
    <section
      class="present-panel"
      data-present={base}
      data-labels={JSON.stringify(labels)}
      aria-label={t("present.title")}
    >
      <link rel="stylesheet" href="/static/present.css" />
      <CsrfField c={props.c} />
      <p class="muted" data-present-intro>{t("present.intro")}</p>
      <div class="row tight">
        <button type="button" data-present-start>{t("present.start")}</button>
        <button type="button" class="secondary" data-present-change hidden>
          {t("present.change")}
        </button>
        <button type="button" class="danger" data-present-stop hidden>{t("present.stop")}</button>
      </div>
      <p data-present-status role="status" aria-live="polite"></p>
      <figure class="present-preview" hidden>
        <video data-present-preview muted playsinline autoplay></video>
        <figcaption class="muted">{t("present.preview")}</figcaption>
      </figure>
    </section>
  );
}
