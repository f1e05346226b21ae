import type { TranslationKey } from "../i18n/mod.ts";

/**
 * The words for a stretch of a recording, one list for the part file's chapter titles
 * (session_recorders.ts) and the record page's list of where the picture was not live
 * (views.tsx): the live picture (null) or why it was not (the agent's capture pause reason).
 */
export function chapterKey(reason: string | null): TranslationKey {
  if (reason === null) return "recording.chapter.live";
  return reason === "secure_desktop"
    ? "recording.chapter.secureDesktop"
    : "recording.chapter.notCaptured";
}
