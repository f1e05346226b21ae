/** The file manager's state: both panes, the consent, the open dialog, the status line. */
import type { AgentState } from "./consent.tsx";
import type { Entry } from "./entries.ts";
import { EMPTY_PANE, type PaneModel } from "./pane.tsx";
import type { Roots } from "./remote_api.ts";
import type { SideId } from "./sides.ts";

export type DialogState =
  | { kind: "help" }
  | {
    kind: "prompt";
    title: string;
    label: string;
    value: string;
    submit: string;
    alternate?: { label: string; run(value: string): void };
    onSubmit(value: string): void;
  }
  | {
    kind: "confirm";
    title: string;
    message: string;
    items: string[];
    confirm: string;
    danger?: boolean;
    onConfirm(): void;
  }
  | {
    kind: "editor";
    side: SideId;
    path: string;
    text: string;
    version: string;
    status: string | null;
    saving: boolean;
  };

export interface FmState {
  agent: AgentState | null;
  asking: boolean;
  active: SideId;
  local: PaneModel;
  remote: PaneModel;
  /** The technician's side: nothing chosen yet, a picked folder, or the browser's storage. */
  localMode: "none" | "picked" | "private";
  localName: string;
  places: Roots | null;
  showUsers: boolean;
  dialog: DialogState | null;
  status: { text: string; error: boolean } | null;
  clipboard: { from: SideId; folder: string; entries: Entry[]; cut: boolean } | null;
  busy: boolean;
  /** Bumped when the queue changes (the panel reads the queue itself). */
  tick: number;
}

export const INITIAL: FmState = {
  agent: null,
  asking: false,
  active: "remote",
  local: { ...EMPTY_PANE },
  remote: { ...EMPTY_PANE },
  localMode: "none",
  localName: "",
  places: null,
  showUsers: false,
  dialog: null,
  status: null,
  clipboard: null,
  busy: false,
  tick: 0,
};

export const other = (side: SideId): SideId => (side === "local" ? "remote" : "local");
