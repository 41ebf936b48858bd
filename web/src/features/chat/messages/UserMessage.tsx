/** A user message, with an inline editor: "Save and send" replaces it and every later message. */
import { Pencil, User } from "lucide-react";
import { useId, useState } from "react";

import type { Message } from "@/api/types";

import { actionClass } from "./AssistantMessage";

export function UserMessage(props: {
  message: Message;
  busy: boolean;
  onEditAndResend: (messageId: string, content: string) => void;
}) {
  const [draft, setDraft] = useState<string | null>(null);
  const editorId = useId();
  const save = () => {
    const content = draft?.trim();
    if (!content) return;
    setDraft(null);
    props.onEditAndResend(props.message.id, content);
  };
  return (
    <article data-testid="user-message" data-message={props.message.id} className="group flex flex-row-reverse gap-3">
      <div aria-hidden className="mt-1 flex size-7 shrink-0 items-center justify-center rounded-full bg-blue-100 dark:bg-blue-950">
        <User className="size-4 text-blue-700 dark:text-blue-300" />
      </div>
      <div className="flex max-w-[85%] min-w-0 flex-col items-end gap-1">
        {draft === null ? (
          <>
            <div className="rounded-2xl bg-zinc-100 px-4 py-2 break-words whitespace-pre-wrap dark:bg-zinc-800">
              {props.message.content}
            </div>
            {!props.busy ? (
              <button type="button" onClick={() => setDraft(props.message.content)} className={actionClass}>
                <Pencil aria-hidden className="size-3.5" /> Edit
              </button>
            ) : null}
          </>
        ) : (
          <form
            className="w-full min-w-72 space-y-2"
            onSubmit={(event) => {
              event.preventDefault();
              save();
            }}
          >
            <label htmlFor={editorId} className="sr-only">
              Edit message
            </label>
            <textarea
              id={editorId}
              autoFocus
              value={draft}
              rows={Math.min(12, Math.max(3, draft.split("\n").length))}
              onChange={(event) => setDraft(event.target.value)}
              onKeyDown={(event) => {
                if (event.key === "Escape") setDraft(null);
                if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
                  event.preventDefault();
                  save();
                }
              }}
              className="w-full rounded-lg border border-zinc-300 bg-white p-2 text-sm focus:outline-2 focus:outline-blue-500 dark:border-zinc-700 dark:bg-zinc-900"
            />
            <div className="flex justify-end gap-2">
              <button type="button" onClick={() => setDraft(null)} className="rounded px-3 py-1 text-sm hover:bg-zinc-100 dark:hover:bg-zinc-800">
                Cancel
              </button>
              <button
                type="submit"
                disabled={!draft.trim() || props.busy}
                className="rounded bg-blue-600 px-3 py-1 text-sm text-white hover:bg-blue-700 disabled:opacity-50"
              >
                Save and send
              </button>
            </div>
          </form>
        )}
      </div>
    </article>
  );
}
