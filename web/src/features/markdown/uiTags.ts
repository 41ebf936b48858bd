/**
 * The UI tags a model may write (README `ui` events; stored content keeps them inline, as written):
 * `<card title="Paris">…</card>`. Split out before markdown through an allowlist, never as raw HTML: a tag
 * not in the list, unclosed, or inside code stays literal text.
 */
import { codeRanges, inside } from "./scan";

export const UI_TAGS = ["card", "chart", "button"] as const;
export type UiTagName = (typeof UI_TAGS)[number];

export type Segment =
  | { kind: "markdown"; text: string }
  | { kind: "tag"; tag: UiTagName; attrs: Record<string, string>; content: string; raw: string };

const OPEN = /<(card|chart|button)((?:\s+[A-Za-z_][\w:.-]*\s*=\s*"[^"]*")*)\s*>/g;
const ATTRIBUTE = /([A-Za-z_][\w:.-]*)\s*=\s*"([^"]*)"/g;

export function splitUiTags(text: string): Segment[] {
  if (!text.includes("<")) return [{ kind: "markdown", text }];
  const code = codeRanges(text);
  const segments: Segment[] = [];
  let cursor = 0;
  OPEN.lastIndex = 0;
  let open: RegExpExecArray | null;
  while ((open = OPEN.exec(text)) !== null) {
    const tag = open[1] as UiTagName;
    if (inside(code, open.index)) continue;
    const closing = `</${tag}>`;
    const close = text.indexOf(closing, open.index + open[0].length);
    if (close < 0) continue; // unclosed: text
    const attrs: Record<string, string> = {};
    for (const [, name, value] of (open[2] ?? "").matchAll(ATTRIBUTE)) if (name) attrs[name] = value ?? "";
    if (open.index > cursor) segments.push({ kind: "markdown", text: text.slice(cursor, open.index) });
    const end = close + closing.length;
    segments.push({ kind: "tag", tag, attrs, content: text.slice(open.index + open[0].length, close), raw: text.slice(open.index, end) });
    cursor = end;
    OPEN.lastIndex = end;
  }
  if (cursor < text.length) segments.push({ kind: "markdown", text: text.slice(cursor) });
  return segments;
}
