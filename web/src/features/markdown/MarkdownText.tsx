/**
 * The markdown renderer proper (loaded lazily by Markdown.tsx, with react-markdown and remark-gfm, so the first
 * screen does not wait for it): math and highlighting on demand (plugins.ts), `[n]` citations linked to the
 * sources that exist. Raw HTML is never rendered: with no rehype-raw, react-markdown turns it into text.
 * Unsafe URLs (`javascript:`, `data:` …) are emptied by its default urlTransform.
 */
import { memo, useMemo } from "react";
import ReactMarkdown from "react-markdown";
import remarkGfm from "remark-gfm";
import type { PluggableList } from "unified";

import { remarkCitations } from "./citations";
import { markdownComponents } from "./components";
import { loadedPlugins, useMarkdownPlugins } from "./plugins";
import { hasFencedCode, hasMath, normalizeMath, splitBlocks } from "./scan";

const MarkdownBlock = memo(function MarkdownBlock(props: {
  text: string;
  remarkPlugins: PluggableList;
  rehypePlugins: PluggableList;
}) {
  // Each block its own box with `content-visibility: auto` (markdown.css): the browser skips layout and paint of
  // the blocks out of view, so a long answer's growing tail does not re-lay out all of it every frame.
  return (
    <div className="md-block">
      <ReactMarkdown remarkPlugins={props.remarkPlugins} rehypePlugins={props.rehypePlugins} components={markdownComponents}>
        {props.text}
      </ReactMarkdown>
    </div>
  );
});

/** `numbers`: the reply's source numbers, comma-separated (a string, so memoization holds). */
export function MarkdownText({ text, numbers }: { text: string; numbers: string }) {
  const normalized = useMemo(() => normalizeMath(text), [text]);
  const needMath = useMemo(() => hasMath(normalized), [normalized]);
  const needCode = useMemo(() => hasFencedCode(normalized), [normalized]);
  const { math, code } = useMarkdownPlugins(needMath, needCode);
  const remarkPlugins = useMemo<PluggableList>(
    () => [
      remarkGfm,
      ...(math?.remark ?? []),
      [remarkCitations, { numbers: numbers ? numbers.split(",").map(Number) : [] }],
    ],
    [math, numbers],
  );
  const rehypePlugins = useMemo<PluggableList>(() => [...(math?.rehype ?? []), ...(code?.rehype ?? [])], [math, code]);
  // Blocks render alone (memoized): while streaming only the last one is parsed again each frame.
  const blocks = useMemo(() => splitBlocks(normalized), [normalized]);
  return blocks.map((block, i) => (
    <MarkdownBlock key={i} text={block} remarkPlugins={remarkPlugins} rehypePlugins={rehypePlugins} />
  ));
}

/**
 * Run the whole pipeline once, off screen, on a small sample (parse, GFM, citations, math, highlighting, JSX),
 * so the first real reply does not pay for V8 compiling the parser and highlight.js compiling a grammar: cold,
 * that costs 30-60 ms per block, a long task in the middle of the first stream. Called in idle time by
 * plugins.ts `prefetchMarkdown`, one small sample per idle callback.
 */
export function warmUp(sample: string): void {
  const { math, code } = loadedPlugins();
  ReactMarkdown({
    children: sample,
    remarkPlugins: [remarkGfm, ...(math?.remark ?? []), [remarkCitations, { numbers: [1] }]],
    rehypePlugins: [...(math?.rehype ?? []), ...(code?.rehype ?? [])],
    components: markdownComponents,
  });
}
