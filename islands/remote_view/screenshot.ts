/**
 * Screenshots: the current frame at the remote screen's size (during motion mode the agent may
 * send half-size frames) as a PNG, posted to the session's files. It is the picture alone: while
 * the island draws the customer's pointer itself (cursor_overlay.ts), the pointer is not in the
 * frames, and it is not added here — a screenshot shows the screen, not where the mouse was.
 */
import type { Size } from "./geometry.ts";

/** `screenshot-2026-12-04T11-25-10-123Z.png`: sortable, no characters file systems refuse. */
export function screenshotName(date: Date): string {
  return `screenshot-${date.toISOString().replace(/[:.]/g, "-")}.png`;
}

export function capturePng(video: HTMLVideoElement, size: Size): Promise<Blob | null> {
  const canvas = document.createElement("canvas");
  canvas.width = size.width;
  canvas.height = size.height;
  canvas.getContext("2d")?.drawImage(video, 0, 0, size.width, size.height);
  return new Promise((resolve) => canvas.toBlob(resolve, "image/png"));
}

/** Posts the PNG; on refusal, `why` is the server's message (text only, at most 300 chars). */
export async function uploadScreenshot(
  target: { url: string; csrf: string },
  png: Blob,
  name: string,
): Promise<{ ok: boolean; why: string }> {
  const form = new FormData();
  form.append("file", png, name);
  const response = await fetch(target.url, {
    method: "POST",
    body: form,
    credentials: "same-origin",
    headers: { "X-CSRF-Token": target.csrf, "HX-Request": "true" },
  });
  if (response.ok) return { ok: true, why: "" };
  return { ok: false, why: await responseText(response) };
}

async function responseText(response: Response): Promise<string> {
  try {
    const text = await response.text();
    // Our error fragments are one short element: take its text, never its markup.
    const body = new DOMParser().parseFromString(text, "text/html").body;
    return (body.textContent ?? "").trim().slice(0, 300);
  } catch {
    return "";
  }
}

export interface ScreenshotHost {
  video: HTMLVideoElement | null;
  /** The remote screen's size (the video's may be half of it). */
  size: Size | null;
  target: { url: string; csrf: string };
  busy(on: boolean): void;
  /** Tells the technician: a label key (with the file name or the server's reason). */
  report(outcome: "saved" | "noVideo" | "failed", detail?: string): void;
}

/** Takes the screenshot and stores it with the session's files, telling how it went. */
export async function saveScreenshot(host: ScreenshotHost): Promise<void> {
  const { video, size } = host;
  if (!video?.videoWidth || !size) return host.report("noVideo");
  const png = await capturePng(video, size);
  if (!png) return host.report("failed");
  const name = screenshotName(new Date());
  host.busy(true);
  try {
    const { ok, why } = await uploadScreenshot(host.target, png, name);
    host.report(ok ? "saved" : "failed", ok ? name : why);
  } catch {
    host.report("failed");
  } finally {
    host.busy(false);
  }
}
