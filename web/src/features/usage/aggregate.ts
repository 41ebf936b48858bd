import type { UsageReport } from "@/api/types";

import { daysBetween } from "./range";

export interface DayPoint {
  day: string;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
}

export interface ModelPoint {
  model: string;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
  requests: number;
}

/** One point per day of the range (days without use are zeros), summed over models. */
export function byDay(report: UsageReport): DayPoint[] {
  const points = new Map<string, DayPoint>(
    daysBetween(report.from, report.to).map((day) => [day, { day, input_tokens: 0, output_tokens: 0, cost_usd: 0 }]),
  );
  for (const line of report.days) {
    const point = points.get(line.day) ?? { day: line.day, input_tokens: 0, output_tokens: 0, cost_usd: 0 };
    point.input_tokens += line.input_tokens;
    point.output_tokens += line.output_tokens;
    point.cost_usd += line.cost_usd;
    points.set(line.day, point);
  }
  return [...points.values()].sort((a, b) => a.day.localeCompare(b.day));
}

/** One point per model, most tokens first. */
export function byModel(report: UsageReport): ModelPoint[] {
  return Object.entries(report.models)
    .map(([model, totals]) => ({
      model,
      input_tokens: totals.input_tokens,
      output_tokens: totals.output_tokens,
      cost_usd: totals.cost_usd,
      requests: totals.requests,
    }))
    .sort((a, b) => b.input_tokens + b.output_tokens - (a.input_tokens + a.output_tokens));
}
