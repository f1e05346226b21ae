/**
 * Browser checks that a remote view's control offers are true for the technician looking at
 * them (issue 20): no "End remote control" for someone else's control, and the server's refusal
 * when such an "off" is sent anyway.
 */
import assert from "node:assert/strict";
import type { Locator, Page } from "playwright-core";

/** The remote view offers no "End remote control" (someone else's control is not theirs). */
export async function noEndButton(view: Locator, who: string) {
  assert.equal(await view.locator(".rv-control").count(), 0, `${who}: a control button`);
  const toolbar = await view.locator(".rv-toolbar").innerText();
  assert.doesNotMatch(toolbar, /End remote control/, `${who}'s toolbar`);
}

/**
 * A second viewer socket of this page's technician sends `control` off while another technician
 * holds control: the server's refusal (code and words) is returned.
 */
export async function endControlRefused(page: Page, sessionId: string): Promise<string> {
  const answer = await page.evaluate((id) =>
    new Promise<string>((resolve, reject) => {
      const url = `${location.origin.replace(/^http/, "ws")}/console/sessions/${id}/remote/ws`;
      const ws = new WebSocket(url);
      const timer = setTimeout(() => reject(new Error("no answer to control off")), 15_000);
      ws.onopen = () => ws.send(JSON.stringify({ type: "control", on: false }));
      ws.onmessage = (event) => {
        const message = JSON.parse(String(event.data));
        if (message.type !== "error") return;
        clearTimeout(timer);
        ws.close();
        resolve(`${message.code}: ${message.reason}`);
      };
    }), sessionId);
  assert.match(answer, /^control_end_not_holder: /);
  return answer;
}
