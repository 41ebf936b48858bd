import { Upload } from "lucide-react";
import { useState, type DragEvent } from "react";

import { cn } from "@/lib/cn";

import { ACCEPT } from "./upload";

/** A drop zone for several files, with a file input ("Upload documents") for the keyboard and for pickers. */
export function DropZone({ onFiles }: { onFiles: (files: File[]) => void }) {
  const [over, setOver] = useState(false);

  const onDrop = (event: DragEvent<HTMLDivElement>) => {
    event.preventDefault();
    setOver(false);
    const files = Array.from(event.dataTransfer?.files ?? []);
    if (files.length > 0) onFiles(files);
  };

  return (
    <div
      data-testid="drop-zone"
      onDragOver={(event) => {
        event.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
      className={cn(
        "flex flex-col items-center gap-2 rounded-lg border-2 border-dashed p-6 text-center text-sm",
        over
          ? "border-blue-500 bg-blue-50 dark:border-blue-400 dark:bg-blue-950/40"
          : "border-zinc-300 dark:border-zinc-700",
      )}
    >
      <Upload aria-hidden className="size-6 text-zinc-500 dark:text-zinc-400" />
      <p className="text-zinc-600 dark:text-zinc-400">Drop files here, or</p>
      <label
        className="cursor-pointer rounded-md bg-zinc-900 px-3 py-1.5 font-medium text-white focus-within:ring-2 focus-within:ring-blue-500 hover:bg-zinc-700 dark:bg-zinc-100 dark:text-zinc-900 dark:hover:bg-zinc-300"
      >
        Choose files
        <input
        type="file"
        multiple
        accept={ACCEPT}
        aria-label="Upload documents"
        className="sr-only"
        onChange={(event) => {
          const files = Array.from(event.target.files ?? []);
          event.target.value = "";
          if (files.length > 0) onFiles(files);
        }}
        />
      </label>
      <p className="text-xs text-zinc-500 dark:text-zinc-500">PDF, Word (.docx), HTML, Markdown, text or CSV</p>
    </div>
  );
}
