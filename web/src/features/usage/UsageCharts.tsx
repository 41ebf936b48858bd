/** The usage charts (recharts: loaded with this module only, never in the initial bundle). */
import { useId } from "react";
import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from "recharts";

import type { UsageReport } from "@/api/types";

import { byDay, byModel } from "./aggregate";
import { formatCost, formatTokens } from "./format";

const INPUT = "#2563eb";
const OUTPUT = "#f59e0b";
const COST = "#16a34a";
const CHART_STYLE = { width: "100%", height: 240 } as const;

function Figure({ title, children }: { title: string; children: (labelId: string) => React.ReactNode }) {
  const id = useId();
  return (
    <figure
      aria-labelledby={id}
      className="rounded-lg border border-zinc-200 p-3 text-zinc-700 dark:border-zinc-800 dark:text-zinc-300"
    >
      <figcaption id={id} className="mb-2 text-sm font-medium">
        {title}
      </figcaption>
      {children(id)}
    </figure>
  );
}

const tokenTick = (value: number) => formatTokens(value);
const costTick = (value: number) => formatCost(value);
const shortDay = (day: string) => day.slice(5);

export default function UsageCharts({ report }: { report: UsageReport }) {
  const days = byDay(report);
  const models = byModel(report);
  return (
    <div className="grid gap-4 lg:grid-cols-2">
      <Figure title="Tokens per day">
        {(id) => (
          <BarChart responsive style={CHART_STYLE} data={days} aria-labelledby={id}>
            <CartesianGrid strokeDasharray="3 3" strokeOpacity={0.3} />
            <XAxis dataKey="day" tickFormatter={shortDay} fontSize={12} />
            <YAxis tickFormatter={tokenTick} fontSize={12} width={70} />
            <Tooltip formatter={(value) => formatTokens(Number(value))} />
            <Legend />
            <Bar dataKey="input_tokens" name="Input tokens" stackId="tokens" fill={INPUT} />
            <Bar dataKey="output_tokens" name="Output tokens" stackId="tokens" fill={OUTPUT} />
          </BarChart>
        )}
      </Figure>
      <Figure title="Cost per day (USD)">
        {(id) => (
          <BarChart responsive style={CHART_STYLE} data={days} aria-labelledby={id}>
            <CartesianGrid strokeDasharray="3 3" strokeOpacity={0.3} />
            <XAxis dataKey="day" tickFormatter={shortDay} fontSize={12} />
            <YAxis tickFormatter={costTick} fontSize={12} width={70} />
            <Tooltip formatter={(value) => formatCost(Number(value))} />
            <Bar dataKey="cost_usd" name="Cost" fill={COST} />
          </BarChart>
        )}
      </Figure>
      <Figure title="Tokens per model">
        {(id) => (
          <BarChart responsive style={CHART_STYLE} data={models} aria-labelledby={id}>
            <CartesianGrid strokeDasharray="3 3" strokeOpacity={0.3} />
            <XAxis dataKey="model" fontSize={12} />
            <YAxis tickFormatter={tokenTick} fontSize={12} width={70} />
            <Tooltip formatter={(value) => formatTokens(Number(value))} />
            <Legend />
            <Bar dataKey="input_tokens" name="Input tokens" stackId="tokens" fill={INPUT} />
            <Bar dataKey="output_tokens" name="Output tokens" stackId="tokens" fill={OUTPUT} />
          </BarChart>
        )}
      </Figure>
      <Figure title="Cost per model (USD)">
        {(id) => (
          <BarChart responsive style={CHART_STYLE} data={models} aria-labelledby={id}>
            <CartesianGrid strokeDasharray="3 3" strokeOpacity={0.3} />
            <XAxis dataKey="model" fontSize={12} />
            <YAxis tickFormatter={costTick} fontSize={12} width={70} />
            <Tooltip formatter={(value) => formatCost(Number(value))} />
            <Bar dataKey="cost_usd" name="Cost" fill={COST} />
          </BarChart>
        )}
      </Figure>
    </div>
  );
}
