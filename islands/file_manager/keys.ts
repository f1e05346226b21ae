/**
 * The file manager's keyboard: which key does what (`keyAction`), and the same list for the
 * help overlay (`SHORTCUTS`), so the overlay never describes a key that does something else.
 * Keys in a text field (the path box, the pattern box, the editor) are left to the field.
 */

export type KeyAction =
  | "otherPane"
  | "leftPane"
  | "rightPane"
  | "open"
  | "up"
  | "rename"
  | "delete"
  | "selectAll"
  | "copy"
  | "cut"
  | "paste"
  | "transfer"
  | "move"
  | "newFolder"
  | "edit"
  | "toggle"
  | "next"
  | "previous"
  | "first"
  | "last"
  | "help"
  | "close";

export interface KeyLike {
  key: string;
  altKey: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
}

/** One help line: the keys as shown and the label key of what they do. */
export interface Shortcut {
  keys: string[];
  /** "next" stands for the four moves of its line. */
  action: Exclude<KeyAction, "previous" | "first" | "last">;
}

export const SHORTCUTS: Shortcut[] = [
  { keys: ["Tab"], action: "otherPane" },
  { keys: ["Alt+1"], action: "leftPane" },
  { keys: ["Alt+2"], action: "rightPane" },
  { keys: ["↑", "↓", "Home", "End"], action: "next" },
  { keys: ["Space", "Insert"], action: "toggle" },
  { keys: ["Enter"], action: "open" },
  { keys: ["Backspace"], action: "up" },
  { keys: ["F2"], action: "rename" },
  { keys: ["F4"], action: "edit" },
  { keys: ["F5"], action: "transfer" },
  { keys: ["F6"], action: "move" },
  { keys: ["F7"], action: "newFolder" },
  { keys: ["Delete"], action: "delete" },
  { keys: ["Ctrl+A"], action: "selectAll" },
  { keys: ["Ctrl+C"], action: "copy" },
  { keys: ["Ctrl+X"], action: "cut" },
  { keys: ["Ctrl+V"], action: "paste" },
  { keys: ["?"], action: "help" },
  { keys: ["Esc"], action: "close" },
];

const PLAIN: Record<string, KeyAction> = {
  Tab: "otherPane",
  Enter: "open",
  Backspace: "up",
  F2: "rename",
  F4: "edit",
  F5: "transfer",
  F6: "move",
  F7: "newFolder",
  Delete: "delete",
  " ": "toggle",
  Insert: "toggle",
  ArrowDown: "next",
  ArrowUp: "previous",
  Home: "first",
  End: "last",
  "?": "help",
  Escape: "close",
};

const WITH_CTRL: Record<string, KeyAction> = {
  a: "selectAll",
  c: "copy",
  x: "cut",
  v: "paste",
};

/** What `event` asks for, or null for a key the file manager leaves alone. */
export function keyAction(event: KeyLike): KeyAction | null {
  const ctrl = event.ctrlKey || event.metaKey;
  if (event.altKey && !ctrl) {
    if (event.key === "1") return "leftPane";
    if (event.key === "2") return "rightPane";
    return null;
  }
  if (ctrl && !event.altKey) return WITH_CTRL[event.key.toLowerCase()] ?? null;
  if (ctrl || event.altKey) return null;
  if (event.key === "Tab" && event.shiftKey) return "otherPane";
  return PLAIN[event.key] ?? null;
}
