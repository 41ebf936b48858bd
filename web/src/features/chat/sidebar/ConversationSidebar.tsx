/** The conversation list: newest first, paged (a "Load more" button and loading on scroll), searched by title,
 * with rename, delete and export per conversation. */
import { Loader2, Plus, Search } from "lucide-react";
import { useEffect, useMemo, useRef, useState, type RefObject } from "react";
import { useNavigate } from "react-router";

import { errorMessage } from "@/api/errors";
import type { Conversation } from "@/api/types";

import { downloadBlob, exportContent, exportFileName } from "../export/exportConversation";
import { fetchAllMessages, useConversationList, useDeleteConversation, useUpdateConversation } from "../queries";
import { DeleteDialog, RenameDialog } from "./ConversationDialogs";
import { ConversationItem, type ConversationAction } from "./ConversationItem";
import { filterByTitle, shouldLoadMoreForSearch } from "./search";

export function ConversationSidebar(props: {
  activeId: string | undefined;
  searchRef: RefObject<HTMLInputElement | null>;
  onNewChat: () => void;
  onNavigate: () => void;
}) {
  const list = useConversationList();
  const update = useUpdateConversation();
  const remove = useDeleteConversation();
  const navigate = useNavigate();
  const [query, setQuery] = useState("");
  const [renaming, setRenaming] = useState<Conversation | null>(null);
  const [deleting, setDeleting] = useState<Conversation | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const sentinel = useRef<HTMLDivElement>(null);

  const all = useMemo(() => list.data?.pages.flatMap((page) => page.items) ?? [], [list.data]);
  const shown = useMemo(() => filterByTitle(all, query), [all, query]);
  const searching = query.trim() !== "";
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = list;

  // A search sees only loaded pages: keep loading until something matches or the list ends.
  useEffect(() => {
    if (shouldLoadMoreForSearch(query, shown.length, hasNextPage, isFetchingNextPage)) void fetchNextPage();
  }, [query, shown.length, hasNextPage, isFetchingNextPage, fetchNextPage]);

  // Load on scroll: the next page when the end of the list comes into view.
  useEffect(() => {
    const node = sentinel.current;
    if (!node || typeof IntersectionObserver === "undefined") return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting) && hasNextPage && !isFetchingNextPage) void fetchNextPage();
    });
    observer.observe(node);
    return () => observer.disconnect();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage]);

  async function act(conversation: Conversation, action: ConversationAction) {
    if (action.kind === "rename") setRenaming(conversation);
    else if (action.kind === "delete") setDeleting(conversation);
    else {
      setNotice(`Exporting “${conversation.title}”…`);
      try {
        const messages = await fetchAllMessages(conversation.id);
        downloadBlob(exportContent(action.format, conversation, messages), exportFileName(conversation.title, action.format));
        setNotice(null);
      } catch (e) {
        setNotice(`Export failed: ${errorMessage(e)}`);
      }
    }
  }

  return (
    <nav aria-label="Conversations" className="flex h-full min-h-0 flex-col gap-2 p-2">
      <button
        type="button"
        onClick={props.onNewChat}
        className="inline-flex items-center justify-center gap-1.5 rounded-md bg-blue-600 px-3 py-2 text-sm font-medium text-white hover:bg-blue-700 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600"
      >
        <Plus aria-hidden className="size-4" /> New chat
      </button>
      <div className="relative">
        <Search aria-hidden className="pointer-events-none absolute left-2 top-1/2 size-4 -translate-y-1/2 text-zinc-400" />
        <input
          ref={props.searchRef}
          type="text"
          aria-label="Search conversations"
          aria-describedby="conversation-search-hint"
          placeholder="Search (Ctrl+K)"
          value={query}
          onChange={(event) => setQuery(event.target.value)}
          onKeyDown={(event) => event.key === "Escape" && setQuery("")}
          className="w-full rounded-md border border-zinc-300 bg-white py-1.5 pl-8 pr-2 text-sm dark:border-zinc-700 dark:bg-zinc-950"
        />
      </div>
      <p id="conversation-search-hint" className="px-1 text-xs text-zinc-500 dark:text-zinc-400" aria-live="polite">
        {searchHint(searching, query, shown.length, hasNextPage, isFetchingNextPage)}
      </p>
      {notice && (
        <p role="status" className="px-1 text-xs text-zinc-600 dark:text-zinc-300">
          {notice}
        </p>
      )}
      <div className="min-h-0 flex-1 overflow-y-auto">
        {list.isPending && <p className="px-2 py-1 text-sm text-zinc-600 dark:text-zinc-400">Loading conversations…</p>}
        {list.isError && (
          <div role="alert" className="px-2 py-1 text-sm text-red-600 dark:text-red-400">
            {errorMessage(list.error)}{" "}
            <button type="button" className="underline" onClick={() => void list.refetch()}>
              Retry
            </button>
          </div>
        )}
        {list.isSuccess && all.length === 0 && <p className="px-2 py-1 text-sm text-zinc-600 dark:text-zinc-400">No conversations yet.</p>}
        <ul className="flex flex-col gap-0.5">
          {shown.map((conversation) => (
            <ConversationItem
              key={conversation.id}
              conversation={conversation}
              active={conversation.id === props.activeId}
              onNavigate={props.onNavigate}
              onAction={(action) => void act(conversation, action)}
            />
          ))}
        </ul>
        <div ref={sentinel} className="h-px" />
        {hasNextPage && (
          <button
            type="button"
            onClick={() => void fetchNextPage()}
            disabled={isFetchingNextPage}
            className="mt-1 inline-flex w-full items-center justify-center gap-1.5 rounded-md px-2 py-1.5 text-sm text-zinc-600 hover:bg-zinc-100 disabled:opacity-60 dark:text-zinc-300 dark:hover:bg-zinc-800"
          >
            {isFetchingNextPage && <Loader2 aria-hidden className="size-4 animate-spin" />}
            {isFetchingNextPage ? "Loading…" : "Load more"}
          </button>
        )}
      </div>
      <RenameDialog
        conversation={renaming}
        onClose={() => setRenaming(null)}
        onRename={(title) => update.mutateAsync({ id: renaming?.id ?? "", patch: { title } })}
      />
      <DeleteDialog
        conversation={deleting}
        onClose={() => setDeleting(null)}
        onDelete={async () => {
          const id = deleting?.id ?? "";
          await remove.mutateAsync(id);
          if (id === props.activeId) void navigate("/");
        }}
      />
    </nav>
  );
}

function searchHint(searching: boolean, query: string, matches: number, more: boolean, fetching: boolean): string {
  if (!searching) return "";
  if (matches === 0 && (more || fetching)) return `Searching titles; loading older conversations…`;
  if (matches === 0) return `No conversation title contains “${query.trim()}”.`;
  const of = more ? " among the loaded conversations (load more to search older ones)" : "";
  return `${matches} ${matches === 1 ? "title matches" : "titles match"}${of}.`;
}
