/**
 * The agent's `--stats` line (bench:remote reads it from the agent's log): every 5 s, frames sent
 * a second, KiB/s, the capture loop's wake-ups, ms per stage per frame sent, frames at half size,
 * keyframes, refinements, and the pointer's messages when it goes apart from the picture.
 */
import type { Agent } from "./agent.ts";

export function printStats(agent: Agent): void {
  const counts = () => ({
    ...agent.timing,
    frames: agent.framesSent,
    bytes: agent.bytesSent,
    cursors: agent.cursorsSent.messages,
    cursorBytes: agent.cursorsSent.bytes,
  });
  let last = counts();
  setInterval(() => {
    const now = counts();
    const frames = now.frames - last.frames;
    const ticks = now.ticks - last.ticks;
    const per = (key: "grab" | "diff" | "encode") =>
      ((now[key] - last[key]) / Math.max(1, frames)).toFixed(1);
    console.log(
      `STATS ${frames / 5} fps sent, ${((now.bytes - last.bytes) / 5 / 1024).toFixed(0)} KiB/s, ` +
        `${ticks / 5} wake-ups/s (busy ${now.skippedBusy - last.skippedBusy}), per frame: grab ` +
        `${per("grab")} ms, diff ${per("diff")} ms, encode ${per("encode")} ms, ` +
        `${now.halved - last.halved} at half size, ${now.keyframes - last.keyframes} keyframes, ` +
        `${now.refined - last.refined} refined; ${(now.cursors - last.cursors) / 5} pointer ` +
        `messages/s (${((now.cursorBytes - last.cursorBytes) / 5 / 1024).toFixed(1)} KiB/s)`,
    );
    last = now;
  }, 5_000);
}
