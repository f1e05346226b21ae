// scripts.xml: the writer, the strict reader through the replies module's hardened XML, and
// the round trip. Hostile or wrong files are refused with one problem and no scripts.
import assert from "node:assert/strict";
import { MAX_SCRIPTS, RESOURCE_MAX_BYTES, SCRIPT_MAX_BYTES } from "./input.ts";
import {
  exportScriptsXml,
  MAX_SCRIPTS_XML_BYTES,
  parseScriptsXml,
  type ScriptsXmlProblem,
  type ScriptsXmlResult,
} from "./xml.ts";

const b64 = (text: string) => btoa(text);
const doc = (inner: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<scripts version="1">\n${inner}\n</scripts>\n`;
const one = (attrs = 'name="Disk" os="linux" timeout="60"', inner?: string) =>
  `<script ${attrs}>${inner ?? `<file name="disk.sh">${b64("df -h\n")}</file>`}</script>`;

function problem(result: ScriptsXmlResult): ScriptsXmlProblem {
  if (result.ok) assert.fail(`accepted ${result.items.length} scripts`);
  return result.problem;
}

Deno.test("parseScriptsXml() reads scripts with their files, settings and flags", () => {
  const result = parseScriptsXml(doc(`
  ${
    one(
      'name="Disk &amp; memory" os="linux" timeout="120" runAtStart="true" favourite="true"',
      `<file name="disk.sh">${b64("#!/bin/sh\ndf -h\n")}</file>
       <resource name="data.txt">
         ${b64("hello")}
       </resource>`,
    )
  }
  <!-- a comment -->
  ${one('name="Any" timeout="5"', `<file name="a.py"><![CDATA[${b64("print(1)")}]]></file>`)}`));
  if (!result.ok) assert.fail(JSON.stringify(result.problem));
  const [first, second] = result.items;
  assert.deepEqual(first.settings, {
    name: "Disk & memory",
    targetOs: "linux",
    timeoutSeconds: 120,
    runAtStart: true,
    favourite: true,
  });
  assert.equal(first.script.name, "disk.sh");
  assert.equal(new TextDecoder().decode(first.script.bytes), "#!/bin/sh\ndf -h\n");
  assert.equal(new TextDecoder().decode(first.resource!.bytes), "hello");
  assert.equal(second.settings.targetOs, "any");
  assert.equal(second.resource, null);
});

Deno.test("exportScriptsXml() output reads back to the same scripts", () => {
  const items = [
    {
      settings: {
        name: `Quotes "q" & <t>`,
        targetOs: "windows" as const,
        timeoutSeconds: 3600,
        runAtStart: false,
        favourite: true,
      },
      script: { name: "fix.ps1", bytes: new TextEncoder().encode("Write-Host ]]> <x> &\r\n") },
      resource: { name: "blob.bin", bytes: new Uint8Array([0, 255, 10, 13, 60]) },
    },
  ];
  const result = parseScriptsXml(exportScriptsXml(items));
  if (!result.ok) assert.fail(JSON.stringify(result.problem));
  assert.deepEqual(result.items, items);
  const empty = parseScriptsXml(exportScriptsXml([]));
  assert.deepEqual(empty, { ok: true, items: [] });
});

Deno.test("parseScriptsXml() refuses DOCTYPE/ENTITY (billion laughs, XXE) and stray entities", () => {
  const laughs = `<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<scripts version="1">${one('name="&lol1;" timeout="5"')}</scripts>`;
  const xxe = `<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><scripts version="1"/>`;
  for (const input of [laughs, xxe]) {
    assert.deepEqual(problem(parseScriptsXml(input)), { code: "doctype", params: {} });
  }
  assert.equal(
    problem(parseScriptsXml(doc(one('name="a &nbsp; b" timeout="5"')))).code,
    "badReference",
  );
});

Deno.test("parseScriptsXml() refuses malformed and oversized files", () => {
  assert.deepEqual(
    problem(parseScriptsXml('<scripts version="1">\n<script name=a></script></scripts>')),
    {
      code: "notWellFormed",
      params: { line: 2 },
    },
  );
  assert.equal(problem(parseScriptsXml("")).code, "empty");
  assert.equal(problem(parseScriptsXml(new Uint8Array([0xff, 0xfe, 0x3c]))).code, "notUtf8");
  const big = doc(`<!-- ${"x".repeat(MAX_SCRIPTS_XML_BYTES)} -->`);
  assert.equal(problem(parseScriptsXml(big)).code, "tooLarge");
  assert.equal(problem(parseScriptsXml(doc(`<?php x ?>`))).code, "processingInstruction");
});

Deno.test("parseScriptsXml() refuses the wrong shape, naming what is wrong", () => {
  const cases: [string, ScriptsXmlProblem][] = [
    ['<replies version="1"/>', { code: "wrongRoot", params: { name: "replies" } }],
    ['<scripts version="2"/>', { code: "wrongVersion", params: { version: "2", expected: "1" } }],
    [doc("<macro/>"), { code: "unknownElement", params: { name: "macro" } }],
    [doc("loose text"), { code: "unexpectedText", params: {} }],
    [
      doc(one('name="a" timeout="5" shell="bash"')),
      { code: "unknownAttribute", params: { name: "shell", element: "script" } },
    ],
    [doc(one('name="a" timeout="5"', "")), { code: "fileMissing", params: { item: 1 } }],
    [
      doc(one('name="a" timeout="5"', '<file name="a.sh">!!notbase64!!</file>')),
      { code: "badBase64", params: { element: "file" } },
    ],
    [
      doc(one('name="a" timeout="5" favourite="yes"')),
      { code: "badFlag", params: { name: "favourite", value: "yes" } },
    ],
    [
      doc(
        one('name="a" timeout="5"', `<file name="a.sh">YQ==</file><file name="b.sh">YQ==</file>`),
      ),
      { code: "unknownElement", params: { name: "file" } },
    ],
  ];
  for (const [input, expected] of cases) {
    assert.deepEqual(problem(parseScriptsXml(input)), expected, input);
  }
});

Deno.test("parseScriptsXml() checks each script as the form does: names, sizes, OS, limit", () => {
  const big = new Uint8Array(SCRIPT_MAX_BYTES + 1).fill(0x61).toBase64();
  const bigResource = new Uint8Array(RESOURCE_MAX_BYTES + 1).toBase64();
  const cases: [string, string][] = [
    [one('name="" timeout="5"'), "nameRequired"],
    [one('name="a" timeout="0"'), "timeoutInvalid"],
    [one('name="a" timeout="5" os="beos"'), "osInvalid"],
    [one('name="a" timeout="5"', `<file name="../evil.sh">YQ==</file>`), "fileNameInvalid"],
    [one('name="a" timeout="5"', `<file name="-rf">YQ==</file>`), "fileNameInvalid"],
    [one('name="a" timeout="5"', `<file name="a.sh">${big}</file>`), "scriptTooLarge"],
    [one('name="a" timeout="5"', `<file name="a.sh">/w==</file>`), "scriptNotText"],
    [
      one(
        'name="a" timeout="5"',
        `<file name="a.sh">YQ==</file><resource name="r">${bigResource}</resource>`,
      ),
      "resourceTooLarge",
    ],
    [
      one(
        'name="a" timeout="5"',
        `<file name="a.sh">YQ==</file><resource name="a.sh">YQ==</resource>`,
      ),
      "resourceSameName",
    ],
  ];
  for (const [script, code] of cases) {
    const input = doc(`${one()}\n${script}`);
    assert.deepEqual(
      problem(parseScriptsXml(input)),
      { code: "item", params: { item: 2 }, problem: code },
      code,
    );
  }
});

Deno.test("parseScriptsXml() refuses more than the library's maximum", () => {
  const ok = parseScriptsXml(doc(one().repeat(MAX_SCRIPTS)));
  assert.equal(ok.ok && ok.items.length, MAX_SCRIPTS);
  assert.deepEqual(problem(parseScriptsXml(doc(one().repeat(MAX_SCRIPTS + 1)))), {
    code: "tooMany",
    params: { count: MAX_SCRIPTS + 1, max: MAX_SCRIPTS },
  });
});
