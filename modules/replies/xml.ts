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
 * item is stored. The hardened reading itself — no DTD ever reaches the XML library, so no
 * entity expansion and no external resource — is safe_xml.ts, shared with other imports.
 */
import {
  attributesOf,
  cdataText,
  checkedXmlText,
  childrenOf,
  decodeText,
  documentElement,
  escapeXmlAttribute,
  escapeXmlText,
  isBlank,
  nodeName,
  parseXmlNodes,
  type XmlNode,
  XmlRefusal,
} from "./safe_xml.ts";
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
    lines.push(`  <${kind} title="${escapeXmlAttribute(title)}">${escapeXmlText(body)}</${kind}>`);
  }
  lines.push("</replies>", "");
  return lines.join("\n");
}

/**
 * Reads a `replies.xml` file: either every item, checked exactly as the form checks it,
 * or the first problem found. Pure; bad input never makes it throw.
 */
export function parseRepliesXml(file: Uint8Array | string): ParseResult {
  const checked = checkedXmlText(file, MAX_IMPORT_BYTES);
  if (!checked.ok) return { ok: false, problem: checked.problem };
  return readTree(checked.text);
}

function fail(code: ImportProblemCode, params: ImportProblem["params"] = {}): never {
  throw new XmlRefusal({ code, params });
}

function readTree(text: string): ParseResult {
  try {
    const root = documentElement(parseXmlNodes(text));
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
    if (error instanceof XmlRefusal) {
      return { ok: false, problem: error.problem as ImportProblem };
    }
    throw error;
  }
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
