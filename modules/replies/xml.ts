/**
 * `replies.xml`, the file a team passes around to share predefined replies and URLs:
 *
 * ```xml
 * <?xml version="1.0" encoding="UTF-8"?>
 * <replies version="1">
 *   <reply title="Greeting">Hello, I am taking over your question.</reply>
 *   <url title="Download page">https://example.com/download</url>
 * </replies>
 * ```
 *
 * The reader is deliberately narrow: a file from a colleague is still a file from outside,
 * so anything beyond this shape is refused with one specific problem, before a single
 * item is stored. DTDs never reach the XML library (no entity expansion, no external
 * resources); fast-xml-parser checks well-formedness and gives us the tree, and we decode
 * the five predefined entities and character references ourselves.
 */
import { XMLParser, XMLValidator } from "fast-xml-parser";
import {
  checkReply,
  MAX_REPLIES,
  type ReplyInput,
  type ReplyKind,
  type ReplyProblemCode,
} from "./input.ts";

/** Files bigger than this are refused unread: 200 items of 4000 characters fit easily. */
export const MAX_IMPORT_BYTES = 512 * 1024;
export const XML_VERSION = "1";

export type ImportProblemCode =
  | "empty"
  | "tooLarge"
  | "notUtf8"
  | "notWellFormed"
  | "doctype"
  | "processingInstruction"
  | "wrongRoot"
  | "wrongVersion"
  | "unknownElement"
  | "unknownAttribute"
  | "unexpectedText"
  | "badReference"
  | "tooMany"
  | "item";

/**
 * Why a file was refused. `params` fill the message (`line` when known, `name`, `max`, …);
 * for `item`, `item` is the 1-based number of the first bad `<reply>`/`<url>` and
 * `problem` the form's own problem code.
 */
export interface ImportProblem {
  code: ImportProblemCode;
  params: Record<string, string | number>;
  problem?: ReplyProblemCode;
}

export type ParseResult =
  | { ok: true; items: ReplyInput[] }
  | { ok: false; problem: ImportProblem };

/** Writes the items (in the order given) as a `replies.xml` document. */
export function exportRepliesXml(
  items: readonly { kind: ReplyKind; title: string; body: string }[],
): string {
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>', `<replies version="${XML_VERSION}">`];
  for (const { kind, title, body } of items) {
    lines.push(`  <${kind} title="${escapeAttribute(title)}">${escapeText(body)}</${kind}>`);
  }
  lines.push("</replies>", "");
  return lines.join("\n");
}

/**
 * Reads a `replies.xml` file: either every item, checked exactly as the form checks it,
 * or the first problem found. Pure; bad input never makes it throw.
 */
export function parseRepliesXml(file: Uint8Array | string): ParseResult {
  const bytes = typeof file === "string" ? new TextEncoder().encode(file) : file;
  if (bytes.length > MAX_IMPORT_BYTES) return refuse("tooLarge", { max: MAX_IMPORT_BYTES / 1024 });
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes); // drops a UTF-8 BOM
  } catch {
    return refuse("notUtf8");
  }
  if (text.trim() === "") return refuse("empty");
  return checkDocumentText(text) ?? readTree(text);
}

function refuse(code: ImportProblemCode, params: ImportProblem["params"] = {}): ParseResult {
  return { ok: false, problem: { code, params } };
}

/** Checks made on the raw text, before any XML library sees it. */
function checkDocumentText(text: string): ParseResult | undefined {
  const declaration = /^<\?xml\s([^?]*)\?>/.exec(text);
  const encoding = declaration && /\bencoding\s*=\s*["']([^"']*)["']/.exec(declaration[1]);
  if (encoding && encoding[1].toLowerCase() !== "utf-8") return refuse("notUtf8");
  // Refused wherever they appear — also inside comments or CDATA — so that no DTD, and
  // hence no entity expansion ("billion laughs") or external entity, is ever processed.
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) return refuse("doctype");
  const bad = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u.exec(text);
  if (bad) return refuse("notWellFormed", { line: lineAt(text, bad.index) });
  const valid = XMLValidator.validate(text, { allowBooleanAttributes: false });
  if (valid !== true) return refuse("notWellFormed", { line: valid.err.line });
  return undefined;
}

type XmlNode = Record<string, unknown>;

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: "",
  allowBooleanAttributes: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: false,
  htmlEntities: false,
  cdataPropName: "#cdata",
  commentPropName: "#comment",
  ignorePiTags: false,
  ignoreDeclaration: false,
});

/** Thrown inside the tree walk and turned into the refusal; never escapes this file. */
class Refusal extends Error {
  constructor(readonly problem: ImportProblem) {
    super(problem.code);
  }
}

function fail(code: ImportProblemCode, params: ImportProblem["params"] = {}): never {
  throw new Refusal({ code, params });
}

function readTree(text: string): ParseResult {
  try {
    let nodes: XmlNode[];
    try {
      nodes = parser.parse(text) as XmlNode[];
    } catch {
      return refuse("notWellFormed");
    }
    const root = documentElement(nodes);
    const drafts = readRoot(root);
    if (drafts.length > MAX_REPLIES) fail("tooMany", { count: drafts.length, max: MAX_REPLIES });
    const items: ReplyInput[] = [];
    for (const [index, draft] of drafts.entries()) {
      const checked = checkReply(draft.kind, draft);
      if (!checked.ok) {
        const problem = checked.problems[0].code;
        return {
          ok: false,
          problem: { code: "item", params: { item: index + 1, kind: draft.kind }, problem },
        };
      }
      items.push(checked.input);
    }
    return { ok: true, items };
  } catch (error) {
    if (error instanceof Refusal) return { ok: false, problem: error.problem };
    throw error;
  }
}

