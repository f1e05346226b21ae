/**
 * A session's recordings on its record page (modules/history): each part with its time,
 * length, size and picture, and a Download link (`recordingHref`).
 */
import type { Translator } from "../i18n/mod.ts";
import { Moment } from "../../views/moment.tsx";
import type { RecordingRow } from "./service.ts";

/** Where a part is downloaded (modules/history serves it, behind its visibility check). */
export const recordingHref = (sessionId: string, id: string) =>
  `/console/history/session/${sessionId}/recordings/${id}`;

function _duration(row: RecordingRow): string {
  if (!row.endedAt) return "";
  const seconds = Math.max(0, Math.round((row.endedAt.getTime() - row.startedAt.getTime()) / 1000));
  const m = Math.floor(seconds / 60);
  return `${m}:${String(seconds % 60).padStart(2, "0")}`;
}

/**
 * The record page's card of parts. With `deleting` (an admin: the CSRF token for the form) each
 * finished part has Delete, asked first; htmx swaps the card for the one the POST returns.
 */
/** A part's size as people read it: kB below a megabyte (a short part was "0.0 MB"). */
function _size(t: Translator, bytes: number): string {
  if (bytes < 1_048_576) {
    return t("recording.list.kilobytes", { size: String(Math.max(1, Math.ceil(bytes / 1024))) });
  }
  const size = new Intl.NumberFormat(t.lang, { minimumFractionDigits: 1, maximumFractionDigits: 1 })
    .format(bytes / 1_048_576);
  return t("recording.list.bytes", { size });
}

export function RecordingList(
  props: { t: Translator; sessionId: string; rows: RecordingRow[]; deleting?: { csrf: string } },
) {
  const { t, rows, deleting } = props;
  if (rows.length === 0) return null;
  return (
    <section class="card" id="recordings">
      <h2>{t("recording.list.title")}</h2>
      <table class="record-recordings">
        <thead>
          <tr>
            <th>{t("recording.list.started")}</th>
            <th>{t("recording.list.length")}</th>
            <th>{t("recording.list.picture")}</th>
            <th>{t("recording.list.size")}</th>
            <th></th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr>
              <td>
                <Moment lang={t.lang} at={row.startedAt} style="dateTime" />
              </td>
              <td>{row.endedAt ? _duration(row) : t("recording.list.unfinished")}</td>
              <td>
                {`${row.width}×${row.height} ${
                  row.codec === "h264" ? "H.264" : row.codec.toUpperCase()
                }`}
              </td>
              <td>{_size(t, row.bytes)}</td>
              <td>
                <a href={recordingHref(props.sessionId, row.id)} download>
                  {t("recording.list.download")}
                </a>
                {deleting && row.endedAt && (
                  <form
                    method="post"
                    action={`${recordingHref(props.sessionId, row.id)}/delete`}
                    class="inline"
                    hx-post={`${recordingHref(props.sessionId, row.id)}/delete`}
                    hx-target="#recordings"
                    hx-swap="outerHTML"
                    hx-confirm={t("recording.list.deleteConfirm")}
                  >
                    <input type="hidden" name="_csrf" value={deleting.csrf} />
                    {" · "}
                    <button type="submit" class="link danger">
                      {t("recording.list.delete")}
                    </button>
                  </form>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
