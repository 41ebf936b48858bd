import type { UsageReport } from "@/api/types";

import { byModel } from "./aggregate";
import { formatCost, formatTokens } from "./format";

const TH = "px-3 py-2 text-left font-medium";
const TD = "px-3 py-1.5 tabular-nums";

/** The charts' data as tables: per model, and per day and model. */
export function UsageTables({ report }: { report: UsageReport }) {
  return (
    <div className="flex flex-col gap-4">
      <table className="w-full text-sm" data-testid="usage-models-table">
        <caption className="mb-1 text-left text-sm font-medium">Usage per model</caption>
        <thead className="bg-zinc-50 dark:bg-zinc-900">
          <tr>
            <th scope="col" className={TH}>Model</th>
            <th scope="col" className={TH}>Requests</th>
            <th scope="col" className={TH}>Input tokens</th>
            <th scope="col" className={TH}>Output tokens</th>
            <th scope="col" className={TH}>Cost</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-zinc-200 dark:divide-zinc-800">
          {byModel(report).map((row) => (
            <tr key={row.model}>
              <th scope="row" className={TH}>{row.model}</th>
              <td className={TD}>{formatTokens(row.requests)}</td>
              <td className={TD}>{formatTokens(row.input_tokens)}</td>
              <td className={TD}>{formatTokens(row.output_tokens)}</td>
              <td className={TD}>{formatCost(row.cost_usd)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <table className="w-full text-sm" data-testid="usage-days-table">
        <caption className="mb-1 text-left text-sm font-medium">Usage per day and model</caption>
        <thead className="bg-zinc-50 dark:bg-zinc-900">
          <tr>
            <th scope="col" className={TH}>Day</th>
            <th scope="col" className={TH}>Model</th>
            <th scope="col" className={TH}>Requests</th>
            <th scope="col" className={TH}>Input tokens</th>
            <th scope="col" className={TH}>Output tokens</th>
            <th scope="col" className={TH}>Cost</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-zinc-200 dark:divide-zinc-800">
          {report.days.map((line) => (
            <tr key={`${line.day} ${line.model}`}>
              <td className={TD}>{line.day}</td>
              <td className={TD}>{line.model}</td>
              <td className={TD}>{formatTokens(line.requests)}</td>
              <td className={TD}>{formatTokens(line.input_tokens)}</td>
              <td className={TD}>{formatTokens(line.output_tokens)}</td>
              <td className={TD}>{formatCost(line.cost_usd)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
