/** @jsxRuntime automatic @jsxImportSource preact */
/**
 * The transfer queue under the panes: the totals (files, bytes, rate, time left) with Cancel
 * all and Clear finished, and one line per file — direction, path, a progress bar, its state
 * and, once verified on both ends, its SHA-256.
 */
import { formatDuration, formatRate, formatSize, type Translate } from "./format.ts";
import type { Job, QueueTotals } from "./queue.ts";

const SHOWN = 300;

export function TransferPanel(props: {
  t: Translate;
  jobs: Job[];
  totals: QueueTotals;
  onCancel(id: number): void;
  onCancelAll(): void;
  onClear(): void;
}) {
  const { t, totals } = props;
  const busy = props.jobs.some((j) => j.state === "queued" || j.state === "running");
  // The running and waiting ones first, then the latest finished.
  const ordered = [
    ...props.jobs.filter((j) => j.state === "running" || j.state === "queued"),
    ...props.jobs.filter((j) => j.state !== "running" && j.state !== "queued").reverse(),
  ].slice(0, SHOWN);
  return (
    <section class="fm-transfers" aria-label={t("transfers")}>
      <div class="fm-transfers-head">
        <strong>{t("transfers")}</strong>
        <span class="fm-totals" aria-live="polite">
          {props.jobs.length === 0 ? t("noTransfers") : t("totals", {
            files: totals.filesDone,
            total: totals.files,
            bytes: formatSize(totals.bytesDone),
            size: formatSize(totals.bytes),
          })}
          {busy && totals.rate > 0 && ` · ${formatRate(totals.rate)}`}
          {busy && totals.secondsLeft !== null &&
            ` · ${t("timeLeft", { time: formatDuration(totals.secondsLeft) })}`}
          {totals.failed > 0 && ` · ${t("failedCount", { count: totals.failed })}`}
        </span>
        <progress
          class="fm-total-bar"
          max={Math.max(1, totals.bytes)}
          value={totals.bytesDone}
          aria-label={t("transfers")}
        />
        <button type="button" class="secondary small" disabled={!busy} onClick={props.onCancelAll}>
          {t("cancelAll")}
        </button>
        <button
          type="button"
          class="secondary small"
          disabled={props.jobs.length === 0 || busy}
          onClick={props.onClear}
        >
          {t("clearFinished")}
        </button>
      </div>
      {ordered.length > 0 && (
        <ol class="fm-jobs">
          {ordered.map((job) => (
            <li class={`fm-job is-${job.state}`} data-state={job.state} data-label={job.label}>
              <span class="fm-job-dir" title={t(job.direction === "down" ? "dirDown" : "dirUp")}>
                {job.direction === "down" ? "⬇" : "⬆"}
              </span>
              <span class="fm-job-label" title={job.label}>{job.label}</span>
              <progress max={Math.max(1, job.size)} value={job.done} />
              <span class="fm-job-bytes">{formatSize(job.done)} / {formatSize(job.size)}</span>
              {/* A failure's reason is longer than its column: whole on hover. */}
              <span class="fm-job-state" title={job.state === "failed" ? job.error : undefined}>
                {job.state === "failed" ? job.error ?? t("state_failed") : t(`state_${job.state}`)}
              </span>
              {job.files !== undefined && (
                <span class="fm-job-hash">{t("bundleFiles", { count: job.files })}</span>
              )}
              {job.sha256 && (
                <span class="fm-job-hash mono" title={job.sha256} data-sha256={job.sha256}>
                  SHA-256 {job.sha256.slice(0, 16)}…
                </span>
              )}
              {(job.state === "queued" || job.state === "running") && (
                <button
                  type="button"
                  class="link fm-job-cancel"
                  onClick={() => props.onCancel(job.id)}
                >
                  {t("cancel")}
                </button>
              )}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