/** The one element of the document; around it only the declaration, comments, blanks. */
function documentElement(nodes: XmlNode[]): XmlNode {
  const elements: XmlNode[] = [];
  for (const [index, node] of nodes.entries()) {
    const name = nodeName(node);
    if (name === "?xml" && index === 0) continue;
    if (name.startsWith("?")) fail("processingInstruction", { name: name.slice(1) });
    if (name === "#comment") continue;
    if (name === "#text" && isBlank(node)) continue;
    if (name === "#text" || name === "#cdata") fail("notWellFormed");
    elements.push(node);
  }
  if (elements.length !== 1) fail("notWellFormed");
  return elements[0];
}

function readRoot(root: XmlNode): { kind: ReplyKind; title: string; body: string }[] {
  const name = nodeName(root);
  if (name !== "replies") fail("wrongRoot", { name });
  const attributes = attributesOf(root);
  for (const attribute of attributes.keys()) {
    if (attribute !== "version") fail("unknownAttribute", { name: attribute, element: name });
  }
  const version = attributes.get("version");
  if (version !== XML_VERSION) {
    fail("wrongVersion", { version: version ?? "", expected: XML_VERSION });
  }
  const drafts: { kind: ReplyKind; title: string; body: string }[] = [];
  for (const child of childrenOf(root)) {
    const childName = nodeName(child);
    if (childName === "#comment") continue;
    if (childName === "#text" && isBlank(child)) continue;
    if (childName === "#text" || childName === "#cdata") fail("unexpectedText");
    if (childName.startsWith("?")) fail("processingInstruction", { name: childName.slice(1) });
    if (childName !== "reply" && childName !== "url") fail("unknownElement", { name: childName });
    drafts.push(readItem(child, childName));
  }
  return drafts;
}

function readItem(node: XmlNode, kind: ReplyKind) {
  const attributes = attributesOf(node);
  for (const attribute of attributes.keys()) {
    if (attribute !== "title") fail("unknownAttribute", { name: attribute, element: kind });
  }
  let body = "";
  for (const child of childrenOf(node)) {
    const name = nodeName(child);
    if (name === "#text") body += decodeText(String(child[name]));
    else if (name === "#cdata") body += cdataText(child);
    else if (name === "#comment") continue;
    else if (name.startsWith("?")) fail("processingInstruction", { name: name.slice(1) });
    else fail("unknownElement", { name });
  }
  return { kind, title: attributes.get("title") ?? "", body };
}

function nodeName(node: XmlNode): string {
  return Object.keys(node).find((key) => key !== ":@") ?? "";
}

function childrenOf(node: XmlNode): XmlNode[] {
  const children = node[nodeName(node)];
  return Array.isArray(children) ? children as XmlNode[] : [];
}

/** The element's attributes, decoded and normalised as XML prescribes. */
function attributesOf(node: XmlNode): Map<string, string> {
  const raw = (node[":@"] ?? {}) as Record<string, unknown>;
  const out = new Map<string, string>();
  for (const [name, value] of Object.entries(raw)) {
    const text = String(value);
    if (text.includes("<")) fail("notWellFormed");
    out.set(name, decodeReferences(text.replace(/[\t\n\r]/g, " ")));
  }
  return out;
}

function isBlank(node: XmlNode): boolean {
  return /^[ \t\r\n]*$/.test(String(node["#text"]));
}

function cdataText(node: XmlNode): string {
  return childrenOf(node).map((n) => String(n["#text"] ?? "")).join("").replace(/\r\n?/g, "\n");
}

function decodeText(raw: string): string {
  if (raw.includes("]]>")) fail("notWellFormed");
  return decodeReferences(raw.replace(/\r\n?/g, "\n"));
}

const PREDEFINED: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

/** The five predefined entities and character references; any other `&` is an error. */
function decodeReferences(raw: string): string {
  return raw.replace(/&([#\w.:-]*);?/g, (whole, ref: string) => {
    if (!whole.endsWith(";")) fail("badReference", { reference: whole });
    if (Object.hasOwn(PREDEFINED, ref)) return PREDEFINED[ref];
    const number = /^#x([0-9a-fA-F]{1,6})$/.exec(ref)?.[1] ?? /^#([0-9]{1,7})$/.exec(ref)?.[1];
    if (number === undefined) fail("badReference", { reference: whole });
    const code = parseInt(number, ref.startsWith("#x") ? 16 : 10);
    if (!isXmlChar(code)) fail("badReference", { reference: whole });
    return String.fromCodePoint(code);
  });
}

function isXmlChar(code: number): boolean {
  return code === 0x9 || code === 0xA || code === 0xD || (code >= 0x20 && code <= 0xD7FF) ||
    (code >= 0xE000 && code <= 0xFFFD) || (code >= 0x10000 && code <= 0x10FFFF);
}

function lineAt(text: string, index: number): number {
  return text.slice(0, index).split("\n").length;
}

function escapeText(text: string): string {
  return text.replace(/[&<>\r]/g, (ch) => ENTITY_FOR[ch]);
}

function escapeAttribute(text: string): string {
  return text.replace(/[&<>"\t\n\r]/g, (ch) => ENTITY_FOR[ch]);
}

const ENTITY_FOR: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "\t": "&#9;",
  "\n": "&#10;",
  "\r": "&#13;",
};
