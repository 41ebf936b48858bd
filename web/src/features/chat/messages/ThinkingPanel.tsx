/** The model's reasoning: open while it thinks, collapsed once the answer starts (the reader can reopen it). */
import { Brain, ChevronRight } from "lucide-react";
import { Collapsible } from "radix-ui";
import { useState } from "react";

import { cn } from "@/lib/cn";

import { formatSeconds } from "./view";

export function thinkingLabel(thinkingNow: boolean, ms: number | null): string {
  if (thinkingNow) return "Thinking…";
  return ms === null ? "Thinking" : `Thinking · ${formatSeconds(ms)}`;
}

export function ThinkingPanel(props: { text: string; thinkingNow: boolean; ms: number | null }) {
  const [chosen, setChosen] = useState<boolean | null>(null);
  const open = chosen ?? props.thinkingNow;
  return (
    <Collapsible.Root open={open} onOpenChange={setChosen} className="text-sm">
      <Collapsible.Trigger
        className={cn(
          "inline-flex items-center gap-1.5 rounded px-1.5 py-0.5 text-zinc-600 hover:bg-zinc-100 dark:text-zinc-400",
          "focus-visible:outline-2 focus-visible:outline-blue-500 dark:hover:bg-zinc-800",
        )}
      >
        <ChevronRight aria-hidden className={cn("size-3.5 transition-transform", open && "rotate-90")} />
        <Brain aria-hidden className={cn("size-3.5", props.thinkingNow && "animate-pulse")} />
        {thinkingLabel(props.thinkingNow, props.ms)}
      </Collapsible.Trigger>
      <Collapsible.Content
        data-testid="thinking-text"
        className="mt-1 max-h-80 overflow-y-auto border-l-2 border-zinc-200 pl-3 whitespace-pre-wrap text-zinc-600 dark:border-zinc-700 dark:text-zinc-400"
      >
        {props.text}
      </Collapsible.Content>
    </Collapsible.Root>
  );
}
