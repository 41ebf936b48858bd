/** The documents API (TanStack Query): the caller's documents, page by page, polled while any is not settled. */
import { useInfiniteQuery, useMutation, useQueryClient, type InfiniteData } from "@tanstack/react-query";

import { api, call } from "@/api/client";
import { queryKeys } from "@/api/queries";
import type { DocumentOut } from "@/api/types";

type DocumentPage = { items: DocumentOut[]; next_cursor: string | null };

/** How often the list is read again while a document is uploading or processing. */
export const DOCUMENT_POLL_MS = 1500;

export function isSettled(document: DocumentOut): boolean {
  return document.status === "ready" || document.status === "failed";
}

function fetchPage(cursor: string | null): Promise<DocumentPage> {
  return call(api.GET("/api/documents", { params: { query: cursor ? { cursor } : {} } }));
}

/** The caller's documents, newest first, in the API's pages ("Load more" = `fetchNextPage`); read again every
 * `DOCUMENT_POLL_MS` while one of them is still uploading or processing. `documents` is every loaded page. */
export function useDocuments() {
  const query = useInfiniteQuery({
    queryKey: queryKeys.documents,
    queryFn: ({ pageParam }) => fetchPage(pageParam),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
    refetchInterval: (q) => {
      const pages = (q.state.data as InfiniteData<DocumentPage> | undefined)?.pages ?? [];
      return pages.some((page) => page.items.some((doc) => !isSettled(doc))) ? DOCUMENT_POLL_MS : false;
    },
  });
  const documents = query.data?.pages.flatMap((page) => page.items) ?? [];
  return { ...query, documents };
}

export function useDeleteDocument() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      call(api.DELETE("/api/documents/{document_id}", { params: { path: { document_id: id } } })),
    onSuccess: (_data, id) => {
      client.setQueryData<InfiniteData<DocumentPage>>(queryKeys.documents, (data) =>
        data
          ? { ...data, pages: data.pages.map((page) => ({ ...page, items: page.items.filter((d) => d.id !== id) })) }
          : data,
      );
      void client.invalidateQueries({ queryKey: queryKeys.documents });
    },
  });
}

export function useReindexDocument() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      call(api.POST("/api/documents/{document_id}/reindex", { params: { path: { document_id: id } } })),
    onSuccess: () => void client.invalidateQueries({ queryKey: queryKeys.documents }),
  });
}
