import { cn } from "@/lib/cn";

const STYLES: Record<string, string> = {
  uploading: "bg-blue-100 text-blue-800 dark:bg-blue-950 dark:text-blue-300",
  processing: "bg-amber-100 text-amber-800 dark:bg-amber-950 dark:text-amber-300",
  ready: "bg-green-100 text-green-800 dark:bg-green-950 dark:text-green-300",
  failed: "bg-red-100 text-red-800 dark:bg-red-950 dark:text-red-300",
};

/** The document's status as text ("uploading", "processing", "ready", "failed"), colored. */
export function StatusBadge({ status }: { status: string }) {
  return (
    <span
      data-testid="document-status"
      className={cn(
        "inline-block rounded-full px-2 py-0.5 text-xs font-medium",
        STYLES[status] ?? "bg-zinc-100 text-zinc-700 dark:bg-zinc-800 dark:text-zinc-300",
      )}
    >
      {status}
    </span>
  );
}

export function ProgressBar({ value, label }: { value: number; label: string }) {
  const percent = Math.max(0, Math.min(100, Math.round(value)));
  return (
    <div
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={percent}
      className="h-1.5 w-full overflow-hidden rounded-full bg-zinc-200 dark:bg-zinc-800"
    >
      <div className="h-full bg-blue-600 transition-[width] dark:bg-blue-400" style={{ width: `${percent}%` }} />
    </div>
  );
}
