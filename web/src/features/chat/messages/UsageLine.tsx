/** Tokens in/out, cost (from the model's prices per Mtok), time to first token and tokens/s when known. */
import type { Model } from "@/api/types";
import { debugToggles } from "@/lib/debug";
import { useStore } from "@/lib/store";

import { formatCost, formatMs, replyCost, type ReplyView } from "./view";

export function UsageLine({ view, model }: { view: ReplyView; model: Model | undefined }) {
  const { timings } = useStore(debugToggles);
  const parts: string[] = [];
  if (view.usage) {
    parts.push(`${view.usage.input.toLocaleString()} in · ${view.usage.output.toLocaleString()} out`);
    const cost = replyCost(model, view.usage);
    if (cost !== null) parts.push(formatCost(cost));
  }
  if (view.timeToFirstTokenMs !== null) parts.push(`first token ${formatMs(view.timeToFirstTokenMs)}`);
  if (view.tokensPerSecond !== null) parts.push(`${view.tokensPerSecond.toFixed(1)} tok/s`);
  if (timings) {
    if (view.totalMs !== null) parts.push(`total ${formatMs(view.totalMs)}`);
    if (view.totalMs !== null && view.timeToFirstTokenMs !== null) {
      parts.push(`generating ${formatMs(view.totalMs - view.timeToFirstTokenMs)}`);
    }
    if (view.stopReason) parts.push(`stop: ${view.stopReason}`);
  }
  if (parts.length === 0) return null;
  return (
    <p data-testid="reply-usage" className="text-xs text-zinc-500 tabular-nums dark:text-zinc-400">
      {parts.join(" · ")}
      {view.usage?.estimated ? (
        <span title="The provider reported no usage: these counts were estimated" className="ml-1 italic">
          (estimated)
        </span>
      ) : null}
    </p>
  );
}
