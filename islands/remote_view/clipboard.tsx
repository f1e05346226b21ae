/** @jsxRuntime automatic @jsxImportSource preact */
/**
 * Clipboard sync (part of control): the customer's clipboard as the agent last sent it, with a
 * Copy button, and a box whose text — or, when empty, the technician's own clipboard — goes to
 * the customer's. With "Synchronise automatically" (the technician's console option, SPEC Q7;
 * a box in the panel changes it for this view) `ClipboardSync` moves text by itself both ways.
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

export interface ClipboardSyncHost {
  state(): ViewState;
  canClipboard: boolean;
  /** Sends the text to the customer; false when the socket is down. */
  send(text: string): boolean;
  /** The browser's clipboard (navigator.clipboard; a fake in unit tests). */
  clipboard(): Pick<Clipboard, "readText" | "writeText"> | undefined;
  hasFocus(): boolean;
  /**
   * Whether the clipboard may be read without a question each time: where the browser knows a
   * `clipboard-read` permission (Chromium: asked once, then remembered) and it is not denied.
   * Firefox and Safari know none and show a "Paste" button at every read instead, so there the
   * technician's side stays by hand (the panel's Send).
   */
  mayRead(): Promise<boolean>;
}

/** `mayRead` for a real browser (see ClipboardSyncHost). */
export async function clipboardReadAllowed(): Promise<boolean> {
  try {
    const status = await navigator.permissions.query({ name: "clipboard-read" as PermissionName });
    return status.state !== "denied";
  } catch {
    return false;
  }
}

/**
 * The automatic half of clipboard sync, while control (and so the clipboard) is granted and the
 * technician's sync is on: what the customer copies is written to the technician's clipboard at
 * once (when this window has the focus — browsers refuse it otherwise); what the technician
 * copied elsewhere goes to the customer's clipboard when they come back to this window or click
 * into the screen, or when control is granted. The last text either way is remembered, so nothing is sent back where it
 * came from, nor sent twice. A clipboard the browser will not read (the technician said no) is
 * left alone: the panel's box still sends by hand.
 */
export class ClipboardSync {
  #last = "";
  constructor(private host: ClipboardSyncHost) {}

  #on() {
    const s = this.host.state();
    return this.host.canClipboard && s.clipSync && s.connected && s.clipboard === "granted";
  }

  /** Text from the customer's clipboard (already shown in the panel). */
  received(text: string) {
    this.#last = text;
    if (!this.#on() || !this.host.hasFocus()) return;
    this.host.clipboard()?.writeText(text).catch(() => {});
  }

  /** Sent by hand from the panel. */
  sent(text: string) {
    this.#last = text;
  }

  /** The technician came back to this window or into the screen, or control was just granted. */
  async offer(): Promise<boolean> {
    if (!this.#on() || !this.host.hasFocus() || !(await this.host.mayRead())) return false;
    let text = "";
    try {
      text = (await this.host.clipboard()?.readText()) ?? "";
    } catch {
      return false;
    }
    if (!this.#on() || !text || text === this.#last || clipboardProblem(text)) return false;
    if (!this.host.send(text)) return false;
    this.#last = text;
    return true;
  }
}

export interface ClipboardProps {
  t: Translate;
  uid: string;
  state: ViewState;
  canClipboard: boolean;
  /** Sends the text to the customer; false when the socket is down. */
  send(text: string): boolean;
  setStatus(text: string, error?: boolean): void;
  /** The panel's "Synchronise automatically" box. */
  setSync(on: boolean): void;
}

export function ClipboardPanel(
  { t, uid, state: s, canClipboard, send, setStatus, setSync }: ClipboardProps,
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

  // Granted with the automatic sync off: said so, rather than "on" as if it moved by itself.
  const stateWords = s.clipboard === "granted" && !s.clipSync
    ? t("clipboardManual")
    : t(`clipboard${capitalize(s.clipboard)}`);
  return (
    // Folded by default: the screen keeps the room; the summary says whether sync is on.
    <details class="rv-clipboard">
      <summary>
        {t("clipboard")}{" "}
        <span class="rv-clipboard-summary" data-state={s.clipboard}>
          {stateWords}
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
              {stateWords}
            </span>
          </div>
          <label class="rv-clip-auto">
            <input
              type="checkbox"
              class="rv-clipboard-auto"
              checked={s.clipSync}
              onChange={(event) => setSync((event.target as HTMLInputElement).checked)}
            />{" "}
            {t("clipboardAuto")}
          </label>
        </div>
      )}
    </details>
  );
}
