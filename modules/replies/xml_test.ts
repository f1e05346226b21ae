// replies.xml: the writer, the strict reader, and the round trip between them. The reader
// must refuse hostile files (entity expansion, external entities, oversized or mis-encoded
// input) with a specific problem and no items.
import assert from "node:assert/strict";
import { BODY_MAX, MAX_REPLIES, type ReplyInput, TITLE_MAX } from "./input.ts";
import {
  exportRepliesXml,
  type ImportProblem,
  MAX_IMPORT_BYTES,
  parseRepliesXml,
  type ParseResult,
} from "./xml.ts";

const doc = (inner: string, root = '<replies version="1">') =>
  `<?xml version="1.0" encoding="UTF-8"?>\n${root}\n${inner}\n</replies>\n`;

function items(result: ParseResult): ReplyInput[] {
  if (!result.ok) assert.fail(`refused: ${JSON.stringify(result.problem)}`);
  return result.items;
}

function problem(result: ParseResult): ImportProblem {
  if (result.ok) assert.fail(`accepted ${result.items.length} items`);
  return result.problem;
}

Deno.test("parseRepliesXml() reads replies and URLs in document order", () => {
  const result = parseRepliesXml(doc(`
  <reply title="Greeting">Hello, I am taking over.</reply>
  <!-- a comment is fine -->
  <url title="Downloads">https://example.com/download?a=1&amp;b=2</url>
  <reply title='Two lines'>First
second</reply>`));
  assert.deepEqual(items(result), [
    { kind: "reply", title: "Greeting", body: "Hello, I am taking over." },
    { kind: "url", title: "Downloads", body: "https://example.com/download?a=1&b=2" },
    { kind: "reply", title: "Two lines", body: "First\nsecond" },
  ]);
});

Deno.test("parseRepliesXml() decodes entities, character references and CDATA", () => {
  const result = parseRepliesXml(doc(
    `<reply title="A &amp; B &lt;C&gt; &quot;q&quot; &apos;s&apos;">x &lt; y &#233;&#xE9; &#x1F600;</reply>
     <reply title="cdata"><![CDATA[<?php echo "<b>" & 1; ?>]]> tail</reply>`,
  ));
  assert.deepEqual(items(result), [
    { kind: "reply", title: `A & B <C> "q" 's'`, body: "x < y éé 😀" },
    { kind: "reply", title: "cdata", body: `<?php echo "<b>" & 1; ?> tail` },
  ]);
});

Deno.test("parseRepliesXml() accepts a byte-order mark, no declaration and an empty list", () => {
  const bom = new Uint8Array([0xEF, 0xBB, 0xBF, ...new TextEncoder().encode(doc(""))]);
  assert.deepEqual(items(parseRepliesXml(bom)), []);
  assert.deepEqual(items(parseRepliesXml('<replies version="1"/>')), []);
  assert.deepEqual(
    items(parseRepliesXml('<replies version="1"><url title="x">http://a.test</url></replies>')),
    [{ kind: "url", title: "x", body: "http://a.test/" }],
  );
});

Deno.test("exportRepliesXml() output reads back to the same items", () => {
  const original: ReplyInput[] = [
    { kind: "reply", title: `Quotes "double" & 'single' <tags>`, body: "a < b && c > d ]]> end" },
    { kind: "reply", title: "Unicode ✓ 😀 ñ", body: "Line one\nLine two\n\ttabbed" },
    { kind: "url", title: "Search", body: "https://example.com/s?q=a&lang=nl#top" },
    { kind: "reply", title: "x".repeat(TITLE_MAX), body: "y".repeat(BODY_MAX) },
  ];
  const xml = exportRepliesXml(original);
  assert.ok(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<replies version="1">\n'));
  assert.match(xml, /<reply title="Quotes &quot;double&quot; &amp; 'single' &lt;tags&gt;">/);
  assert.match(xml, /a &lt; b &amp;&amp; c &gt; d \]\]&gt; end<\/reply>/);
  assert.match(xml, /<url title="Search">https:\/\/example.com\/s\?q=a&amp;lang=nl#top<\/url>/);
  assert.deepEqual(items(parseRepliesXml(xml)), original);
  assert.deepEqual(items(parseRepliesXml(exportRepliesXml([]))), []);
});

