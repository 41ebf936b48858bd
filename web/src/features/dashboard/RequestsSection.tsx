import { requestLog } from "@/lib/requestLog";
import { useStore } from "@/lib/store";
import { cn } from "@/lib/cn";

import { BUTTON, Json, ms, Section } from "./ui";

function statusClass(status: number | null): string {
  if (status === null) return "text-zinc-500";
  if (status === 0 || status >= 500) return "text-red-700 dark:text-red-400";
  if (status >= 400) return "text-amber-700 dark:text-amber-400";
  return "text-green-700 dark:text-green-400";
}

/** The raw JSON of this page's last API requests and responses, newest first. */
export function RequestsSection() {
  const entries = useStore(requestLog);
  return (
    <Section
      title="Requests"
      actions={
        <button type="button" className={BUTTON} onClick={() => requestLog.set([])} disabled={entries.length === 0}>
          Clear
        </button>
      }
    >
      {entries.length === 0 ? (
        <p className="text-sm text-zinc-500">No requests yet.</p>
      ) : (
        <ul className="flex flex-col gap-1" aria-label="Recent requests">
          {entries.map((entry) => (
            <li key={entry.id} data-testid="request-entry">
              <details className="rounded-md border border-zinc-200 dark:border-zinc-800">
                <summary className="flex cursor-pointer flex-wrap items-center gap-2 px-2 py-1.5 font-mono text-xs">
                  <span className="font-semibold">{entry.method}</span>
                  <span className="min-w-0 flex-1 truncate">{entry.url}</span>
                  <span className={cn("font-semibold", statusClass(entry.status))}>
                    {entry.status === null ? "pending" : entry.status === 0 ? "network error" : entry.status}
                  </span>
                  <span className="text-zinc-500">{ms(entry.durationMs)}</span>
                  <span className="text-zinc-500">{new Date(performance.timeOrigin + entry.startedAt).toLocaleTimeString()}</span>
                </summary>
                <div className="grid gap-2 p-2 md:grid-cols-2">
                  <div>
                    <h3 className="mb-1 text-xs font-semibold">Request</h3>
                    <Json value={entry.requestBody} />
                  </div>
                  <div>
                    <h3 className="mb-1 text-xs font-semibold">Response</h3>
                    <Json value={entry.error ?? entry.responseBody} />
                  </div>
                </div>
              </details>
            </li>
          ))}
        </ul>
      )}
    </Section>
  );
}
