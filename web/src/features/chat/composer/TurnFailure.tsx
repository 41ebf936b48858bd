/** A turn that failed before its stream opened, shown under the composer: the reason, "Retry", and for a 413
 * `context_too_long` the models whose window would hold the conversation (one click switches and resends). */
import { AlertTriangle, X } from "lucide-react";

import type { Model } from "@/api/types";

import type { TurnError } from "../useChatTurn";
import { modelsThatFit } from "./modelChoice";

export function TurnFailure(props: {
  failure: TurnError;
  models: Model[];
  onRetry: (model?: string) => void;
  onDismiss: () => void;
  busy: boolean;
}) {
  const { error, request } = props.failure;
  const fits = error.code === "context_too_long" ? modelsThatFit(error.details, props.models, request.model) : [];
  return (
    <div
      role="alert"
      className="mb-2 rounded-lg border border-red-200 bg-red-50 p-3 text-sm text-red-800 dark:border-red-900 dark:bg-red-950/50 dark:text-red-200"
    >
      <div className="flex items-start gap-2">
        <AlertTriangle aria-hidden className="mt-0.5 size-4 shrink-0" />
        <div className="min-w-0 flex-1">
          <p>
            Not sent: {error.message}
            {error.requestId && <span className="ml-1 text-xs opacity-70">(request {error.requestId})</span>}
          </p>
          <p className="mt-1 truncate text-xs opacity-80" title={request.content}>
            “{request.content}”
          </p>
          {fits.length > 0 && (
            <div className="mt-2 flex flex-wrap items-center gap-2">
              <span className="text-xs">Models whose context window fits:</span>
              {fits.map((model) => (
                <button
                  key={model.id}
                  type="button"
                  disabled={props.busy}
                  onClick={() => props.onRetry(model.id)}
                  className="rounded-md border border-red-300 bg-white px-2 py-1 font-mono text-xs text-zinc-800 hover:bg-red-100 disabled:opacity-50 dark:border-red-800 dark:bg-zinc-900 dark:text-zinc-100 dark:hover:bg-red-900/40"
                >
                  Use {model.id}
                </button>
              ))}
            </div>
          )}
          <button
            type="button"
            disabled={props.busy}
            onClick={() => props.onRetry()}
            className="mt-2 rounded-md bg-red-600 px-2.5 py-1 text-xs font-medium text-white hover:bg-red-700 disabled:opacity-50"
          >
            Retry
          </button>
        </div>
        <button type="button" aria-label="Dismiss" onClick={props.onDismiss} className="rounded p-0.5 hover:bg-red-100 dark:hover:bg-red-900/50">
          <X aria-hidden className="size-4" />
        </button>
      </div>
    </div>
  );
}
