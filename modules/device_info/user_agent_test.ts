import assert from "node:assert/strict";
import { parseUserAgent } from "./user_agent.ts";

Deno.test("parseUserAgent() reads an iPhone's Safari", () => {
  const ua = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 " +
    "(KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1";
  assert.deepEqual(parseUserAgent(ua), {
    os: "iOS",
    osVersion: "17.4.1",
    model: "iPhone",
    browser: "Safari",
    browserVersion: "17.4",
    mobile: true,
  });
});

Deno.test("parseUserAgent() names an Android model, not Chrome's reduced 'K'", () => {
  const named = parseUserAgent(
    "Mozilla/5.0 (Linux; Android 13; Pixel 7 Build/TQ3A) AppleWebKit/537.36 (KHTML, like Gecko) " +
      "Chrome/120.0.0.0 Mobile Safari/537.36",
  );
  assert.equal(named.model, "Pixel 7");
  assert.equal(named.os, "Android");
  assert.equal(named.osVersion, "13");
  assert.equal(named.browser, "Chrome");
  assert.equal(named.mobile, true);
  const reduced = parseUserAgent(
    "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) " +
      "Chrome/124.0.0.0 Mobile Safari/537.36",
  );
  assert.equal(reduced.model, null);
});

Deno.test("parseUserAgent() reads desktop browsers and says nothing it cannot", () => {
  const firefox = parseUserAgent(
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0",
  );
  assert.deepEqual([firefox.os, firefox.osVersion, firefox.browser, firefox.mobile], [
    "Windows",
    "10.0",
    "Firefox",
    false,
  ]);
  const edge = parseUserAgent(
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) " +
      "Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91",
  );
  assert.deepEqual([edge.os, edge.osVersion, edge.browser], ["macOS", "10.15.7", "Edge"]);
  assert.deepEqual(parseUserAgent("curl/8.5.0"), {
    os: null,
    osVersion: null,
    model: null,
    browser: null,
    browserVersion: null,
    mobile: false,
  });
});
