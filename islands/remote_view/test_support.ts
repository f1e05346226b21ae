// For the islands' unit tests: look into the element tree a Preact function component returns,
// without a DOM (the components here render plain elements, no nested components).
import type { VNode } from "preact";

type Props = Record<string, unknown> & { children?: unknown };

/** Every element in the tree, depth first. */
export function elements(node: unknown): VNode<Props>[] {
  if (Array.isArray(node)) return node.flatMap(elements);
  if (!node || typeof node !== "object" || !("type" in node)) return [];
  const vnode = node as VNode<Props>;
  return [vnode, ...elements(vnode.props.children)];
}

/** The elements whose `class` has this class name. */
export function byClass(node: unknown, name: string): VNode<Props>[] {
  return elements(node).filter((e) => String(e.props.class ?? "").split(" ").includes(name));
}

/** The one element with this class name (throws when there is none or more). */
export function one(node: unknown, name: string): VNode<Props> {
  const found = byClass(node, name);
  if (found.length !== 1) throw new Error(`${found.length} elements with class ${name}`);
  return found[0];
}

/** The text inside an element. */
export function text(node: unknown): string {
  if (typeof node === "string" || typeof node === "number") return String(node);
  if (Array.isArray(node)) return node.map(text).join("");
  if (!node || typeof node !== "object" || !("props" in node)) return "";
  return text((node as VNode<Props>).props.children);
}
