import { RotateCw } from "lucide-react";

import { errorMessage } from "@/api/errors";
import type { DocumentOut } from "@/api/types";

import { DeleteDocumentButton } from "./DeleteDocumentButton";
import { formatBytes, formatDate } from "./format";
import { useReindexDocument } from "./queries";
import { ProgressBar, StatusBadge } from "./StatusBadge";
import type { UploadEntry } from "./useUploads";

/** One document: name, status, progress (the upload's bytes, then the ingestion's), the failure reason, actions. */
export function DocumentRow({ document, upload }: { document: DocumentOut; upload: UploadEntry | undefined }) {
  const reindex = useReindexDocument();
  const sending = upload?.phase === "sending";
  const details = [formatBytes(document.size), formatDate(document.created_at)];
  if (document.status === "ready") {
    if (document.pages !== null) details.push(`${document.pages} page${document.pages === 1 ? "" : "s"}`);
    details.push(`${document.chunks} chunk${document.chunks === 1 ? "" : "s"}`);
  }
  return (
    <li data-testid="document-row" className="flex flex-col gap-2 px-4 py-3">
      <div className="flex flex-wrap items-center gap-3">
        <span className="min-w-0 flex-1 truncate font-medium" title={document.filename}>
          {document.filename}
        </span>
        <StatusBadge status={document.status} />
        {document.status !== "uploading" && (
          <button
            type="button"
            onClick={() => reindex.mutate(document.id)}
            disabled={reindex.isPending}
            aria-label={`Reindex ${document.filename}`}
            className="inline-flex items-center gap-1 rounded-md px-2 py-1 text-sm text-zinc-700 hover:bg-zinc-100 disabled:opacity-60 dark:text-zinc-300 dark:hover:bg-zinc-800"
          >
            <RotateCw aria-hidden className="size-4" />
            Reindex
          </button>
        )}
        <DeleteDocumentButton id={document.id} filename={document.filename} />
      </div>
      <p className="text-xs text-zinc-500 dark:text-zinc-400">{details.join(" · ")}</p>
      {sending && (
        <div className="flex items-center gap-2 text-xs text-zinc-600 dark:text-zinc-400">
          <ProgressBar value={(upload?.progress ?? 0) * 100} label={`Uploading ${document.filename}`} />
          <span className="w-10 text-right">{Math.round((upload?.progress ?? 0) * 100)}%</span>
        </div>
      )}
      {document.status === "processing" && (
        <div className="flex items-center gap-2 text-xs text-zinc-600 dark:text-zinc-400">
          <ProgressBar value={document.progress} label={`Indexing ${document.filename}`} />
          <span className="w-10 text-right">{document.progress}%</span>
        </div>
      )}
      {upload?.phase === "failed" && upload.error && (
        <p role="alert" className="text-sm text-red-700 dark:text-red-400">
          {upload.error}
        </p>
      )}
      {document.status === "failed" && (
        <p className="text-sm text-red-700 dark:text-red-400" data-testid="document-error">
          {document.error ?? "Indexing failed."}
        </p>
      )}
      {reindex.isError && (
        <p role="alert" className="text-sm text-red-700 dark:text-red-400">
          {errorMessage(reindex.error)}
        </p>
      )}
    </li>
  );
}