Deno.test("parseRepliesXml() refuses DOCTYPE and ENTITY declarations (billion laughs, XXE)", () => {
  const laughs = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
]>
<replies version="1"><reply title="boom">&lol2;</reply></replies>`;
  const xxe = `<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<replies version="1"><reply title="leak">&xxe;</reply></replies>`;
  const external = `<!doctype replies SYSTEM "http://evil.test/replies.dtd">
<replies version="1"/>`;
  const hidden = doc(`<reply title="a"><![CDATA[<!ENTITY x "y">]]></reply>`);
  for (const input of [laughs, xxe, external, hidden]) {
    assert.deepEqual(problem(parseRepliesXml(input)), { code: "doctype", params: {} });
  }
});

Deno.test("parseRepliesXml() refuses undeclared entities instead of leaving them as text", () => {
  for (const ref of ["&lol;", "&nbsp;", "&amp", "& ", "&#0;", "&#x1;", "&#xFFFF;", "&#99999999;"]) {
    const p = problem(parseRepliesXml(doc(`<reply title="a">x ${ref} y</reply>`)));
    // A bare "&" is caught by the well-formedness check, a named one by our decoder.
    assert.equal(p.code, ["& ", "&amp"].includes(ref) ? "notWellFormed" : "badReference", ref);
  }
  const inAttribute = problem(parseRepliesXml(doc(`<reply title="a &copy; b">x</reply>`)));
  assert.deepEqual(inAttribute, { code: "badReference", params: { reference: "&copy;" } });
});

Deno.test("parseRepliesXml() refuses processing instructions but allows the declaration", () => {
  const cases = [
    `<?xml version="1.0"?><?xml-stylesheet href="http://evil.test/x.xsl"?><replies version="1"/>`,
    doc(`<?php system("id"); ?>`),
    doc(`<reply title="a">x<?pi y?>z</reply>`),
    `<replies version="1"/><?after?>`,
  ];
  for (const input of cases) {
    assert.equal(problem(parseRepliesXml(input)).code, "processingInstruction", input);
  }
  const late = problem(parseRepliesXml(` <?xml version="1.0"?><replies version="1"/>`));
  assert.equal(late.code, "notWellFormed");
});

Deno.test("parseRepliesXml() refuses files that are not well-formed, naming the line", () => {
  const cases: [string, number | undefined][] = [
    ['<replies version="1">\n<reply title="a">x</replies>', 2],
    ['<replies version="1">\n\n<reply title="a" title="b">x</reply></replies>', 3],
    ['<replies version="1"><reply title=a>x</reply></replies>', 1],
    ['<replies version="1"><reply title="a">x & y</reply></replies>', 1],
    ['<replies version="1">', 1],
    ['<replies version="1"></replies> trailing', 1],
    ["just text", 1],
    ['<replies version="1"/><replies version="1"/>', undefined],
    ['<replies version="1"><reply title="a<b">x</reply></replies>', undefined],
    ['<replies version="1"><reply title="a">x ]]> y</reply></replies>', undefined],
    [`<replies version="1">\n<reply title="a">bell \u0007</reply></replies>`, 2],
  ];
  for (const [input, line] of cases) {
    const p = problem(parseRepliesXml(input));
    assert.equal(p.code, "notWellFormed", input);
    assert.equal(p.params.line, line, input);
  }
  assert.equal(problem(parseRepliesXml(" \n ")).code, "empty");
  assert.equal(problem(parseRepliesXml(new Uint8Array())).code, "empty");
});

Deno.test("parseRepliesXml() refuses deep nesting without overflowing the stack", () => {
  const deep = `<replies version="1">${"<a>".repeat(5000)}${"</a>".repeat(5000)}</replies>`;
  const p = problem(parseRepliesXml(deep));
  assert.ok(p.code === "unknownElement" || p.code === "notWellFormed", p.code);
});

Deno.test("parseRepliesXml() refuses a wrong root, version, element, attribute or text", () => {
  const cases: [string, ImportProblem][] = [
    ['<answers version="1"/>', { code: "wrongRoot", params: { name: "answers" } }],
    [
      '<x:replies xmlns:x="urn:x" version="1"/>',
      { code: "wrongRoot", params: { name: "x:replies" } },
    ],
    ["<replies/>", { code: "wrongVersion", params: { version: "", expected: "1" } }],
    ['<replies version="2"/>', { code: "wrongVersion", params: { version: "2", expected: "1" } }],
    [
      '<replies version="1" owner="x"/>',
      { code: "unknownAttribute", params: { name: "owner", element: "replies" } },
    ],
    [doc(`<script>alert(1)</script>`), { code: "unknownElement", params: { name: "script" } }],
    [doc(`<Reply title="a">x</Reply>`), { code: "unknownElement", params: { name: "Reply" } }],
    [doc(`<reply title="a"><b>bold</b></reply>`), {
      code: "unknownElement",
      params: { name: "b" },
    }],
    [
      doc(`<url title="a" target="_blank">https://a.test</url>`),
      { code: "unknownAttribute", params: { name: "target", element: "url" } },
    ],
    [doc(`stray words`), { code: "unexpectedText", params: {} }],
    [doc(`<![CDATA[x]]>`), { code: "unexpectedText", params: {} }],
  ];
  for (const [input, expected] of cases) {
    assert.deepEqual(problem(parseRepliesXml(input)), expected, input);
  }
});

