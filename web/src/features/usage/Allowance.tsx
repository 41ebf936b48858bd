/** What remains of the caller's limits (`/api/usage`): the requests and tokens buckets (they refill continuously) and
 * the budget this month. */
import { Gauge } from "lucide-react";

import type { UsageReport } from "@/api/types";

import { formatCost, formatTokens } from "./format";

type Limits = UsageReport["limits"];

interface Item {
  label: string;
  /** what is left, shown large; null: no limit */
  left: string | null;
  /** "of …" beside it, and the line under it */
  of: string;
  note: string;
  /** 0..1 of the limit still available; null: no limit */
  fraction: number | null;
}

function inSeconds(seconds: number): string {
  if (seconds < 90) return `${seconds} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 3600)} h`;
}

function rateItem(label: string, allowance: Limits["requests_per_minute"], unit: string): Item {
  if (allowance.limit === null || allowance.remaining === null) {
    return { label, left: null, of: "", note: "No limit", fraction: null };
  }
  const full = allowance.full_in_seconds > 0 ? `full again in ${inSeconds(allowance.full_in_seconds)}` : "full";
  return {
    label,
    left: formatTokens(allowance.remaining),
    of: `of ${formatTokens(allowance.limit)} ${unit}`,
    note: full,
    fraction: allowance.limit > 0 ? allowance.remaining / allowance.limit : 0,
  };
}

export function allowanceItems(limits: Limits): Item[] {
  const budget = limits.monthly_budget;
  const resets = new Date(budget.resets_at).toISOString().slice(0, 10);
  const budgetItem: Item =
    budget.limit_usd === null || budget.remaining_usd === null
      ? {
          label: "Budget this month",
          left: null,
          of: "",
          note: `No budget; ${formatCost(budget.spent_usd)} spent`,
          fraction: null,
        }
      : {
          label: "Budget this month",
          left: formatCost(budget.remaining_usd),
          of: `of ${formatCost(budget.limit_usd)}`,
          note: `${formatCost(budget.spent_usd)} spent; resets ${resets} (UTC)`,
          fraction: budget.limit_usd > 0 ? budget.remaining_usd / budget.limit_usd : 0,
        };
  return [
    rateItem("Requests available", limits.requests_per_minute, "a minute"),
    rateItem("Tokens available", limits.tokens_per_day, "a day"),
    budgetItem,
  ];
}

function Bar({ label, fraction }: { label: string; fraction: number }) {
  const percent = Math.round(Math.min(1, Math.max(0, fraction)) * 100);
  const color =
    percent <= 10 ? "bg-red-600 dark:bg-red-500" : percent <= 30 ? "bg-amber-500" : "bg-emerald-600 dark:bg-emerald-500";
  return (
    <div
      role="meter"
      aria-label={`${label} left`}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={percent}
      aria-valuetext={`${percent}% left`}
      className="mt-2 h-1.5 w-full overflow-hidden rounded-full bg-zinc-200 dark:bg-zinc-800"
    >
      <div className={`h-full ${color}`} style={{ width: `${percent}%` }} />
    </div>
  );
}

export function Allowance({ limits }: { limits: Limits }) {
  const items = allowanceItems(limits);
  return (
    <section aria-labelledby="allowance-heading" data-testid="usage-allowance">
      <h2 id="allowance-heading" className="mb-2 flex items-center gap-1.5 text-sm font-medium">
        <Gauge aria-hidden="true" className="size-4" />
        Remaining allowance
        {limits.overridden.length > 0 && (
          <span className="text-xs font-normal text-zinc-600 dark:text-zinc-400">(some set for you by an admin)</span>
        )}
      </h2>
      <dl className="grid gap-3 sm:grid-cols-3">
        {items.map((item) => (
          <div key={item.label} className="rounded-lg border border-zinc-200 p-3 dark:border-zinc-800">
            <dt className="text-xs text-zinc-600 dark:text-zinc-400">{item.label}</dt>
            <dd>
              {item.left === null ? (
                <span className="text-lg font-semibold">Unlimited</span>
              ) : (
                <>
                  <span className="text-lg font-semibold tabular-nums">{item.left}</span>{" "}
                  <span className="text-xs text-zinc-600 dark:text-zinc-400">{item.of}</span>
                </>
              )}
              {item.fraction !== null && <Bar label={item.label} fraction={item.fraction} />}
              <p className="mt-1 text-xs text-zinc-600 dark:text-zinc-400">{item.note}</p>
            </dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
