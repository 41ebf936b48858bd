/** The reply's raw SSE events, for the developer dashboard's "raw events" toggle (listed only while open). */
import { useState } from "react";

import type { RawEvent } from "../stream/useReplyStream";

export function RawEventsPanel({ events }: { events: RawEvent[] }) {
  const [open, setOpen] = useState(false);
  return (
    <details data-testid="raw-events" className="text-xs" onToggle={(event) => setOpen(event.currentTarget.open)}>
      <summary className="cursor-pointer text-zinc-500">Raw events ({events.length})</summary>
      {open ? (
        <pre className="mt-1 max-h-80 overflow-auto rounded bg-zinc-100 p-2 font-mono dark:bg-zinc-900">
          {events.map((e) => `${e.id ?? "-"}  ${e.event}  ${JSON.stringify(e.data)}`).join("\n")}
        </pre>
      ) : null}
    </details>
  );
}
