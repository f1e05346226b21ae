/**
 * What the customer's page says about the file manager (filled by `static/customer_files.js`
 * from `/s/:token/file-manager/events`, served where the agent is by modules/filemgr): that the
 * technician has it open, and each file being copied to or from the customer's computer with
 * how far it is. Taking the access back is done in the support app's window, which says so.
 */
import type { PageContext } from "../http/mod.ts";

const KEYS = ["open", "takeBack", "toYou", "fromYou", "waiting", "done", "failed"] as const;

export function FilesActivity(props: { c: PageContext; token: string }) {
  const t = props.c.get("t");
  const labels = Object.fromEntries(KEYS.map((k) => [k, t(`customerFiles.${k}`)]));
  return (
    <section
      id="files-activity"
      class="files-activity"
      data-events={`/s/${props.token}/file-manager/events`}
      data-labels={JSON.stringify(labels)}
      aria-live="polite"
      hidden
    >
      <div class="flash info">
        <p id="files-open" hidden>{labels.open} {labels.takeBack}</p>
        <ul id="files-transfers"></ul>
      </div>
      <script type="module" src="/static/customer_files.js"></script>
    </section>
  );
}
