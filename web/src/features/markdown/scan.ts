/**
 * Small text scanners run before markdown: where the code is (fenced blocks and inline code spans, which
 * nothing may touch), where a long answer can be cut into independent blocks, and whether it needs the math or
 * the highlighting plugins at all.
 */

export type Range = readonly [start: number, end: number];

const FENCE_OPEN = /^ {0,3}(`{3,}|~{3,})/;

/** Fenced code blocks (an unclosed fence runs to the end) and inline code spans, in order. */
export function codeRanges(text: string): Range[] {
  const ranges: Range[] = [];
  let offset = 0;
  let fence: { close: RegExp; start: number } | null = null;
  let proseStart = 0;
  for (const line of text.split("\n")) {
    const lineEnd = offset + line.length;
    if (fence) {
      if (fence.close.test(line)) {
        ranges.push([fence.start, lineEnd]);
        fence = null;
        proseStart = lineEnd;
      }
    } else if (line.length >= 3) {
      const open = FENCE_OPEN.exec(line);
      const marker = open?.[1];
      if (open && marker && !(marker[0] === "`" && line.slice(open[0].length).includes("`"))) {
        ranges.push(...inlineCode(text, proseStart, offset));
        fence = { close: new RegExp(`^ {0,3}\\${marker[0]}{${marker.length},}\\s*$`), start: offset };
      }
    }
    offset = lineEnd + 1;
  }
  if (fence) ranges.push([fence.start, text.length]);
  else ranges.push(...inlineCode(text, proseStart, text.length));
  return ranges;
}

/** Inline code spans in text[from, to): a run of backticks up to the next run of the same length. */
function inlineCode(text: string, from: number, to: number): Range[] {
  const runs: Array<{ at: number; size: number }> = [];
  const ticks = /`+/g;
  ticks.lastIndex = from;
  for (let run = ticks.exec(text); run !== null && run.index < to; run = ticks.exec(text)) {
    runs.push({ at: run.index, size: run[0].length });
  }
  const ranges: Range[] = [];
  for (let i = 0; i < runs.length; i += 1) {
    const open = runs[i];
    if (!open) break;
    let j = i + 1;
    while (j < runs.length && runs[j]?.size !== open.size) j += 1;
    const close = runs[j];
    if (!close) continue; // a lone run of backticks is text
    ranges.push([open.at, close.at + close.size]);
    i = j;
  }
  return ranges;
}

/** Whether `index` falls in one of `ranges` (sorted, not overlapping, as codeRanges returns them): a binary search. */
export function inside(ranges: readonly Range[], index: number): boolean {
  let low = 0;
  let high = ranges.length - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const [start, end] = ranges[middle] ?? [0, 0];
    if (index < start) high = middle - 1;
    else if (index >= end) low = middle + 1;
    else return true;
  }
  return false;
}

/** Text needs the highlighting plugin: it has a fenced code block. */
export function hasFencedCode(text: string): boolean {
  return /^ {0,3}(```|~~~)/m.test(text);
}

/**
 * Pandoc-style inline math `$x$` (no space inside the dollars, no digit after: "$5 and $10" stays money),
 * `\(x\)` and `\[x\]` rewritten to the `$$` forms remark-math reads with single-dollar math off. Code untouched.
 */
export function normalizeMath(text: string): string {
  if (!/[$\\]/.test(text)) return text;
  const code = codeRanges(text);
  const pattern = /\\\[([\s\S]+?)\\\]|\\\(([\s\S]+?)\\\)|\$\$[\s\S]*?\$\$|(?<![\\$\w])\$(?=\S)([^$\n]+?)(?<=\S)\$(?![\d$])/g;
  return text.replace(pattern, (match: string, display?: string, paren?: string, dollar?: string, index?: number) => {
    if (index !== undefined && inside(code, index)) return match;
    if (display !== undefined) return `\n$$\n${display.trim()}\n$$\n`;
    if (paren !== undefined) return `$$${paren.trim()}$$`;
    if (dollar !== undefined) return `$$${dollar}$$`;
    return match;
  });
}

/** Text needs the math plugins: after normalizing, some `$$` outside code. */
export function hasMath(normalized: string): boolean {
  if (!normalized.includes("$$")) return false;
  const code = codeRanges(normalized);
  for (let index = normalized.indexOf("$$"); index >= 0; index = normalized.indexOf("$$", index + 2)) {
    if (!inside(code, index)) return true;
  }
  return false;
}

/**
 * Cut markdown into top-level blocks that render alone, so a streamed answer re-parses only its last block
 * each frame: at blank lines outside code and math whose next line is not indented (a continuation). Texts with
 * reference definitions or footnotes, which join distant blocks, stay whole.
 */
export function splitBlocks(text: string): string[] {
  if (/^ {0,3}\[[^\]]+\]:\s/m.test(text) || text.includes("[^")) return [text];
  const code = codeRanges(text);
  const blocks: string[] = [];
  let start = 0;
  let mathOpen = false;
  const lines = text.split("\n");
  let offset = 0;
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i] ?? "";
    if (/^\s*\$\$\s*$/.test(line) && !inside(code, offset)) mathOpen = !mathOpen;
    const next = lines[i + 1];
    const blank = line.trim() === "";
    if (blank && !mathOpen && next !== undefined && next.trim() !== "" && !/^\s/.test(next) && !inside(code, offset)) {
      const cut = offset + line.length + 1;
      if (text.slice(start, cut).trim()) blocks.push(text.slice(start, cut));
      start = cut;
    }
    offset += line.length + 1;
  }
  if (start < text.length || blocks.length === 0) blocks.push(text.slice(start));
  return blocks;
}
