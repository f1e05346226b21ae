/** @jsxRuntime automatic @jsxImportSource preact */
/**
 * Clipboard sync (part of control): the customer's clipboard as the agent last sent it, with a
 * Copy button, and a box whose text — or, when empty, the technician's own clipboard — goes to
 * the customer's.
 */
import { useRef } from "preact/hooks";
import { CLIPBOARD_MAX_CHARS } from "../../protocol/limits.ts";
import type { RemoteUiKey } from "../../protocol/viewer.ts";
import { capitalize, type Translate, type ViewState } from "./view_state.ts";

/** Why this text cannot be sent, or null. */
export function clipboardProblem(text: string): RemoteUiKey | null {
  if (!text) return "clipboardEmpty";
  if (text.length > CLIPBOARD_MAX_CHARS) return "clipboardTooLong";
  return null;
}

export interface ClipboardProps {
  t: Translate;
  uid: string;
  state: ViewState;
  canClipboard: boolean;
  /** Sends the text to the customer; false when the socket is down. */
  send(text: string): boolean;
  setStatus(text: string, error?: boolean): void;
}

export function ClipboardPanel(
  { t, uid, state: s, canClipboard, send, setStatus }: ClipboardProps,
) {
  const remoteRef = useRef<HTMLTextAreaElement>(null);
  const localRef = useRef<HTMLTextAreaElement>(null);
  if (!canClipboard && s.remoteClip === "") return null;
  const usable = canClipboard && s.connected && s.clipboard === "granted";

  const copyRemote = async () => {
    try {
      await navigator.clipboard.writeText(s.remoteClip);
      setStatus(t("clipboardCopied"));
    } catch {
      remoteRef.current?.select();
      const ok = document.execCommand?.("copy") ?? false;
      setStatus(t(ok ? "clipboardCopied" : "clipboardCopyFailed"), !ok);
    }
  };

  const sendLocal = async () => {
    let text = localRef.current?.value ?? "";
    // What the technician pasted into the box wins; otherwise read the clipboard (may be refused).
    if (!text) {
      try {
        text = (await navigator.clipboard.readText()) ?? "";
      } catch {
        text = "";
      }
    }
    const problem = clipboardProblem(text);
    if (problem) return setStatus(t(problem), true);
    if (send(text)) setStatus(t("clipboardSent"));
  };

  return (
    // Folded by default: the screen keeps the room; the summary says whether sync is on.
    <details class="rv-clipboard">
      <summary>
        {t("clipboard")}{" "}
        <span class="rv-clipboard-summary" data-state={s.clipboard}>
          {t(`clipboard${capitalize(s.clipboard)}`)}
        </span>
      </summary>
      <div class="rv-clip rv-clip-remote">
        <label for={`${uid}-remote-clip`}>{t("remoteClipboard")}</label>
        <textarea
          ref={remoteRef}
          id={`${uid}-remote-clip`}
          class="rv-remote-clipboard"
          readOnly
          rows={3}
          value={s.remoteClip}
        />
        <div class="rv-clip-actions">
          <button
            type="button"
            class="rv-copy-clipboard"
            onClick={copyRemote}
            disabled={!s.remoteClip}
          >
            {t("copy")}
          </button>
        </div>
      </div>
      {canClipboard && (
        <div class="rv-clip rv-clip-local">
          <label for={`${uid}-local-clip`}>{t("localClipboard")}</label>
          <textarea
            ref={localRef}
            id={`${uid}-local-clip`}
            class="rv-local-clipboard"
            rows={3}
            placeholder={t("localClipboardHint")}
          />
          <div class="rv-clip-actions">
            <button
              type="button"
              class="rv-send-clipboard"
              onClick={sendLocal}
              disabled={!usable}
            >
              {t("sendClipboard")}
            </button>
            <span class="rv-clipboard-state" data-state={s.clipboard}>
              {t(`clipboard${capitalize(s.clipboard)}`)}
            </span>
          </div>
        </div>
      )}
    </details>
  );
}
