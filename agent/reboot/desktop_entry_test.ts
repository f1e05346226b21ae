import assert from "node:assert/strict";
import {
  desktopEntry,
  formatExec,
  parseExec,
  readDesktopEntry,
  unescapeValue,
} from "./desktop_entry.ts";

Deno.test("formatExec() and parseExec() keep any argument whole", () => {
  const args = [
    "/opt/My Apps/deno",
    "run",
    "plain",
    'say "hi"',
    "$HOME and `date`",
    "back\\slash",
    "100% sure",
    "it's",
    "",
  ];
  const line = formatExec(args);
  assert.deepEqual(parseExec(line), args);
  assert.match(line, /^"\/opt\/My Apps\/deno" run plain /);
  assert.match(line, /"100%% sure"/);
});

Deno.test("formatExec() refuses line breaks and parseExec() field codes or open quotes", () => {
  assert.throws(() => formatExec(["a\nb"]), RangeError);
  assert.throws(() => formatExec([]), RangeError);
  assert.throws(() => parseExec("deno %u"), SyntaxError);
  assert.throws(() => parseExec('deno "open'), SyntaxError);
});

Deno.test("desktopEntry() writes an autostart entry readDesktopEntry() reads back", () => {
  const text = desktopEntry({
    name: "Rescue support app",
    comment: "Resumes",
    exec: ["/usr/bin/deno", "run", "/opt/a b/main.ts"],
    path: "C:\\odd\\dir",
  });
  const keys = readDesktopEntry(`# comment\n${text}[Other]\nExec=nothing\n`);
  assert.equal(keys.get("Name"), "Rescue support app");
  assert.equal(keys.get("X-GNOME-Autostart-enabled"), "true");
  assert.deepEqual(parseExec(keys.get("Exec")!), ["/usr/bin/deno", "run", "/opt/a b/main.ts"]);
  assert.equal(unescapeValue(keys.get("Path")!), "C:\\odd\\dir");
});