Deno.test("parseRepliesXml() checks every item as the form does and names the first bad one", () => {
  const cases: [string, string][] = [
    [`<reply>no title</reply>`, "titleRequired"],
    [`<reply title="   ">blank title</reply>`, "titleRequired"],
    [`<reply title="${"t".repeat(TITLE_MAX + 1)}">x</reply>`, "titleTooLong"],
    [`<reply title="empty"></reply>`, "bodyRequired"],
    [`<reply title="empty"/>`, "bodyRequired"],
    [`<reply title="long">${"b".repeat(BODY_MAX + 1)}</reply>`, "bodyTooLong"],
    [`<url title="u">javascript:alert(1)</url>`, "urlInvalid"],
    [`<url title="u">/relative/path</url>`, "urlInvalid"],
    [`<url title="u">ftp://files.test/x</url>`, "urlInvalid"],
    [`<url title="u">https://a.test/with space</url>`, "urlInvalid"],
    [`<url title="u">https://a.test/${"p".repeat(2000)}</url>`, "urlTooLong"],
    [`<url title="u"></url>`, "urlRequired"],
  ];
  for (const [item, code] of cases) {
    const input = doc(
      `<reply title="fine">ok</reply>\n<url title="ok">https://ok.test</url>\n${item}`,
    );
    assert.deepEqual(problem(parseRepliesXml(input)), {
      code: "item",
      params: { item: 3, kind: item.startsWith("<url") ? "url" : "reply" },
      problem: code,
    }, item);
  }
});

Deno.test("parseRepliesXml() refuses more than the maximum number of items", () => {
  const line = `<reply title="t">b</reply>\n`;
  assert.equal(items(parseRepliesXml(doc(line.repeat(MAX_REPLIES)))).length, MAX_REPLIES);
  assert.deepEqual(problem(parseRepliesXml(doc(line.repeat(MAX_REPLIES + 1)))), {
    code: "tooMany",
    params: { count: MAX_REPLIES + 1, max: MAX_REPLIES },
  });
});

Deno.test("parseRepliesXml() refuses files over 512 KiB and files not in UTF-8", () => {
  const padding = `<!-- ${"x".repeat(MAX_IMPORT_BYTES)} -->`;
  assert.deepEqual(problem(parseRepliesXml(doc(padding))), {
    code: "tooLarge",
    params: { max: 512 },
  });
  const latin1 = new Uint8Array([
    ...new TextEncoder().encode('<replies version="1"><reply title="caf'),
    0xE9, // é in ISO-8859-1, invalid on its own in UTF-8
    ...new TextEncoder().encode('">x</reply></replies>'),
  ]);
  assert.equal(problem(parseRepliesXml(latin1)).code, "notUtf8");
  const utf16 = new Uint8Array([0xFF, 0xFE, 0x3C, 0x00, 0x72, 0x00]);
  assert.equal(problem(parseRepliesXml(utf16)).code, "notUtf8");
  const declared = `<?xml version="1.0" encoding="ISO-8859-1"?><replies version="1"/>`;
  assert.equal(problem(parseRepliesXml(declared)).code, "notUtf8");
});
