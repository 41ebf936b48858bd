/** How full the selected model's context window is with this conversation. */
import { cn } from "@/lib/cn";

import { formatTokens } from "./modelChoice";

export function ContextMeter(props: { used: number; window: number | null }) {
  const max = props.window ?? 0;
  const ratio = max > 0 ? Math.min(props.used / max, 1) : 0;
  const percent = Math.round(ratio * 100);
  const color = ratio >= 0.9 ? "bg-red-500" : ratio >= 0.7 ? "bg-amber-500" : "bg-emerald-500";
  const text = max > 0 ? `${formatTokens(props.used)} of ${formatTokens(max)} tokens (${percent}%)` : "no model";
  return (
    <div
      data-testid="context-meter"
      role="meter"
      aria-label="Context window"
      aria-valuemin={0}
      aria-valuemax={max}
      aria-valuenow={Math.min(props.used, max)}
      aria-valuetext={text}
      title={`Context window: ${text}`}
      className="flex items-center gap-1.5 text-xs text-zinc-500 dark:text-zinc-400"
    >
      <span className="relative h-1.5 w-16 overflow-hidden rounded-full bg-zinc-200 dark:bg-zinc-700">
        <span className={cn("absolute inset-y-0 left-0 rounded-full", color)} style={{ width: `${percent}%` }} />
      </span>
      <span className="hidden sm:inline">{text}</span>
      <span className="sm:hidden">{percent}%</span>
    </div>
  );
}

/** What the next turn sends: the latest reply's input + output tokens, else the conversation's total. */
export function conversationTokens(
  messages: { role: string; input_tokens: number; output_tokens: number }[],
  totalTokens: number,
): number {
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i];
    if (message && message.role === "assistant" && message.input_tokens + message.output_tokens > 0) {
      return message.input_tokens + message.output_tokens;
    }
  }
  return totalTokens;
}
