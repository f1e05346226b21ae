import assert from "node:assert/strict";
import { listApplications, parseDpkg, parseFlatpak, parseRpm, parseSnap } from "./packages.ts";

Deno.test("the package systems' outputs", () => {
  assert.deepEqual(
    parseDpkg("firefox-esr\t128.5.0esr-1\t250000\tii \tMozilla Firefox\nold\t1\t1\trc \tgone\n"),
    [{
      source: "dpkg",
      name: "firefox-esr",
      version: "128.5.0esr-1",
      summary: "Mozilla Firefox",
      sizeBytes: 256_000_000,
    }],
  );
  assert.deepEqual(parseRpm("bash\t5.2.26-3.fc40\t8391234\tThe GNU Bourne Again shell\n")[0], {
    source: "rpm",
    name: "bash",
    version: "5.2.26-3.fc40",
    summary: "The GNU Bourne Again shell",
    sizeBytes: 8391234,
  });
  assert.equal(
    parseFlatpak("org.gimp.GIMP\t2.10.38\tGNU Image Manipulation Program\n")[0].summary,
    "GNU Image Manipulation Program",
  );
  assert.deepEqual(
    parseSnap(
      "Name  Version  Rev  Tracking  Publisher  Notes\ncore22  20240111  1122  latest/stable  canonical✓  base\n",
    )
      .map((r) => [r.name, r.version]),
    [["core22", "20240111"]],
  );
});

Deno.test("listApplications() on this machine matches dpkg-query's own count", async () => {
  const apps = await listApplications();
  const dpkg = apps.sources.find((s) => s.source === "dpkg")!;
  const out = await new Deno.Command("dpkg-query", { args: ["-W", "-f", "${db:Status-Abbrev}\n"] })
    .output().catch(() => null);
  if (!out) {
    assert.equal(dpkg.status.available, false);
    return;
  }
  const installed =
    new TextDecoder().decode(out.stdout).split("\n").filter((s) => s.startsWith("i")).length;
  assert.ok(dpkg.status.available);
  assert.equal(dpkg.status.value.count, installed);
  assert.ok(apps.apps.some((a) => a.name === "dpkg" && a.source === "dpkg"));
  for (const s of apps.sources) if (!s.status.available) assert.match(s.status.detail, /\S/);
});
