/**
 * `scripts.xml`, a script library as a file (SPEC R10):
 *
 * ```xml
 * <?xml version="1.0" encoding="UTF-8"?>
 * <scripts version="1">
 *   <script name="Disk usage" os="linux" timeout="300" runAtStart="false" favourite="true">
 *     <file name="disk.sh">IyEvYmluL3NoCmRmIC1oCg==</file>
 *     <resource name="data.txt">aGVsbG8K</resource>
 *   </script>
 * </scripts>
 * ```
 *
 * File contents are base64, so any byte survives and no script text is ever XML markup.
 * Read through the replies module's hardened XML reading (no DTD ever processed, our own
 * entity decoding); anything beyond this shape is refused with one problem before a single
 * script is stored, and every script is checked as the form checks it.
 */
import {
  attributesOf,
  cdataText,
  checkedXmlText,
  childrenOf,
  decodeText,
  documentElement,
  escapeXmlAttribute,
  isBlank,
  nodeName,
  parseXmlNodes,
  type XmlNode,
  type XmlProblemCode,
  XmlRefusal,
} from "../replies/mod.ts";
import {
  checkFiles,
  checkSettings,
  type GivenFile,
  MAX_SCRIPTS,
  type ScriptProblemCode,
} from "./input.ts";
import type { ScriptContent } from "./service.ts";

/** Files bigger than this are refused unread. */
export const MAX_SCRIPTS_XML_BYTES = 8 * 1024 * 1024;
export const SCRIPTS_XML_VERSION = "1";

export type ScriptsXmlProblemCode =
  | XmlProblemCode
  | "wrongRoot"
  | "wrongVersion"
  | "tooMany"
  | "badBase64"
  | "badFlag"
  | "fileMissing"
  | "item";

export interface ScriptsXmlProblem {
  code: ScriptsXmlProblemCode;
  params: Record<string, string | number>;
  /** For `item`: the form's own problem with that script. */
  problem?: ScriptProblemCode;
}

export type ScriptsXmlResult =
  | { ok: true; items: ScriptContent[] }
  | { ok: false; problem: ScriptsXmlProblem };

/** The library as a `scripts.xml` document. */
export function exportScriptsXml(
  items: readonly {
    settings: ScriptContent["settings"];
    script: GivenFile;
    resource: GivenFile | null;
  }[],
): string {
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<scripts version="${SCRIPTS_XML_VERSION}">`,
  ];
  for (const { settings: s, script, resource } of items) {
    lines.push(
      `  <script name="${
        escapeXmlAttribute(s.name)
      }" os="${s.targetOs}" timeout="${s.timeoutSeconds}"` +
        ` runAtStart="${s.runAtStart}" favourite="${s.favourite}">`,
      `    <file name="${escapeXmlAttribute(script.name)}">${script.bytes.toBase64()}</file>`,
    );
    if (resource) {
      lines.push(
        `    <resource name="${
          escapeXmlAttribute(resource.name)
        }">${resource.bytes.toBase64()}</resource>`,
      );
    }
    lines.push("  </script>");
  }
  lines.push("</scripts>", "");
  return lines.join("\n");
}

/** Every script of the file, each checked as the form checks it, or the first problem. */
export function parseScriptsXml(file: Uint8Array | string): ScriptsXmlResult {
  const checked = checkedXmlText(file, MAX_SCRIPTS_XML_BYTES);
  if (!checked.ok) return { ok: false, problem: checked.problem };
  try {
    const root = documentElement(parseXmlNodes(checked.text));
    const nodes = _scriptNodes(root);
    if (nodes.length > MAX_SCRIPTS) _fail("tooMany", { count: nodes.length, max: MAX_SCRIPTS });
    const items: ScriptContent[] = [];
    for (const [index, node] of nodes.entries()) {
      const item = _readScript(node, index + 1);
      if ("problem" in item) return { ok: false, problem: item.problem };
      items.push(item);
    }
    return { ok: true, items };
  } catch (error) {
    if (error instanceof XmlRefusal) {
      return { ok: false, problem: error.problem as ScriptsXmlProblem };
    }
    throw error;
  }
}

