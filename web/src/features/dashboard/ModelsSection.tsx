import { useMutation, useQueryClient } from "@tanstack/react-query";
import { RefreshCw } from "lucide-react";

import { api, call } from "@/api/client";
import { errorMessage } from "@/api/errors";
import { queryKeys, useModels, useProviders } from "@/api/queries";

import { BUTTON, ms, Section, Status, TABLE, TBODY, TD, TH, THEAD } from "./ui";

function price(value: number | null): string {
  return value === null ? "—" : `$${value}`;
}

/** The model registry and its routing: providers (health), models, the default, and bare ids served twice. */
export function ModelsSection() {
  const client = useQueryClient();
  const models = useModels();
  const providers = useProviders();
  const refresh = useMutation({
    mutationFn: () => call(api.POST("/api/providers/refresh")),
    onSuccess: (data) => {
      client.setQueryData(queryKeys.providers, data);
      void client.invalidateQueries({ queryKey: queryKeys.providers });
      void client.invalidateQueries({ queryKey: queryKeys.models });
      void client.invalidateQueries({ queryKey: ["dashboard", "health"] });
    },
  });
  const conflicts = Object.entries(models.data?.conflicts ?? {});
  return (
    <Section
      title="Models"
      actions={
        <button type="button" className={BUTTON} onClick={() => refresh.mutate()} disabled={refresh.isPending}>
          <RefreshCw aria-hidden className="size-4" />
          {refresh.isPending ? "Refreshing…" : "Refresh providers"}
        </button>
      }
    >
      {refresh.isError && (
        <p role="alert" className="mb-2 text-sm text-red-700 dark:text-red-400">
          {errorMessage(refresh.error)}
        </p>
      )}
      <h3 className="mb-1 text-sm font-semibold">Providers</h3>
      {providers.isError && <p role="alert" className="text-sm text-red-700">{errorMessage(providers.error)}</p>}
      <div className="mb-4 overflow-x-auto">
        <table className={TABLE} aria-label="Providers">
          <thead className={THEAD}>
            <tr>
              <th scope="col" className={TH}>Provider</th>
              <th scope="col" className={TH}>Type</th>
              <th scope="col" className={TH}>Status</th>
              <th scope="col" className={TH}>Base URL</th>
              <th scope="col" className={TH}>Models</th>
              <th scope="col" className={TH}>Latency</th>
              <th scope="col" className={TH}>Last error</th>
            </tr>
          </thead>
          <tbody className={TBODY}>
            {(providers.data?.items ?? []).map((p) => (
              <tr key={p.name}>
                <th scope="row" className={TH}>{p.name}</th>
                <td className={TD}>{p.type}</td>
                <td className={TD}><Status status={p.status} /></td>
                <td className={`${TD} break-all font-mono text-xs`}>{p.base_url ?? "—"}</td>
                <td className={TD}>{p.model_count}</td>
                <td className={TD}>{ms(p.last_latency_ms)}</td>
                <td className={`${TD} text-red-700 dark:text-red-400`}>{p.last_error ?? ""}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {models.isError && <p role="alert" className="text-sm text-red-700">{errorMessage(models.error)}</p>}
      {models.data && (
        <>
          <p className="mb-2 text-sm">
            Default model: <code data-testid="default-model">{models.data.default_model ?? "none"}</code>
          </p>
          {conflicts.length > 0 && (
            <div className="mb-3 rounded-md border border-amber-300 bg-amber-50 p-2 text-sm dark:border-amber-800 dark:bg-amber-950/40">
              <p className="font-medium">Bare ids served by several providers (a bare id goes to the first listed):</p>
              <ul className="ml-5 list-disc">
                {conflicts.map(([bare, qualified]) => (
                  <li key={bare}>
                    <code>{bare}</code>: {qualified.join(", ")}
                  </li>
                ))}
              </ul>
            </div>
          )}
          <div className="overflow-x-auto">
            <table className={TABLE} aria-label="Models">
              <thead className={THEAD}>
                <tr>
                  <th scope="col" className={TH}>Model</th>
                  <th scope="col" className={TH}>Context</th>
                  <th scope="col" className={TH}>Max output</th>
                  <th scope="col" className={TH}>Capabilities</th>
                  <th scope="col" className={TH}>$ / M in · out</th>
                </tr>
              </thead>
              <tbody className={TBODY}>
                {models.data.items.map((m) => (
                  <tr key={m.id}>
                    <th scope="row" className={`${TH} font-mono text-xs`}>{m.id}</th>
                    <td className={TD}>{m.context_window.toLocaleString("en-US")}</td>
                    <td className={TD}>{m.max_output_tokens.toLocaleString("en-US")}</td>
                    <td className={TD}>
                      {(["tools", "thinking", "vision"] as const).filter((c) => m.capabilities[c]).join(", ") || "—"}
                    </td>
                    <td className={TD}>
                      {price(m.input_price_per_mtok)} · {price(m.output_price_per_mtok)}
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
