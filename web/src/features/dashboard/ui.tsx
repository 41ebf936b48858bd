/** Small building blocks of the dashboard's sections. */
import { useId, type ReactNode } from "react";

import { cn } from "@/lib/cn";

export function Section({ title, actions, children }: { title: string; actions?: ReactNode; children: ReactNode }) {
  const id = useId();
  return (
    <section aria-labelledby={id} className="rounded-lg border border-zinc-200 p-4 dark:border-zinc-800">
      <div className="mb-3 flex flex-wrap items-center gap-2">
        <h2 id={id} className="mr-auto text-lg font-semibold">
          {title}
        </h2>
        {actions}
      </div>
      {children}
    </section>
  );
}

const DOT: Record<string, string> = {
  ok: "bg-green-500",
  degraded: "bg-amber-500",
  down: "bg-red-500",
};

/** A status as a colored dot and its word (the word carries the meaning; the color only helps). */
export function Status({ status }: { status: string }) {
  return (
    <span className="inline-flex items-center gap-1.5" data-testid="status">
      <span aria-hidden className={cn("inline-block size-2.5 rounded-full", DOT[status] ?? "bg-zinc-400")} />
      <span>{status}</span>
    </span>
  );
}

export function ms(value: number | null | undefined): string {
  return value === null || value === undefined ? "—" : `${Math.round(value)} ms`;
}

export function Json({ value }: { value: unknown }) {
  const text = typeof value === "string" ? value : JSON.stringify(value, null, 2);
  return (
    <pre className="max-h-80 overflow-auto rounded-md bg-zinc-50 p-2 text-xs dark:bg-zinc-900">
      <code>{text ?? "null"}</code>
    </pre>
  );
}

export const BUTTON =
  "inline-flex items-center gap-1.5 rounded-md border border-zinc-300 px-3 py-1.5 text-sm hover:bg-zinc-100 disabled:opacity-60 dark:border-zinc-700 dark:hover:bg-zinc-800";
export const TH = "px-2 py-1.5 text-left font-medium";
export const TD = "px-2 py-1.5 align-top";
export const TABLE = "w-full text-sm";
export const THEAD = "bg-zinc-50 text-zinc-700 dark:bg-zinc-900 dark:text-zinc-300";
export const TBODY = "divide-y divide-zinc-200 dark:divide-zinc-800";
