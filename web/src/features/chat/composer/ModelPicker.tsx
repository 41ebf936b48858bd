/** The model picker: a menu of models grouped by provider, with the provider's health, each model's context
 * window and its thinking/tools capabilities. */
import { Brain, Check, ChevronDown, Wrench } from "lucide-react";

import type { Model, ProviderHealth } from "@/api/types";
import { cn } from "@/lib/cn";

import { Menu, MenuItem } from "../Menu";
import { formatTokens, groupByProvider } from "./modelChoice";

const HEALTH: Record<string, string> = {
  ok: "bg-green-500",
  degraded: "bg-amber-500",
  down: "bg-red-500",
  unknown: "bg-zinc-400",
};

export function ModelPicker(props: {
  models: Model[];
  providers: ProviderHealth[];
  value: string | null;
  onChange: (id: string) => void;
  disabled?: boolean;
}) {
  const groups = groupByProvider(props.models, props.providers);
  return (
    <Menu
      label="Model"
      kind="listbox"
      disabled={props.disabled || props.models.length === 0}
      title={props.models.length === 0 ? "No model is available: configure a provider" : "Model"}
      placement="above-start"
      className="max-h-[60vh] w-[min(92vw,22rem)]"
      triggerClassName="inline-flex max-w-[14rem] items-center gap-1 rounded-md border border-zinc-300 px-2 py-1 text-xs text-zinc-700 hover:bg-zinc-100 disabled:opacity-60 dark:border-zinc-700 dark:text-zinc-200 dark:hover:bg-zinc-800"
      trigger={
        <>
          <span className="truncate font-mono">{props.value ?? "No models"}</span>
          <ChevronDown aria-hidden className="size-3.5 shrink-0" />
        </>
      }
    >
      {(close) =>
        groups.map((group) => (
          <div key={group.provider} role="group" aria-label={group.provider}>
            <div className="flex items-center gap-2 px-2 pb-1 pt-2 text-xs font-semibold uppercase tracking-wide text-zinc-600 dark:text-zinc-400">
              <span aria-hidden className={cn("size-2 rounded-full", HEALTH[group.status] ?? HEALTH.unknown)} />
              {group.provider}
              <span className="font-normal normal-case" data-testid="provider-health">
                {group.status}
              </span>
            </div>
            {group.models.map((model) => (
              <MenuItem
                key={model.id}
                selected={model.id === props.value}
                onSelect={() => {
                  close();
                  props.onChange(model.id);
                }}
              >
                <span className="flex size-4 items-center justify-center">
                  {model.id === props.value && <Check aria-hidden className="size-4" />}
                </span>
                <span className="min-w-0 flex-1 truncate font-mono text-xs">{model.id}</span>
                <span className="text-xs text-zinc-600 dark:text-zinc-400">{formatTokens(model.context_window)}</span>
                {model.capabilities.thinking && (
                  <span title="Can think" className="rounded bg-violet-100 px-1 text-[10px] text-violet-800 dark:bg-violet-900/50 dark:text-violet-200">
                    <Brain aria-hidden className="inline size-3" /> thinking
                  </span>
                )}
                {model.capabilities.tools && (
                  <span title="Can call tools" className="rounded bg-sky-100 px-1 text-[10px] text-sky-800 dark:bg-sky-900/50 dark:text-sky-200">
                    <Wrench aria-hidden className="inline size-3" /> tools
                  </span>
                )}
              </MenuItem>
            ))}
          </div>
        ))
      }
    </Menu>
  );
}
