/** @jsxRuntime automatic @jsxImportSource preact */
/**
 * The toolbar's pictures: small line drawings in the text's colour, beside or instead of a
 * button's words. Decorative — the button's words stay in the page (visually hidden where the
 * toolbar is narrow, `.rv-label`) and in its title, so screen readers and tooltips name it.
 */
const PATHS = {
  /** An eye: look at the customer's screen. */
  view: "M1 8s2.5-5 7-5 7 5 7 5-2.5 5-7 5-7-5-7-5z M8 6a2 2 0 1 0 0 4 2 2 0 0 0 0-4z",
  /** A pointer: take the mouse and keyboard. */
  control: "M3.5 1.5l9 6.5-4 .8 2.3 4.6-1.8.9-2.3-4.6-3.2 2.8z",
  /** Corners pointing in: the whole screen inside the view. */
  fit: "M6 1.5V6H1.5 M10 1.5V6h4.5 M14.5 10H10v4.5 M1.5 10H6v4.5",
  /** "1:1": a remote pixel per page pixel. */
  actual: "M3 5l1.5-1.5v9 M10 5l1.5-1.5v9 M7.2 6.5v.01 M7.2 10v.01",
  /** A double arrow: the picture stretched to the view. */
  stretch: "M1 8h14 M4 5L1 8l3 3 M12 5l3 3-3 3",
  /** Corners pointing out: full screen. */
  fullscreen: "M1.5 5.5v-4h4 M10.5 1.5h4v4 M14.5 10.5v4h-4 M5.5 14.5h-4v-4",
  /** A dot in a ring: record. */
  record:
    "M8 1.5a6.5 6.5 0 1 0 0 13 6.5 6.5 0 0 0 0-13z M8 5.5a2.5 2.5 0 1 0 0 5 2.5 2.5 0 0 0 0-5z",
  /** A pen: draw on the customer's screen (whiteboard). */
  pen: "M10.5 2.5l3 3-8 8h-3v-3z M9 4l3 3",
  /** A dot with rays: the laser pointer. */
  laser: "M8 6a2 2 0 1 0 0 4 2 2 0 0 0 0-4z M8 1v2.5 M8 12.5V15 M1 8h2.5 M12.5 8H15",
} as const;

export type IconName = keyof typeof PATHS;

export function Icon({ name }: { name: IconName }) {
  return (
    <svg
      class={`rv-icon rv-icon-${name}`}
      viewBox="0 0 16 16"
      width="16"
      height="16"
      aria-hidden="true"
      focusable="false"
    >
      <path d={PATHS[name]} />
    </svg>
  );
}
