/** A card per tool call: server, tool, arguments (formatted JSON), result, ok/failed, duration; collapsible. */
import { CheckCircle2, ChevronRight, Loader2, Wrench, XCircle } from "lucide-react";
import { Collapsible } from "radix-ui";
import { useState } from "react";

import { cn } from "@/lib/cn";

import { formatMs, type ToolCallView } from "./view";

export function formatArguments(value: unknown): string {
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value);
  }
}

export function ToolCallCard({ call }: { call: ToolCallView }) {
  const [open, setOpen] = useState(false);
  const status = call.ok === null ? "running" : call.ok ? "ok" : "failed";
  return (
    <Collapsible.Root
      open={open}
      onOpenChange={setOpen}
      data-testid="tool-call"
      data-status={status}
      className="rounded-lg border border-zinc-200 text-sm dark:border-zinc-700"
    >
      <Collapsible.Trigger className="flex w-full items-center gap-2 px-3 py-1.5 text-left focus-visible:outline-2 focus-visible:outline-blue-500">
        <ChevronRight aria-hidden className={cn("size-3.5 shrink-0 transition-transform", open && "rotate-90")} />
        <Wrench aria-hidden className="size-3.5 shrink-0 text-zinc-500" />
        <span className="font-mono font-medium">{call.name}</span>
        <span className="truncate text-zinc-500">{call.server ?? "unknown server"}</span>
        <span className="ml-auto flex shrink-0 items-center gap-1 text-xs">
          {status === "running" ? (
            <>
              <Loader2 aria-hidden className="size-3.5 animate-spin" /> running
            </>
          ) : status === "ok" ? (
            <>
              <CheckCircle2 aria-hidden className="size-3.5 text-green-600 dark:text-green-400" /> ok
            </>
          ) : (
            <>
              <XCircle aria-hidden className="size-3.5 text-red-600 dark:text-red-400" /> failed
            </>
          )}
          {call.durationMs !== null ? <span className="text-zinc-500">· {formatMs(call.durationMs)}</span> : null}
        </span>
      </Collapsible.Trigger>
      <Collapsible.Content className="space-y-2 border-t border-zinc-200 px-3 py-2 dark:border-zinc-700">
        <div>
          <div className="text-xs font-medium text-zinc-500">Arguments</div>
          <pre className="mt-1 max-h-60 overflow-auto rounded bg-zinc-100 p-2 text-xs dark:bg-zinc-900">
            {formatArguments(call.arguments)}
          </pre>
        </div>
        {call.content !== null ? (
          <div>
            <div className="text-xs font-medium text-zinc-500">{call.ok ? "Result" : "Error"}</div>
            <pre className="mt-1 max-h-60 overflow-auto rounded bg-zinc-100 p-2 text-xs whitespace-pre-wrap dark:bg-zinc-900">
              {call.content}
            </pre>
          </div>
        ) : null}
      </Collapsible.Content>
    </Collapsible.Root>
  );
}
