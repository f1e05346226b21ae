import assert from "node:assert/strict";
import { saveScreenshot, screenshotName, uploadScreenshot } from "./screenshot.ts";

Deno.test("screenshotName() is sortable and safe on every file system", () => {
  assert.equal(
    screenshotName(new Date("2026-12-04T11:25:10.123Z")),
    "screenshot-2026-12-04T11-25-10-123Z.png",
  );
});

Deno.test("saveScreenshot() without a picture says so and posts nothing", async () => {
  const reports: string[] = [];
  const host = {
    video: { videoWidth: 0 } as HTMLVideoElement,
    size: { width: 1920, height: 1080 },
    target: { url: "/shot", csrf: "c" },
    busy: () => reports.push("busy"),
    report: (outcome: string) => reports.push(outcome),
  };
  await saveScreenshot(host);
  await saveScreenshot({ ...host, video: null });
  assert.deepEqual(reports, ["noVideo", "noVideo"]);
});

Deno.test("uploadScreenshot() posts the PNG as a file with the CSRF token, same-origin", async () => {
  const realFetch = globalThis.fetch;
  let seen: Request | undefined;
  globalThis.fetch = (input, init) => {
    seen = new Request(input, init);
    return Promise.resolve(new Response(null, { status: seen.url.endsWith("/full") ? 413 : 201 }));
  };
  try {
    const png = new Blob([new Uint8Array([0x89, 0x50])], { type: "image/png" });
    const ok = await uploadScreenshot({ url: "http://h/shot", csrf: "tok" }, png, "a.png");
    assert.deepEqual(ok, { ok: true, why: "" });
    assert.equal(seen!.method, "POST");
    assert.equal(seen!.headers.get("x-csrf-token"), "tok");
    assert.equal(seen!.headers.get("hx-request"), "true");
    assert.equal(seen!.credentials, "same-origin");
    const file = (await seen!.formData()).get("file") as File;
    assert.equal(file.name, "a.png");
    assert.equal(file.size, 2);
    const refused = await uploadScreenshot({ url: "http://h/full", csrf: "tok" }, png, "a.png");
    assert.equal(refused.ok, false);
  } finally {
    globalThis.fetch = realFetch;
  }
});
