/** An assistant reply: thinking, tool calls, the answer, its sources, usage, and actions. */
import { AlertTriangle, Bot, CircleStop, RefreshCw, RotateCcw } from "lucide-react";

import type { Model } from "@/api/types";
import { debugToggles } from "@/lib/debug";
import { useStore } from "@/lib/store";
import { CopyButton } from "@/features/markdown/CopyButton";
import { Markdown } from "@/features/markdown/Markdown";

import { RawEventsPanel } from "./RawEventsPanel";
import { SourceList } from "./SourceList";
import { ThinkingPanel } from "./ThinkingPanel";
import { ToolCallCard } from "./ToolCallCard";
import { UsageLine } from "./UsageLine";
import type { ReplyView } from "./view";

export const actionClass =
  "inline-flex items-center gap-1 rounded px-1.5 py-0.5 text-xs text-zinc-600 hover:bg-zinc-200 hover:text-zinc-900 focus-visible:outline-2 focus-visible:outline-blue-500 dark:text-zinc-400 dark:hover:bg-zinc-800 dark:hover:text-zinc-100";

export function AssistantMessage(props: {
  view: ReplyView;
  model: Model | undefined;
  /** The conversation's last reply: it may be regenerated or retried. */
  last: boolean;
  busy: boolean;
  onRegenerate: () => void;
  onRetry: () => void;
}) {
  const { view } = props;
  const { rawEvents } = useStore(debugToggles);
  const streaming = view.state === "streaming";
  const failed = view.error !== null;
  const waiting = streaming && !view.content && !view.thinking && view.toolCalls.length === 0;
  return (
    <article
      data-testid="assistant-message"
      data-message={view.messageId ?? "live"}
      data-state={view.state}
      aria-busy={streaming}
      className="group flex gap-3"
    >
      <div aria-hidden className="mt-1 flex size-7 shrink-0 items-center justify-center rounded-full bg-zinc-100 dark:bg-zinc-800">
        <Bot className="size-4 text-zinc-600 dark:text-zinc-300" />
      </div>
      <div className="min-w-0 flex-1 space-y-2">
        <div className="text-xs text-zinc-500 dark:text-zinc-400">{props.model?.name ?? view.model ?? "Assistant"}</div>
        {view.thinking ? <ThinkingPanel text={view.thinking} thinkingNow={view.thinkingNow} ms={view.thinkingMs} /> : null}
        {view.toolCalls.length > 0 ? (
          <div className="space-y-1.5">
            {view.toolCalls.map((call) => (
              <ToolCallCard key={call.id} call={call} />
            ))}
          </div>
        ) : null}
        {view.content ? <Markdown content={view.content} sources={view.sources} /> : null}
        {waiting ? (
          <p className="text-sm text-zinc-500">
            <span className="animate-pulse">Waiting for the model…</span>
          </p>
        ) : null}
        {view.state === "stopped" ? (
          <p className="flex items-center gap-1 text-xs text-zinc-500">
            <CircleStop aria-hidden className="size-3.5" /> Stopped
          </p>
        ) : null}
        {failed ? (
          <div role="alert" className="flex flex-wrap items-center gap-2 rounded-lg border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800 dark:border-red-900 dark:bg-red-950/40 dark:text-red-200">
            <AlertTriangle aria-hidden className="size-4 shrink-0" />
            <span>{view.error?.message}</span>
            {props.last && !props.busy ? (
              <button type="button" onClick={props.onRetry} className={actionClass}>
                <RotateCcw aria-hidden className="size-3.5" /> Retry
              </button>
            ) : null}
          </div>
        ) : null}
        <SourceList sources={view.sources} />
        <UsageLine view={view} model={props.model} />
        {!streaming ? (
          <div className="flex gap-1">
            {view.content ? <CopyButton text={view.content} /> : null}
            {props.last && !props.busy && !failed ? (
              <button type="button" onClick={props.onRegenerate} className={actionClass}>
                <RefreshCw aria-hidden className="size-3.5" /> Regenerate
              </button>
            ) : null}
          </div>
        ) : null}
        {rawEvents && view.rawEvents ? <RawEventsPanel events={view.rawEvents} /> : null}
      </div>
    </article>
  );
}
