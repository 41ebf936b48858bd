import { useQuery } from "@tanstack/react-query";
import { RefreshCw } from "lucide-react";

import { api, call } from "@/api/client";
import { errorMessage } from "@/api/errors";

import { BUTTON, ms, Section, Status, TABLE, TBODY, TD, TH, THEAD } from "./ui";

const KIND: Record<string, string> = {
  dynamodb: "DynamoDB",
  vector_store: "Vector store",
  llm_provider: "LLM provider",
  mcp_server: "MCP server",
};

/** `GET /api/dashboard/health`: every dependency with its status and latency. */
export function HealthSection() {
  const health = useQuery({
    queryKey: ["dashboard", "health"],
    queryFn: () => call(api.GET("/api/dashboard/health")),
  });
  return (
    <Section
      title="Health"
      actions={
        <button type="button" className={BUTTON} onClick={() => void health.refetch()} disabled={health.isFetching}>
          <RefreshCw aria-hidden className="size-4" />
          {health.isFetching ? "Checking…" : "Refresh health"}
        </button>
      }
    >
      {health.isError && (
        <p role="alert" className="text-sm text-red-700 dark:text-red-400">
          {errorMessage(health.error)}
        </p>
      )}
      {health.isPending && <p className="text-sm text-zinc-500">Checking…</p>}
      {health.data && (
        <>
          <p className="mb-2 text-sm">
            Overall: <Status status={health.data.status} />{" "}
            <span className="text-zinc-500">checked {new Date(health.data.checked_at).toLocaleTimeString()}</span>
          </p>
          <div className="overflow-x-auto">
            <table className={TABLE} aria-label="Dependencies">
              <thead className={THEAD}>
                <tr>
                  <th scope="col" className={TH}>Dependency</th>
                  <th scope="col" className={TH}>Kind</th>
                  <th scope="col" className={TH}>Status</th>
                  <th scope="col" className={TH}>Latency</th>
                  <th scope="col" className={TH}>Details</th>
                </tr>
              </thead>
              <tbody className={TBODY}>
                {health.data.dependencies.map((dep) => (
                  <tr key={`${dep.kind}:${dep.name}`}>
                    <th scope="row" className={TH}>{dep.name}</th>
                    <td className={TD}>{KIND[dep.kind] ?? dep.kind}</td>
                    <td className={TD}><Status status={dep.status} /></td>
                    <td className={TD}>{ms(dep.latency_ms)}</td>
                    <td className={TD}>
                      {[
                        dep.model_count != null ? `${dep.model_count} models` : null,
                        dep.tool_count != null ? `${dep.tool_count} tools` : null,
                        dep.error,
                      ]
                        .filter(Boolean)
                        .join(" · ")}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </Section>
  );
}