function _fail(code: ScriptsXmlProblemCode, params: ScriptsXmlProblem["params"] = {}): never {
  throw new XmlRefusal({ code, params });
}

function _onlyAttributes(node: XmlNode, allowed: readonly string[]): Map<string, string> {
  const attributes = attributesOf(node);
  for (const name of attributes.keys()) {
    if (!allowed.includes(name)) _fail("unknownAttribute", { name, element: nodeName(node) });
  }
  return attributes;
}

/** The element children of `node`; blanks and comments skipped, anything else refused. */
function _elements(node: XmlNode): XmlNode[] {
  const out: XmlNode[] = [];
  for (const child of childrenOf(node)) {
    const name = nodeName(child);
    if (name === "#comment") continue;
    if (name === "#text" && isBlank(child)) continue;
    if (name === "#text" || name === "#cdata") _fail("unexpectedText");
    if (name.startsWith("?")) _fail("processingInstruction", { name: name.slice(1) });
    out.push(child);
  }
  return out;
}

function _scriptNodes(root: XmlNode): XmlNode[] {
  const name = nodeName(root);
  if (name !== "scripts") _fail("wrongRoot", { name });
  const version = _onlyAttributes(root, ["version"]).get("version");
  if (version !== SCRIPTS_XML_VERSION) {
    _fail("wrongVersion", { version: version ?? "", expected: SCRIPTS_XML_VERSION });
  }
  const nodes = _elements(root);
  for (const node of nodes) {
    if (nodeName(node) !== "script") _fail("unknownElement", { name: nodeName(node) });
  }
  return nodes;
}

function _flag(value: string | undefined, name: string): boolean {
  if (value === undefined || value === "false") return false;
  if (value === "true") return true;
  return _fail("badFlag", { name, value });
}

function _readScript(
  node: XmlNode,
  item: number,
): ScriptContent | { problem: ScriptsXmlProblem } {
  const a = _onlyAttributes(node, ["name", "os", "timeout", "runAtStart", "favourite"]);
  let script: GivenFile | undefined;
  let resource: GivenFile | undefined;
  for (const child of _elements(node)) {
    const kind = nodeName(child);
    if ((kind !== "file" && kind !== "resource") || (kind === "file" ? script : resource)) {
      _fail("unknownElement", { name: kind });
    }
    const file = { name: _onlyAttributes(child, ["name"]).get("name") ?? "", bytes: _bytes(child) };
    if (kind === "file") script = file;
    else resource = file;
  }
  if (!script) _fail("fileMissing", { item });
  const settings = checkSettings({
    name: a.get("name") ?? "",
    targetOs: a.get("os") ?? "any",
    timeoutSeconds: a.get("timeout") ?? "",
    runAtStart: _flag(a.get("runAtStart"), "runAtStart"),
    favourite: _flag(a.get("favourite"), "favourite"),
  });
  const problems = [
    ...(settings.ok ? [] : settings.problems),
    ...checkFiles(script, resource, { scriptRequired: true }),
  ];
  if (!settings.ok || problems.length > 0) {
    return { problem: { code: "item", params: { item }, problem: problems[0].code } };
  }
  return { settings: settings.settings, script, resource: resource ?? null };
}

/** An element's text as base64 (white space allowed between the characters), decoded. */
function _bytes(node: XmlNode): Uint8Array {
  let text = "";
  for (const child of childrenOf(node)) {
    const name = nodeName(child);
    if (name === "#text") text += decodeText(String(child[name]));
    else if (name === "#cdata") text += cdataText(child);
    else if (name === "#comment") continue;
    else if (name.startsWith("?")) _fail("processingInstruction", { name: name.slice(1) });
    else _fail("unknownElement", { name });
  }
  const compact = text.replace(/[ \t\r\n]/g, "");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 !== 0) {
    _fail("badBase64", { element: nodeName(node) });
  }
  try {
    return Uint8Array.fromBase64(compact);
  } catch {
    return _fail("badBase64", { element: nodeName(node) });
  }
}
