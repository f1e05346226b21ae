/**
 * The hardened XML reading that files from outside go through (replies.xml, and the script
 * library's scripts.xml): size and UTF-8 first, then the raw text is refused if it holds a
 * DOCTYPE or ENTITY declaration anywhere — so no DTD, entity expansion ("billion laughs") or
 * external entity is ever processed — or characters XML forbids; fast-xml-parser checks
 * well-formedness and gives the tree with entities left alone, and we decode the five
 * predefined entities and character references ourselves. A shape reader walks the tree
 * with the helpers below and throws `XmlRefusal` for the first problem it meets.
 */
import { XMLParser, XMLValidator } from "fast-xml-parser";

/** The problems any reader here can meet; shape readers add their own codes. */
export type XmlProblemCode =
  | "empty"
  | "tooLarge"
  | "notUtf8"
  | "notWellFormed"
  | "doctype"
  | "processingInstruction"
  | "unknownElement"
  | "unknownAttribute"
  | "unexpectedText"
  | "badReference";

export interface XmlProblem<C extends string = XmlProblemCode> {
  code: C;
  params: Record<string, string | number>;
}

export type XmlNode = Record<string, unknown>;

/** Thrown inside a tree walk and turned into the reader's refusal by its caller. */
export class XmlRefusal<C extends string = string> extends Error {
  constructor(readonly problem: XmlProblem<C>) {
    super(problem.code);
  }
}

export function xmlFail<C extends string>(code: C, params: XmlProblem["params"] = {}): never {
  throw new XmlRefusal({ code, params });
}

/**
 * The file's text after the checks made before any XML library sees it: at most `maxBytes`,
 * UTF-8 (a byte-order mark dropped), not blank, no DTD, only XML characters, well-formed.
 */
export function checkedXmlText(
  file: Uint8Array | string,
  maxBytes: number,
): { ok: true; text: string } | { ok: false; problem: XmlProblem } {
  const bytes = typeof file === "string" ? new TextEncoder().encode(file) : file;
  const refuse = (code: XmlProblemCode, params: XmlProblem["params"] = {}) => ({
    ok: false as const,
    problem: { code, params },
  });
  if (bytes.length > maxBytes) return refuse("tooLarge", { max: maxBytes / 1024 });
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes); // drops a UTF-8 BOM
  } catch {
    return refuse("notUtf8");
  }
  if (text.trim() === "") return refuse("empty");
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
  return { ok: true, text };
}

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

/** The checked text as fast-xml-parser's ordered tree (entities not processed). */
export function parseXmlNodes(text: string): XmlNode[] {
  try {
    return parser.parse(text) as XmlNode[];
  } catch {
    return xmlFail("notWellFormed");
  }
}

/** The one element of the document; around it only the declaration, comments, blanks. */
export function documentElement(nodes: XmlNode[]): XmlNode {
  const elements: XmlNode[] = [];
  for (const [index, node] of nodes.entries()) {
    const name = nodeName(node);
    if (name === "?xml" && index === 0) continue;
    if (name.startsWith("?")) xmlFail("processingInstruction", { name: name.slice(1) });
    if (name === "#comment") continue;
    if (name === "#text" && isBlank(node)) continue;
    if (name === "#text" || name === "#cdata") xmlFail("notWellFormed");
    elements.push(node);
  }
  if (elements.length !== 1) xmlFail("notWellFormed");
  return elements[0];
}

export function nodeName(node: XmlNode): string {
  return Object.keys(node).find((key) => key !== ":@") ?? "";
}

export function childrenOf(node: XmlNode): XmlNode[] {
  const children = node[nodeName(node)];
  return Array.isArray(children) ? children as XmlNode[] : [];
}

/** The element's attributes, decoded and normalised as XML prescribes. */
export function attributesOf(node: XmlNode): Map<string, string> {
  const raw = (node[":@"] ?? {}) as Record<string, unknown>;
  const out = new Map<string, string>();
  for (const [name, value] of Object.entries(raw)) {
    const text = String(value);
    if (text.includes("<")) xmlFail("notWellFormed");
    out.set(name, decodeReferences(text.replace(/[\t\n\r]/g, " ")));
  }
  return out;
}

export function isBlank(node: XmlNode): boolean {
  return /^[ \t\r\n]*$/.test(String(node["#text"]));
}

export function cdataText(node: XmlNode): string {
  return childrenOf(node).map((n) => String(n["#text"] ?? "")).join("").replace(/\r\n?/g, "\n");
}

export function decodeText(raw: string): string {
  if (raw.includes("]]>")) xmlFail("notWellFormed");
  return decodeReferences(raw.replace(/\r\n?/g, "\n"));
}

const PREDEFINED: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

/** The five predefined entities and character references; any other `&` is an error. */
function decodeReferences(raw: string): string {
  return raw.replace(/&([#\w.:-]*);?/g, (whole, ref: string) => {
    if (!whole.endsWith(";")) xmlFail("badReference", { reference: whole });
    if (Object.hasOwn(PREDEFINED, ref)) return PREDEFINED[ref];
    const number = /^#x([0-9a-fA-F]{1,6})$/.exec(ref)?.[1] ?? /^#([0-9]{1,7})$/.exec(ref)?.[1];
    if (number === undefined) xmlFail("badReference", { reference: whole });
    const code = parseInt(number, ref.startsWith("#x") ? 16 : 10);
    if (!isXmlChar(code)) xmlFail("badReference", { reference: whole });
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

export function escapeXmlText(text: string): string {
  return text.replace(/[&<>\r]/g, (ch) => ENTITY_FOR[ch]);
}

export function escapeXmlAttribute(text: string): string {
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
