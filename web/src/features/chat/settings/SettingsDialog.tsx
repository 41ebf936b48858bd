/** "Tools and documents": which tools the conversation offers the model, and which documents answers come from. */
import { Settings2, X } from "lucide-react";
import { useState } from "react";

import { DocumentPicker } from "@/features/documents/DocumentPicker";

import { Modal } from "../Modal";
import { ToolsChooser } from "./ToolsChooser";

export function SettingsDialog(props: {
  tools: string[] | null;
  onToolsChange: (tools: string[] | null) => void;
  documents: string[];
  onDocumentsChange: (ids: string[]) => void;
  supportsTools: boolean;
  error: string | null;
}) {
  const count = props.documents.length;
  const [open, setOpen] = useState(false);
  return (
    <>
      <button
        type="button"
        aria-haspopup="dialog"
        onClick={() => setOpen(true)}
        className="inline-flex items-center gap-1 rounded-md border border-zinc-300 px-2 py-1 text-xs text-zinc-700 hover:bg-zinc-100 dark:border-zinc-700 dark:text-zinc-200 dark:hover:bg-zinc-800"
      >
        <Settings2 aria-hidden className="size-3.5" />
        <span>Tools and documents</span>
        {count > 0 && (
          <span className="rounded-full bg-blue-600 px-1.5 text-[10px] text-white" aria-label={`${count} documents chosen`}>
            {count}
          </span>
        )}
      </button>
      <Modal
        open={open}
        onClose={() => setOpen(false)}
        title="Tools and documents"
        description="The tools the model may call, and the documents its answers cite."
        className="max-h-[85vh] w-[min(94vw,30rem)]"
      >
        <button
          type="button"
          aria-label="Close"
          onClick={() => setOpen(false)}
          className="absolute right-3 top-3 rounded p-1 hover:bg-zinc-100 dark:hover:bg-zinc-800"
        >
          <X aria-hidden className="size-4" />
        </button>
        <div className="mt-4 flex flex-col gap-4">
          {props.error && (
            <p role="alert" className="text-sm text-red-600 dark:text-red-400">
              {props.error}
            </p>
          )}
          <ToolsChooser value={props.tools} onChange={props.onToolsChange} supportsTools={props.supportsTools} />
          <div className="flex flex-col gap-1">
            <DocumentPicker selected={props.documents} onChange={props.onDocumentsChange} />
            <p className="text-xs text-zinc-500 dark:text-zinc-400">
              {count > 0
                ? "Each message searches these documents and the answer cites them."
                : "No documents chosen: answers come from the model alone."}
            </p>
          </div>
        </div>
      </Modal>
    </>
  );
}
