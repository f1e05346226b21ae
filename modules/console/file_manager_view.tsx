/**
 * The mount point of the technician's file-manager island (islands/file_manager/, Preact): the
 * session, the CSRF token, where the consent lives (`/console/sessions/<id>/agent/…`), the
 * detached window's address and the island's strings travel in data attributes
 * (`fileManagerAttributes`, protocol/file_manager_ui.ts). The HTTP API the island calls is
 * docs/files_api.md. Shown only to technicians with `fileManager` (workspace_panel.tsx, and the
 * window's route checks it again).
 */
import { raw } from "hono/html";
import { type PageContext, sessionRoot } from "../http/mod.ts";
import { languageTag, textDirection } from "../i18n/mod.ts";
import type { SupportSession } from "../support/mod.ts";
import {
  FILE_UI_KEYS,
  FILE_UI_PLURALS,
  fileManagerAttributes,
  type FileManagerMount as Mount,
} from "../../protocol/mod.ts";

/** The detached window of session `id`. */
export const fileManagerWindowPath = (id: string) => `/console/sessions/${id}/file-manager-window`;

function _labels(c: PageContext): Mount["labels"] {
  const t = c.get("t");
  // A plural form is looked up by its own name: the island picks the form by the count.
  const raw = t as unknown as (key: string) => string;
  const labels: Record<string, string> = {};
  for (const key of FILE_UI_KEYS) labels[key] = raw(`fileManager.ui.${key}`);
  for (const key of FILE_UI_PLURALS) {
    for (const form of ["one", "other"]) {
      labels[`${key}_${form}`] = raw(`fileManager.ui.${key}_${form}`);
    }
  }
  return labels;
}

/**
 * The island's mount. For an external technician's console (modules/external) its routes
 * are the same under `/x` (`sessionRoot`), and there is no detached window.
 */
export function FileManagerMount(
  props: { c: PageContext; session: SupportSession; detached?: boolean },
) {
  const { c, session } = props;
  const root = sessionRoot(c);
  const attributes = fileManagerAttributes({
    session: session.id,
    csrf: c.get("csrf"),
    agent: `${root}/console/sessions/${session.id}/agent`,
    files: `${root}/console/sessions/${session.id}/file-manager`,
    window: root ? "" : fileManagerWindowPath(session.id),
    detached: props.detached ?? false,
    labels: _labels(c),
  });
  return <div class="file-manager" id={`files-${session.id}`} {...attributes}></div>;
}

/** The detached window: the file manager alone, sized to the window, no site header. */
export function DetachedFileManagerPage(props: { c: PageContext; session: SupportSession }) {
  const { c, session } = props;
  const t = c.get("t");
  return (
    <>
      {raw("<!DOCTYPE html>")}
      <html lang={languageTag(c.get("lang"))} dir={textDirection(c.get("lang"))}>
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>{`${session.customerName} — ${t("fileManager.title")} · ${t("app.name")}`}</title>
          <link rel="stylesheet" href="/static/app.css" />
          <link rel="stylesheet" href="/static/file_manager.css" />
          <script type="module" src="/static/islands/file_manager.js"></script>
        </head>
        <body class="file-manager-detached">
          <main class="file-manager-detached">
            <FileManagerMount c={c} session={session} detached />
          </main>
        </body>
      </html>
    </>
  );
}
