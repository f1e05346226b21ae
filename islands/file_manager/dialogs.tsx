/** @jsxRuntime automatic @jsxImportSource preact */
/**
 * The file manager's dialogs, each modal over the island: a one-line question (new folder,
 * rename, a selection pattern), a confirmation that lists what it is about (delete, the
 * deletions of a replicate), the keyboard help, and the text editor. Escape closes, the first
 * field (or the safe button) takes the focus.
 */
import type { ComponentChildren } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import type { Translate } from "./format.ts";
import { SHORTCUTS } from "./keys.ts";
import type { DialogState } from "./state.ts";

/** Whichever dialog is open. */
export function OpenDialog(
  props: { t: Translate; dialog: DialogState | null; onClose(): void; onSave(text: string): void },
) {
  const { t, dialog: d, onClose } = props;
  if (!d) return null;
  if (d.kind === "help") return <HelpDialog t={t} onClose={onClose} />;
  if (d.kind === "prompt") return <PromptDialog t={t} {...d} onClose={onClose} />;
  if (d.kind === "confirm") return <ConfirmDialog t={t} {...d} onClose={onClose} />;
  return (
    <EditorDialog
      t={t}
      path={d.path}
      text={d.text}
      status={d.status}
      saving={d.saving}
      onSave={props.onSave}
      onClose={onClose}
    />
  );
}

function Dialog(
  props: { title: string; class?: string; onClose(): void; children: ComponentChildren },
) {
  const ref = useRef<HTMLDivElement>(null);
  const close = useRef(props.onClose);
  close.current = props.onClose;
  useEffect(() => {
    const first = ref.current?.querySelector<HTMLElement>(
      "[data-autofocus], textarea, input, button",
    );
    first?.focus({ preventScroll: true });
    // Escape closes even when the focus left the dialog (a button that went disabled drops it).
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && close.current();
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, []);
  return (
    <div class="fm-backdrop">
      <div
        ref={ref}
        class={`fm-dialog ${props.class ?? ""}`}
        role="dialog"
        aria-modal="true"
        aria-label={props.title}
        onKeyDown={(e) => {
          e.stopPropagation();
          if (e.key === "Escape") close.current();
        }}
      >
        <h3>{props.title}</h3>
        {props.children}
      </div>
    </div>
  );
}

export function PromptDialog(props: {
  t: Translate;
  title: string;
  label: string;
  value: string;
  /** Extra buttons (the pattern dialog's Deselect); the main one submits. */
  submit: string;
  alternate?: { label: string; run(value: string): void };
  onSubmit(value: string): void;
  onClose(): void;
}) {
  const [value, setValue] = useState(props.value);
  return (
    <Dialog title={props.title} onClose={props.onClose} class="fm-prompt">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (value.trim()) props.onSubmit(value.trim());
        }}
      >
        <label>
          {props.label}
          <input
            class="fm-prompt-input"
            value={value}
            onInput={(e) => setValue((e.currentTarget as HTMLInputElement).value)}
            spellcheck={false}
            autocomplete="off"
            required
          />
        </label>
        <div class="row tight fm-dialog-buttons">
          <button type="submit">{props.submit}</button>
          {props.alternate && (
            <button
              type="button"
              class="secondary"
              onClick={() => value.trim() && props.alternate!.run(value.trim())}
            >
              {props.alternate.label}
            </button>
          )}
          <button type="button" class="secondary" onClick={props.onClose}>
            {props.t("cancel")}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

export function ConfirmDialog(props: {
  t: Translate;
  title: string;
  message: string;
  items: string[];
  confirm: string;
  danger?: boolean;
  onConfirm(): void;
  onClose(): void;
}) {
  const shown = props.items.slice(0, 500);
  return (
    <Dialog title={props.title} onClose={props.onClose} class="fm-confirm">
      <p>{props.message}</p>
      {shown.length > 0 && (
        <ul class="fm-confirm-list mono">
          {shown.map((item) => <li>{item}</li>)}
          {props.items.length > shown.length && (
            <li>{props.t("andMore", { count: props.items.length - shown.length })}</li>
          )}
        </ul>
      )}
      <div class="row tight fm-dialog-buttons">
        <button
          type="button"
          class={props.danger ? "danger fm-confirm-ok" : "fm-confirm-ok"}
          onClick={props.onConfirm}
        >
          {props.confirm}
        </button>
        <button type="button" class="secondary" data-autofocus="" onClick={props.onClose}>
          {props.t("cancel")}
        </button>
      </div>
    </Dialog>
  );
}

export function HelpDialog(props: { t: Translate; onClose(): void }) {
  const { t } = props;
  return (
    <Dialog title={t("helpTitle")} onClose={props.onClose} class="fm-help">
      <dl class="fm-help-list">
        {SHORTCUTS.map((s) => (
          <div class="fm-help-item">
            <dt>{s.keys.map((k) => <kbd>{k}</kbd>)}</dt>
            <dd>{t(`key_${s.action}`)}</dd>
          </div>
        ))}
      </dl>
      <div class="row tight fm-dialog-buttons">
        <button type="button" class="secondary" onClick={props.onClose}>{t("close")}</button>
      </div>
    </Dialog>
  );
}

export function EditorDialog(props: {
  t: Translate;
  path: string;
  text: string;
  status: string | null;
  saving: boolean;
  onSave(text: string): void;
  onClose(): void;
}) {
  const [text, setText] = useState(props.text);
  const changed = text !== props.text;
  const close = () => {
    if (!changed || globalThis.confirm(props.t("discardChanges"))) props.onClose();
  };
  return (
    <Dialog
      title={props.t("editTitle", { name: props.path })}
      onClose={close}
      class="fm-editor"
    >
      <textarea
        class="fm-editor-text mono"
        value={text}
        spellcheck={false}
        onInput={(e) => setText((e.currentTarget as HTMLTextAreaElement).value)}
        onKeyDown={(e) => {
          if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "s") {
            e.preventDefault();
            props.onSave(text);
          }
        }}
      />
      <div class="row tight fm-dialog-buttons">
        <button
          type="button"
          class="fm-editor-save"
          disabled={props.saving}
          onClick={() => props.onSave(text)}
        >
          {props.t("save")}
        </button>
        <button type="button" class="secondary" onClick={close}>{props.t("close")}</button>
        <span class="muted fm-editor-status" aria-live="polite">
          {props.status ?? (changed ? props.t("unsaved") : "")}
        </span>
      </div>
    </Dialog>
  );
}
