/**
 * The heavy markdown plugins, loaded only when a text needs them: KaTeX (remark-math + rehype-katex + its CSS)
 * for math, rehype-highlight (highlight.js via lowlight, with a theme for light and dark) for fenced code. Until
 * they arrive the text renders plain; then it upgrades.
 */
import { useEffect, useSyncExternalStore } from "react";
import type { PluggableList } from "unified";

import { createStore } from "@/lib/store";

import { loadRenderer } from "./renderer";

interface Loaded {
  math: { remark: PluggableList; rehype: PluggableList } | null;
  code: { rehype: PluggableList } | null;
}

const loaded = createStore<Loaded>({ math: null, code: null });
let mathLoading: Promise<void> | null = null;
let codeLoading: Promise<void> | null = null;

export function loadMath(): Promise<void> {
  mathLoading ??= Promise.all([import("remark-math"), import("rehype-katex"), import("katex/dist/katex.min.css")])
    .then(([remarkMath, rehypeKatex]) => {
      loaded.set((current) => ({
        ...current,
        math: {
          remark: [[remarkMath.default, { singleDollarTextMath: false }]],
          rehype: [[rehypeKatex.default, { throwOnError: false, strict: "ignore", trust: false }]],
        },
      }));
    })
    .catch(() => {
      mathLoading = null; // offline or a failed chunk: stay plain, try again next time
    });
  return mathLoading;
}

export function loadCode(): Promise<void> {
  codeLoading ??= Promise.all([import("rehype-highlight"), import("./highlight.css")])
    .then(([rehypeHighlight]) => {
      // rehype-highlight builds a lowlight instance (registering every language) each time its attacher runs,
      // which react-markdown does on every render: attach once and hand out the same transformer.
      const transformer = rehypeHighlight.default({ detect: false });
      const highlight = () => transformer;
      loaded.set((current) => ({ ...current, code: { rehype: [highlight] } }));
    })
    .catch(() => {
      codeLoading = null;
    });
  return codeLoading;
}

/** The plugins loaded so far (for the warm-up, outside React). */
export function loadedPlugins(): Loaded {
  return loaded.get();
}

/** The loaded plugins a text needs (an empty part until it has loaded), starting the loads it needs. */
export function useMarkdownPlugins(needMath: boolean, needCode: boolean): Loaded {
  const current = useSyncExternalStore(loaded.subscribe, loaded.get, loaded.get);
  useEffect(() => {
    if (needMath && !current.math) void loadMath();
    if (needCode && !current.code) void loadCode();
  }, [needMath, needCode, current.math, current.code]);
  return { math: needMath ? current.math : null, code: needCode ? current.code : null };
}

/** What the warm-up renders, one sample per idle callback (each a few ms once compiled, so none is a long task):
 * the constructs answers use most, and the grammars of the commonest languages. */
const WARM_UP_SAMPLES = [
  "## Heading\n\nSome **bold**, *emphasis*, `code`, a [link](https://example.org) and a citation [1].",
  "- one\n- two\n  1. nested\n\n> quoted",
  "| a | b |\n|---|:-:|\n| 1 | 2 |\n\n- [x] done",
  "```python\ndef f(n):\n    return [i * 2 for i in range(n)]  # comment\n```",
  "```js\nconst f = (n) => Array.from({ length: n }, (_, i) => `${i}`);\n```",
  "```bash\nls -la | grep x\n```",
  "```json\n{\"a\": [1, true, null]}\n```",
  "$$\nx^2 + \\frac{1}{2}\n$$",
];

function whenIdle(callback: () => void, timeout: number): void {
  if (typeof window.requestIdleCallback === "function") window.requestIdleCallback(callback, { timeout });
  else window.setTimeout(callback, timeout / 3);
}

let warming: Promise<void> | null = null; // once per page: ChatPage mounts again on every visit

async function warmUpMarkdown(): Promise<void> {
  await Promise.all([loadRenderer(), loadCode(), loadMath()]);
  const { warmUp } = await import("./MarkdownText");
  for (const sample of WARM_UP_SAMPLES) {
    await new Promise<void>((resolve) => whenIdle(resolve, 1000));
    try {
      warmUp(sample);
    } catch {
      // only a warm-up: a sample that fails here fails the same way (and is handled) when really rendered
    }
  }
}

/** Fetch and evaluate the renderer and both plugins when the page is idle (after the chat screen shows), so a
 * reply that brings the first code block or formula does not pay for parsing ~130 KB of JavaScript in the
 * middle of its stream (a long task the streaming budget forbids); then warm the pipeline up (see `warmUp` in
 * MarkdownText.tsx). Still out of the initial bundle. */
export function prefetchMarkdown(): void {
  if (warming) return;
  warming = new Promise<void>((resolve) => whenIdle(resolve, 3000)).then(warmUpMarkdown);
}
