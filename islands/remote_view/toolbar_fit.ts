/**
 * Keeps the remote view's toolbar one row whatever it holds. Which buttons it shows depends on
 * the technician's permissions (recording, the draw toggles), the state ("Stop recording" is
 * longer than "Record"), the customer's monitors and the language, so no fixed width can say
 * when it wraps: after each render and each change of its size the toolbar is measured, and
 * where its parts take two rows it gives up room step by step — first the draw toggles move
 * into "More" (`data-fit="draw"`), then the words go beside the pictures (`data-fit="words"`),
 * as static/remote_view.css says. The narrow container query does both below 44rem anyway.
 */
import { type RefObject } from "preact";
import { useLayoutEffect } from "preact/hooks";

/** The steps, least given up first. */
export const FIT_STEPS = ["", "draw", "words"] as const;

interface Box {
  top: number;
  bottom: number;
  width: number;
}

/** Whether boxes laid out in a wrapping row take more than one row: one starts below another's end. */
export function wraps(boxes: readonly Box[]): boolean {
  const shown = boxes.filter((b) => b.width > 0);
  if (shown.length < 2) return false;
  const firstEnd = Math.min(...shown.map((b) => b.bottom));
  return shown.some((b) => b.top >= firstEnd - 0.5);
}

/** Applies the first step at which `bar`'s children fit in one row (the last if none does). */
export function fitToolbar(bar: HTMLElement): string {
  for (const step of FIT_STEPS) {
    if (step) bar.dataset.fit = step;
    else delete bar.dataset.fit;
    const boxes = [...bar.children].map((child) => child.getBoundingClientRect());
    if (!wraps(boxes)) return step;
  }
  return FIT_STEPS[FIT_STEPS.length - 1];
}

/** Fits the toolbar after every render and whenever its width changes. */
export function useToolbarFit(ref: RefObject<HTMLElement | null>): void {
  useLayoutEffect(() => {
    if (ref.current) fitToolbar(ref.current);
  });
  useLayoutEffect(() => {
    const bar = ref.current;
    if (!bar || typeof ResizeObserver === "undefined") return;
    let width = bar.clientWidth;
    let frame = 0;
    // Measured in the next frame, not in the observer's callback: changing the layout there
    // would notify it again within the same frame.
    const observer = new ResizeObserver(() => {
      if (bar.clientWidth === width || frame) return;
      frame = requestAnimationFrame(() => {
        frame = 0;
        width = bar.clientWidth;
        fitToolbar(bar);
      });
    });
    observer.observe(bar);
    return () => {
      observer.disconnect();
      cancelAnimationFrame(frame);
    };
  }, []);
}
