/** The sources a reply was given, numbered as the answer cites them: `[n]` links jump to the item with
 * `data-source="<n>"` in the same message (ids stay unique on a page with several replies). */
import { FileText } from "lucide-react";
import { useId } from "react";

import type { Source } from "@/api/types";

export function SourceList({ sources }: { sources: Source[] }) {
  const heading = useId();
  if (sources.length === 0) return null;
  return (
    <section aria-labelledby={heading} className="mt-3 border-t border-zinc-200 pt-2 text-sm dark:border-zinc-800">
      <h3 id={heading} className="text-xs font-semibold tracking-wide text-zinc-500 uppercase">
        Sources
      </h3>
      <ol className="mt-1 space-y-1.5">
        {[...sources]
          .sort((a, b) => a.n - b.n)
          .map((source) => (
            <li
              key={source.n}
              id={`${heading}-source-${source.n}`}
              data-source={source.n}
              tabIndex={-1}
              className="rounded px-1 focus:bg-yellow-50 focus:outline-none dark:focus:bg-yellow-950/40"
            >
              <div className="flex items-baseline gap-1.5">
                <span className="font-semibold text-zinc-500">[{source.n}]</span>
                <FileText aria-hidden className="size-3.5 shrink-0 self-center text-zinc-400" />
                <span className="font-medium">{source.filename}</span>
                {source.page !== null ? <span className="text-zinc-500">p. {source.page}</span> : null}
                {source.document_deleted ? <span className="text-xs text-zinc-500">(deleted)</span> : null}
              </div>
              {source.snippet ? (
                <p className="line-clamp-2 pl-6 text-xs text-zinc-600 dark:text-zinc-400">{source.snippet}</p>
              ) : null}
            </li>
          ))}
      </ol>
    </section>
  );
}
