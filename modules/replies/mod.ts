/**
 * Predefined replies and URLs (SPEC T2): each technician keeps their own ready-made chat
 * replies and web addresses, in an order they choose, at most MAX_REPLIES in all.
 * `repliesRoutes` (mounted at /console/replies) is the page to add, edit, reorder and
 * delete them, to export them as `replies.xml` and to import such a file (all or
 * nothing, added to or replacing one's own, audited), plus `/picker?session=<id>`, the
 * fragment a session's chat shows: buttons that put a reply into the message box for
 * editing before it is sent (`static/replies.js`), and for URLs a form that pushes the
 * address to the customer's browser when the group has `pushUrls`. `listReplies`,
 * `parseRepliesXml` (pure and strict: no DTDs, no unknown elements, every item checked
 * as the form checks it) and `exportRepliesXml` are for other modules and the API.
 * `checkedXmlText`, `parseXmlNodes` and the tree helpers are the hardened XML reading
 * itself, for other imports of files from outside (the script library's `scripts.xml`).
 */
export { repliesRoutes } from "./routes.tsx";
export { listReplies, type Reply } from "./service.ts";
export {
  exportRepliesXml,
  type ImportProblem,
  type ImportProblemCode,
  MAX_IMPORT_BYTES,
  parseRepliesXml,
  type ParseResult,
} from "./xml.ts";
export {
  checkReply,
  MAX_REPLIES,
  type ReplyInput,
  type ReplyKind,
  type ReplyProblem,
} from "./input.ts";
export { predefinedReplies } from "./schema.ts";
export {
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
  type XmlProblem,
  type XmlProblemCode,
  XmlRefusal,
} from "./safe_xml.ts";
