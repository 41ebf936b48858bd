/**
 * A remark plugin: `[n]` (and `[1, 2]`) in the text become links to `#source-<n>`, for the n that exist among
 * the reply's sources only; any other bracketed number stays text.
 */
import type { Link, Parent, PhrasingContent, Root, RootContent, Text } from "mdast";

const CITATION = /\[(\d{1,3}(?:\s*,\s*\d{1,3})*)\]/g;
const SKIP = new Set(["link", "linkReference", "code", "inlineCode", "inlineMath", "math", "definition"]);

export function citationLink(n: number): Link {
  return {
    type: "link",
    url: `#source-${n}`,
    title: `Source ${n}`,
    children: [{ type: "text", value: `[${n}]` }],
    data: { hProperties: { className: ["citation"], dataCitation: String(n) } },
  };
}

function split(value: string, known: ReadonlySet<number>): PhrasingContent[] | null {
  const out: PhrasingContent[] = [];
  let cursor = 0;
  let changed = false;
  for (const match of value.matchAll(CITATION)) {
    const numbers = (match[1] ?? "").split(",").map((part) => Number(part.trim()));
    if (!numbers.some((n) => known.has(n))) continue;
    changed = true;
    if (match.index > cursor) out.push({ type: "text", value: value.slice(cursor, match.index) });
    numbers.forEach((n, i) => {
      if (i > 0) out.push({ type: "text", value: " " });
      out.push(known.has(n) ? citationLink(n) : { type: "text", value: `[${n}]` });
    });
    cursor = match.index + match[0].length;
  }
  if (!changed) return null;
  if (cursor < value.length) out.push({ type: "text", value: value.slice(cursor) });
  return out;
}

function walk(node: Parent, known: ReadonlySet<number>): void {
  const children: RootContent[] = [];
  let changed = false;
  for (const child of node.children) {
    if (child.type === "text") {
      const parts = split((child as Text).value, known);
      if (parts) {
        children.push(...parts);
        changed = true;
        continue;
      }
    } else if ("children" in child && !SKIP.has(child.type)) {
      walk(child, known);
    }
    children.push(child);
  }
  if (changed) node.children = children as Parent["children"];
}

export function remarkCitations(options: { numbers: readonly number[] }) {
  const known = new Set(options.numbers);
  return (tree: Root) => {
    if (known.size > 0) walk(tree, known);
  };
}
