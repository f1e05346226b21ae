/**
 * An access window in words, for the customer's local command (plain English; the console
 * words it through the page's translator, views.tsx).
 */
import type { AccessWindow } from "./schema.ts";

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

export function clockText(minute: number): string {
  const h = Math.floor(minute / 60) % 24;
  return `${String(h).padStart(2, "0")}:${String(minute % 60).padStart(2, "0")}`;
}

export function describeWindow(window: AccessWindow, zone: string): string {
  const until = window.untilAt ? ` until ${window.untilAt.slice(0, 16).replace("T", " ")} UTC` : "";
  switch (window.kind) {
    case "unlimited":
      return "any time, no end";
    case "days":
    case "range":
      return `from ${window.fromAt?.slice(0, 16).replace("T", " ")} UTC${until}`;
    case "daily":
      return `${(window.weekdays ?? []).map((d) => DAYS[d]).join(", ")} ` +
        `${clockText(window.startMinute ?? 0)}–${
          clockText(window.endMinute ?? 0)
        } (${zone})${until}`;
  }
}
