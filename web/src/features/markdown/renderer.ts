/**
 * The markdown renderer's chunk (react-markdown, remark-gfm, ~50 KB gzip) is fetched at start-up in parallel
 * with everything else instead of sitting in the initial bundle; until it is there, text shows as plain
 * paragraphs, then upgrades.
 */
import { useSyncExternalStore, type ComponentType } from "react";

import { createStore } from "@/lib/store";

type Renderer = ComponentType<{ text: string; numbers: string }>;

const renderer = createStore<Renderer | null>(null);
let loading: Promise<void> | null = null;

export function loadRenderer(): Promise<void> {
  loading ??= import("./MarkdownText")
    .then((module) => renderer.set(() => module.MarkdownText))
    .catch(() => {
      loading = null; // a failed chunk: stay plain, try again on the next render
    });
  return loading;
}

export function useRenderer(): Renderer | null {
  const current = useSyncExternalStore(renderer.subscribe, renderer.get, renderer.get);
  if (!current) void loadRenderer();
  return current;
}
