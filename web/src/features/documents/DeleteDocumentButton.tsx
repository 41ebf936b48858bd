import { Trash2 } from "lucide-react";

import { ConfirmButton } from "@/components/ConfirmButton";

import { useDeleteDocument } from "./queries";

/** "Delete", confirmed in a dialog (whose button is "Delete" too); the error, if any, stays in the dialog. */
export function DeleteDocumentButton({ id, filename }: { id: string; filename: string }) {
  const remove = useDeleteDocument();
  return (
    <ConfirmButton
      label="Delete"
      icon={<Trash2 aria-hidden className="size-4" />}
      title={`Delete ${filename}?`}
      description="The file, its chunks and its index entries are removed. Answers that cited it keep their sources, marked as deleted."
      pending={remove.isPending}
      error={remove.isError ? remove.error : null}
      onOpen={() => remove.reset()}
      onConfirm={() => remove.mutate(id)}
    />
  );
}
