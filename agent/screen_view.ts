/**
 * One screen (monitor) of a desktop that spans several, or all of them: a `Desktop` the
 * picture (screen.ts) and the technician's input go through, so both see only the chosen
 * screen, with (0, 0) at its top-left corner. The technician chooses with the `screen`
 * message; `null` shows the whole desktop (the default, and the fallback when the chosen
 * screen goes away).
 *
 * Capture stays one grab of the whole desktop: the view is the same pixels from the screen's
 * corner with the desktop's stride (no copy). Changes outside the screen are not changes of
 * the view; pointer positions are moved to the screen and kept on it.
 */
import type {
  CursorImage,
  DamageWatcher,
  Desktop,
  Frame,
  MouseButton,
  Rect,
  ScreenInfo,
} from "./platform/types.ts";
import type { KeyCode } from "../protocol/key_codes.ts";

export class ScreenView implements Desktop {
  #region: ScreenInfo | null = null;

  constructor(readonly desktop: Desktop) {}

  /** The screens the desktop spans (only when there are several: one is the whole desktop). */
  screens(): ScreenInfo[] {
    const list = this.desktop.screens?.() ?? [];
    return list.length > 1 ? list : [];
  }

  /** The chosen screen's id, or null for the whole desktop. */
  get current(): string | null {
    return this.#region?.id ?? null;
  }

  /** The chosen screen where it was last listed, or null for the whole desktop. */
  get region(): ScreenInfo | null {
    return this.#region;
  }

  /**
   * Shows `id` (null: everything). Returns false, showing everything, when no such screen
   * exists now. Re-read with the current list when the layout changes.
   */
  select(id: string | null, list: ScreenInfo[] = this.screens()): boolean {
    const found = id === null ? null : list.find((s) => s.id === id) ?? null;
    this.#region = found;
    return id === null || found !== null;
  }

  get width(): number {
    return this.#region?.width ?? this.desktop.width;
  }

  get height(): number {
    return this.#region?.height ?? this.desktop.height;
  }

  grab(): Frame {
    const frame = this.desktop.grab();
    const r = this.#fit(frame);
    if (!r) return frame;
    const offset = r.y * frame.stride + r.x * 4;
    const end = Math.min(frame.data.byteLength, offset + r.height * frame.stride);
    return {
      width: r.width,
      height: r.height,
      stride: frame.stride,
      data: frame.data.subarray(offset, end),
    };
  }

  cursor(): CursorImage | null {
    const cursor = this.desktop.cursor();
    const r = this.#region;
    if (!cursor || !r) return cursor;
    return { ...cursor, x: cursor.x - r.x, y: cursor.y - r.y };
  }

  pointer(x: number, y: number): void {
    const p = this.#toDesktop(x, y);
    this.desktop.pointer(p.x, p.y);
  }

  button(button: MouseButton, down: boolean, x: number, y: number): void {
    const p = this.#toDesktop(x, y);
    this.desktop.button(button, down, p.x, p.y);
  }

  wheel(dx: number, dy: number): void {
    this.desktop.wheel(dx, dy);
  }

  key(keysym: number, down: boolean, code?: KeyCode): void {
    this.desktop.key(keysym, down, code);
  }

  releaseInput(): void {
    this.desktop.releaseInput?.();
  }

  ctrlAltDel(): string | null {
    return this.desktop.ctrlAltDel();
  }

  clipboardRead(): Promise<string> {
    return this.desktop.clipboardRead();
  }

  clipboardWrite(text: string): Promise<void> {
    return this.desktop.clipboardWrite(text);
  }

  keyboardLayout(): string {
    return this.desktop.keyboardLayout();
  }

  damage(): DamageWatcher | null {
    const inner = this.desktop.damage?.();
    return inner ? new ViewDamage(inner, () => this.#region) : null;
  }

  close(): void {
    this.desktop.close();
  }

  /** The chosen screen, if it still fits inside the captured frame (else the whole frame). */
  #fit(frame: Frame): Rect | null {
    const r = this.#region;
    if (!r || r.x + r.width > frame.width || r.y + r.height > frame.height) return null;
    return r;
  }

  #toDesktop(x: number, y: number): { x: number; y: number } {
    const r = this.#region;
    if (!r) return { x, y };
    return {
      x: r.x + Math.min(Math.max(0, x), r.width - 1),
      y: r.y + Math.min(Math.max(0, y), r.height - 1),
    };
  }
}

/**
 * The desktop's change watcher, seen through the view: only changes on the chosen screen. The
 * pointer's events pass through (the view's cursor() says whether they matter to it).
 */
class ViewDamage implements DamageWatcher {
  #kept: Rect[] = [];
  /** The inner watcher saw the pointer before a take() of ours cleared it. */
  #moved = false;

  constructor(private inner: DamageWatcher, private region: () => Rect | null) {}

  get pointer(): boolean | undefined {
    return this.inner.pointer;
  }

  get moved(): boolean {
    return this.#moved || !!this.inner.moved;
  }

  async wait(
    timeoutMs: number,
    options?: { signal?: AbortSignal; pointer?: boolean },
  ): Promise<boolean> {
    const pointer = !!this.inner.pointer && options?.pointer !== false;
    if (this.#kept.length > 0 || (pointer && this.moved)) return true;
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      const woke = await this.inner.wait(Math.max(0, deadline - performance.now()), options);
      if (!woke) return false;
      this.#moved ||= !!this.inner.moved; // before take() clears it
      this.#kept = clipRects(this.inner.take(), this.region());
      if (this.#kept.length > 0 || (pointer && this.#moved)) return true;
      if (performance.now() >= deadline) return false;
    }
  }

  take(): Rect[] {
    const rects = [...this.#kept, ...clipRects(this.inner.take(), this.region())];
    this.#kept = [];
    this.#moved = false;
    return rects;
  }

  close(): void {
    this.inner.close();
  }
}

/** The rectangles' parts inside `region`, relative to its corner (all of them when null). */
export function clipRects(rects: Rect[], region: Rect | null): Rect[] {
  if (!region) return rects;
  const out: Rect[] = [];
  for (const r of rects) {
    const x = Math.max(r.x, region.x), y = Math.max(r.y, region.y);
    const right = Math.min(r.x + r.width, region.x + region.width);
    const bottom = Math.min(r.y + r.height, region.y + region.height);
    if (right > x && bottom > y) {
      out.push({ x: x - region.x, y: y - region.y, width: right - x, height: bottom - y });
    }
  }
  return out;
}
