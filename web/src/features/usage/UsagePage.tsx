import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { lazy, Suspense, useId, useState } from "react";

import { api, call } from "@/api/client";
import { errorMessage } from "@/api/errors";
import { queryKeys } from "@/api/queries";
import type { UsageReport } from "@/api/types";

import { Allowance } from "./Allowance";
import { formatCost, formatTokens } from "./format";
import { isoDay, presetRange, PRESETS, addDays, type RangePreset } from "./range";
import { UsageTables } from "./UsageTables";

const UsageCharts = lazy(() => import("./UsageCharts"));

const INPUT = "rounded-md border border-zinc-300 bg-white px-2 py-1.5 text-sm dark:border-zinc-700 dark:bg-zinc-900";

function useUsage(params: { from: string; to: string } | null) {
  return useQuery({
    queryKey: queryKeys.usage(params ?? {}),
    queryFn: () => call(api.GET("/api/usage", { params: { query: params ?? {} } })),
    enabled: params !== null,
    placeholderData: keepPreviousData,
  });
}

/** `/usage`: what remains of the caller's limits, and their tokens and cost per day and per model over a range,
 * with totals. */
export function UsagePage() {
  const ids = { range: useId(), from: useId(), to: useId() };
  const [preset, setPreset] = useState<RangePreset>("30");
  const today = isoDay(new Date());
  const [custom, setCustom] = useState({ from: addDays(today, -29), to: today });
  const [showTable, setShowTable] = useState(false);

  const customInvalid = preset === "custom" && (!custom.from || !custom.to || custom.from > custom.to);
  const params = preset === "custom" ? (customInvalid ? null : custom) : presetRange(preset);
  const usage = useUsage(params);

  return (
    <div className="mx-auto flex h-full max-w-5xl flex-col gap-4 overflow-y-auto p-4 sm:p-6">
      <div className="flex flex-wrap items-end gap-3">
        <h1 className="mr-auto text-xl font-semibold">Usage</h1>
        <div className="flex flex-col gap-1">
          <label htmlFor={ids.range} className="text-xs text-zinc-600 dark:text-zinc-400">
            Range
          </label>
          <select
            id={ids.range}
            value={preset}
            onChange={(event) => setPreset(event.target.value as RangePreset)}
            className={INPUT}
          >
            {PRESETS.map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </select>
        </div>
        {preset === "custom" && (
          <>
            <div className="flex flex-col gap-1">
              <label htmlFor={ids.from} className="text-xs text-zinc-600 dark:text-zinc-400">
                From
              </label>
              <input
                id={ids.from}
                type="date"
                value={custom.from}
                max={custom.to || today}
                onChange={(event) => setCustom((c) => ({ ...c, from: event.target.value }))}
                className={INPUT}
              />
            </div>
            <div className="flex flex-col gap-1">
              <label htmlFor={ids.to} className="text-xs text-zinc-600 dark:text-zinc-400">
                To
              </label>
              <input
                id={ids.to}
                type="date"
                value={custom.to}
                min={custom.from}
                onChange={(event) => setCustom((c) => ({ ...c, to: event.target.value }))}
                className={INPUT}
              />
            </div>
          </>
        )}
      </div>
      {customInvalid && (
        <p role="alert" className="text-sm text-red-700 dark:text-red-400">
          Choose a start day on or before the end day.
        </p>
      )}
      {usage.isError && (
        <p role="alert" className="text-sm text-red-700 dark:text-red-400">
          {errorMessage(usage.error)}
        </p>
      )}
      {usage.isPending && !customInvalid && <p className="text-sm text-zinc-500">Loading usage…</p>}
      {usage.data && (
        <>
          <Allowance limits={usage.data.limits} />
          <Totals report={usage.data} />
          <div className="flex items-center justify-between">
            <p className="text-sm text-zinc-600 dark:text-zinc-400">
              {usage.data.from} to {usage.data.to} (UTC)
            </p>
            <button
              type="button"
              aria-pressed={showTable}
              onClick={() => setShowTable((shown) => !shown)}
              className="rounded-md border border-zinc-300 px-3 py-1.5 text-sm hover:bg-zinc-100 dark:border-zinc-700 dark:hover:bg-zinc-800"
            >
              Show table
            </button>
          </div>
          {showTable ? (
            <UsageTables report={usage.data} />
          ) : (
            <Suspense fallback={<p className="text-sm text-zinc-500">Loading charts…</p>}>
              <UsageCharts report={usage.data} />
            </Suspense>
          )}
        </>
      )}
    </div>
  );
}

function Totals({ report }: { report: UsageReport }) {
  const { totals } = report;
  const items: [string, string][] = [
    ["Input tokens", formatTokens(totals.input_tokens)],
    ["Output tokens", formatTokens(totals.output_tokens)],
    ["Total tokens", formatTokens(totals.total_tokens)],
    ["Requests", formatTokens(totals.requests)],
    ["Cost", formatCost(totals.cost_usd)],
  ];
  return (
    <section aria-label="Totals">
      <dl className="grid grid-cols-2 gap-3 sm:grid-cols-5" data-testid="usage-totals">
        {items.map(([label, value]) => (
          <div key={label} className="rounded-lg border border-zinc-200 p-3 dark:border-zinc-800">
            <dt className="text-xs text-zinc-600 dark:text-zinc-400">{label}</dt>
            <dd className="text-lg font-semibold tabular-nums">{value}</dd>
          </div>
        ))}
      </dl>
      {totals.unpriced_requests > 0 && (
        <p className="mt-2 text-xs text-zinc-600 dark:text-zinc-400">
          {totals.unpriced_requests} request{totals.unpriced_requests === 1 ? "" : "s"} used models without a price:
          not in the cost.
        </p>
      )}
    </section>
  );
}
