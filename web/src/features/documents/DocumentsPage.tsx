import { X } from "lucide-react";

import { errorMessage } from "@/api/errors";

import { DocumentRow } from "./DocumentRow";
import { DropZone } from "./DropZone";
import { ProgressBar } from "./StatusBadge";
import { useDocuments } from "./queries";
import { useUploads, type UploadEntry } from "./useUploads";

/** `/documents`: upload (drop or pick several files), follow each to ready or failed, reindex, delete. */
export function DocumentsPage() {
  const list = useDocuments();
  const { entries, upload, dismiss } = useUploads();
  const listed = new Set(list.documents.map((document) => document.id));
  const byDocument = new Map(entries.filter((e) => e.documentId).map((e) => [e.documentId as string, e]));
  // not (yet, or no longer) in the list: being declared, refused by the API, or sent and not listed yet
  const pending = entries.filter((e) => e.documentId === null || !listed.has(e.documentId));

  return (
    <div className="mx-auto flex h-full max-w-4xl flex-col gap-4 overflow-y-auto p-4 sm:p-6">
      <h1 className="text-xl font-semibold">Documents</h1>
      <DropZone onFiles={upload} />
      {pending.length > 0 && (
        <ul aria-label="Uploads" className="flex flex-col gap-2">
          {pending.map((entry) => (
            <PendingUpload key={entry.key} entry={entry} onDismiss={() => dismiss(entry.key)} />
          ))}
        </ul>
      )}
      {list.isPending ? (
        <p className="text-sm text-zinc-500">Loading documents…</p>
      ) : list.isError ? (
        <p role="alert" className="text-sm text-red-700 dark:text-red-400">
          {errorMessage(list.error)}
        </p>
      ) : list.documents.length === 0 ? (
        <p className="text-sm text-zinc-500 dark:text-zinc-400">No documents yet. Upload some to ask questions about them.</p>
      ) : (
        <ul
          aria-label="Your documents"
          className="divide-y divide-zinc-200 rounded-lg border border-zinc-200 dark:divide-zinc-800 dark:border-zinc-800"
        >
          {list.documents.map((document) => (
            <DocumentRow key={document.id} document={document} upload={byDocument.get(document.id)} />
          ))}
        </ul>
      )}
      {list.hasNextPage && (
        <button
          type="button"
          onClick={() => void list.fetchNextPage()}
          disabled={list.isFetchingNextPage}
          className="self-center rounded-md border border-zinc-300 px-3 py-1.5 text-sm hover:bg-zinc-100 disabled:opacity-60 dark:border-zinc-700 dark:hover:bg-zinc-800"
        >
          {list.isFetchingNextPage ? "Loading…" : "Load more"}
        </button>
      )}
    </div>
  );
}

/** A file the API has not accepted (yet): being declared, or refused with the API's reason. */
function PendingUpload({ entry, onDismiss }: { entry: UploadEntry; onDismiss: () => void }) {
  return (
    <li
      data-testid="upload-row"
      className="flex items-start gap-3 rounded-lg border border-zinc-200 px-4 py-3 text-sm dark:border-zinc-800"
    >
      <div className="min-w-0 flex-1">
        <p className="truncate font-medium">{entry.filename}</p>
        {entry.phase === "refused" || entry.phase === "failed" ? (
          <p role="alert" className="text-red-700 dark:text-red-400">
            Not uploaded: {entry.error}
          </p>
        ) : entry.phase === "sending" ? (
          <ProgressBar value={entry.progress * 100} label={`Uploading ${entry.filename}`} />
        ) : (
          <p className="text-zinc-500 dark:text-zinc-400">Preparing upload…</p>
        )}
      </div>
      {(entry.phase === "refused" || entry.phase === "failed") && (
        <button
          type="button"
          onClick={onDismiss}
          aria-label={`Dismiss ${entry.filename}`}
          className="rounded p-1 text-zinc-500 hover:bg-zinc-100 dark:hover:bg-zinc-800"
        >
          <X aria-hidden className="size-4" />
        </button>
      )}
    </li>
  );
}
