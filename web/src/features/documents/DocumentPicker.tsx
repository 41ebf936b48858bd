import type { JSX } from "react";
import { Link } from "react-router";

import { errorMessage } from "@/api/errors";

import { useDocuments } from "./queries";

/** Checkboxes of the caller's ready documents (label = filename), for a conversation's answers with sources. */
export function DocumentPicker(props: { selected: string[]; onChange: (ids: string[]) => void }): JSX.Element {
  const { selected, onChange } = props;
  const list = useDocuments();
  const ready = list.documents.filter((document) => document.status === "ready");

  if (list.isPending) return <p className="text-sm text-zinc-500">Loading documents…</p>;
  if (list.isError) {
    return (
      <p role="alert" className="text-sm text-red-700 dark:text-red-400">
        {errorMessage(list.error)}
      </p>
    );
  }
  if (ready.length === 0 && !list.hasNextPage) {
    return (
      <p className="text-sm text-zinc-600 dark:text-zinc-400">
        No ready documents.{" "}
        <Link to="/documents" className="text-blue-700 underline dark:text-blue-400">
          Upload documents
        </Link>
      </p>
    );
  }
  const toggle = (id: string, checked: boolean) =>
    onChange(checked ? [...selected.filter((s) => s !== id), id] : selected.filter((s) => s !== id));
  return (
    <fieldset className="flex flex-col gap-1">
      <legend className="mb-1 text-sm font-medium">Documents</legend>
      {ready.map((document) => (
        <label key={document.id} className="flex items-center gap-2 text-sm">
          <input
            type="checkbox"
            checked={selected.includes(document.id)}
            onChange={(event) => toggle(document.id, event.target.checked)}
            className="size-4 accent-blue-600"
          />
          <span className="truncate">{document.filename}</span>
        </label>
      ))}
      {list.hasNextPage && (
        <button
          type="button"
          onClick={() => void list.fetchNextPage()}
          disabled={list.isFetchingNextPage}
          className="self-start text-sm text-blue-700 underline disabled:opacity-60 dark:text-blue-400"
        >
          More documents
        </button>
      )}
    </fieldset>
  );
}
