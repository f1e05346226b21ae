/**
 * A session's recordings on its record page (modules/history): each part with its time,
 * length, size and picture, Play (the part in the one player below the list,
 * static/recording_player.js: nothing is fetched — nor audited as taken — until someone plays)
 * and a Download link (`recordingHref`). A Lens session's on its own page (`lensRecordingHref`),
 * each finished part played in a player of its own — which, too, fetches nothing before Play
 * (`preload="metadata"` read every part's start at each visit, an audited taking nobody made).
 */
import type { PageContext } from "../http/mod.ts";
import type { Translator } from "../i18n/mod.ts";
import type { ReadableLens } from "../lens/mod.ts";
import { Layout } from "../../views/layout.tsx";
import { Moment } from "../../views/moment.tsx";
import { formatSize } from "../../protocol/size.ts";
import { chapterKey } from "./chapter_words.ts";
import type { RecordingRow } from "./parts.ts";

/** Where a part is downloaded (modules/history serves it, behind its visibility check). */
export const recordingHref = (sessionId: string, id: string) =>
  `/console/history/session/${sessionId}/recordings/${id}`;

/** A Lens session's recordings page, and where one of its parts is played or downloaded. */
export const lensRecordingsHref = (lensId: string) => `/console/recordings/lens/${lensId}`;
export const lensRecordingHref = (lensId: string, id: string) =>
  `${lensRecordingsHref(lensId)}/${id}`;

/** How long a finished part plays: its file's length (before migration 0040: its row's times). */
function _duration(row: RecordingRow): string {
  if (!row.endedAt) return "";
  return _clock(row.durationMs ?? row.endedAt.getTime() - row.startedAt.getTime());
}

/** A time on a part's timeline as a player shows it: 0:07, 12:30, 1:02:05. */
function _clock(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  const s = String(seconds % 60).padStart(2, "0");
  const m = Math.floor(seconds / 60);
  return m < 60 ? `${m}:${s}` : `${Math.floor(m / 60)}:${String(m % 60).padStart(2, "0")}:${s}`;
}

/**
 * The record page's card of parts. With `deleting` (an admin: the CSRF token for the form) each
 * finished part has Delete, asked first; htmx swaps the card for the one the POST returns. A
 * session's part whose picture was not live somewhere (a secure screen, a refused grab) lists
 * those stretches under its row, each playing the part from its start.
 */
export function RecordingList(
  props: {
    t: Translator;
    sessionId: string;
    rows: RecordingRow[];
    deleting?: { csrf: string };
    /** A Lens session's parts (`sessionId` is its id): its own addresses and words. */
    lens?: boolean;
  },
) {
  const { t, rows, deleting, lens } = props;
  if (rows.length === 0) return null;
  const href = (id: string) =>
    lens ? lensRecordingHref(props.sessionId, id) : recordingHref(props.sessionId, id);
  return (
    <section class="card" id="recordings">
      <h2>{t(lens ? "recording.lens.parts" : "recording.list.title")}</h2>
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
          {rows.map((row, i) => [
            <tr data-recording-row={row.id}>
              <td>
                <Moment lang={t.lang} at={row.startedAt} style="dateTime" />
              </td>
              <td>{row.endedAt ? _duration(row) : t("recording.list.unfinished")}</td>
              <td>
                {`${row.width}×${row.height} ${
                  row.codec === "h264" ? "H.264" : row.codec.toUpperCase()
                }`}
              </td>
              <td>{formatSize(row.bytes, t.lang)}</td>
              <td>
                {!lens && row.endedAt && (
                  <>
                    <button
                      type="button"
                      class="link"
                      data-recording-play={href(row.id)}
                      data-recording-title={t("recording.list.part", { number: i + 1 })}
                    >
                      {t("recording.list.play")}
                    </button>
                    {" · "}
                  </>
                )}
                <a href={href(row.id)} download>
                  {t("recording.list.download")}
                </a>
                {deleting && row.endedAt && (
                  <form
                    method="post"
                    action={`${href(row.id)}/delete`}
                    class="inline"
                    hx-post={`${href(row.id)}/delete`}
                    hx-target="#recordings"
                    hx-swap="outerHTML"
                    hx-confirm={t(
                      lens ? "recording.lens.deleteConfirm" : "recording.list.deleteConfirm",
                    )}
                  >
                    <input type="hidden" name="_csrf" value={deleting.csrf} />
                    {" · "}
                    <button type="submit" class="link danger">
                      {t("recording.list.delete")}
                    </button>
                  </form>
                )}
              </td>
            </tr>,
            !lens && row.endedAt && row.notLive?.length
              ? (
                <tr class="recording-gaps" data-recording-gaps={row.id}>
                  <td colspan={5}>
                    <ul>
                      {row.notLive.map((stretch) => {
                        const when = `${_clock(stretch.startMs)}–${_clock(stretch.endMs)}`;
                        return (
                          <li>
                            <button
                              type="button"
                              class="link"
                              data-recording-play={href(row.id)}
                              data-recording-title={t("recording.list.part", { number: i + 1 })}
                              data-recording-at={String(stretch.startMs / 1000)}
                              title={t("recording.list.playFrom", {
                                time: _clock(stretch.startMs),
                              })}
                            >
                              {when}
                            </button>{" "}
                            {t(chapterKey(stretch.reason))}
                          </li>
                        );
                      })}
                    </ul>
                  </td>
                </tr>
              )
              : null,
          ])}
        </tbody>
      </table>
      {lens && rows.map((row, i) =>
        row.endedAt && (
          <figure class="recording-player">
            <video
              controls
              preload="none"
              src={href(row.id)}
              data-recording-player={row.id}
              aria-label={t("recording.list.part", { number: i + 1 })}
            >
            </video>
            <figcaption>
              {t("recording.list.part", { number: i + 1 })} ·{" "}
              <Moment lang={t.lang} at={row.startedAt} style="dateTime" />
            </figcaption>
          </figure>
        )
      )}
      {!lens && rows.some((row) => row.endedAt) && (
        <>
          <figure class="recording-player" data-recording-figure hidden>
            <video controls preload="none" data-recording-player=""></video>
            <figcaption></figcaption>
          </figure>
          <script type="module" src="/static/recording_player.js"></script>
        </>
      )}
    </section>
  );
}

/**
 * A Lens session's recordings page: whose session it was, when, with whom, then its parts —
 * played here, downloaded, deleted by an admin — or that none is kept.
 */
export function LensRecordingsPage(
  props: { c: PageContext; lens: ReadableLens; rows: RecordingRow[]; deleting?: { csrf: string } },
) {
  const { c, lens, rows } = props;
  const t = c.get("t");
  return (
    <Layout c={c} title={t("recording.lens.title")}>
      <h1>{t("recording.lens.title")}</h1>
      <section class="card">
        <dl class="lens-recording-facts">
          <dt>{t("recording.lens.technician")}</dt>
          <dd>{lens.technicianName}</dd>
          <dt>{t("lens.history.started")}</dt>
          <dd>
            <Moment lang={t.lang} at={lens.createdAt} style="dateTime" />
          </dd>
          <dt>{t("lens.history.customer")}</dt>
          <dd>{lens.customerName || <span class="muted">{t("lens.history.notGiven")}</span>}</dd>
        </dl>
      </section>
      {rows.length === 0
        ? <p class="card muted" data-lens-recordings-none>{t("recording.lens.none")}</p>
        : (
          <RecordingList
            t={t}
            sessionId={lens.id}
            rows={rows}
            deleting={props.deleting}
            lens
          />
        )}
    </Layout>
  );
}
