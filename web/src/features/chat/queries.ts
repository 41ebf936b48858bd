/** Conversations and their messages (TanStack Query), and the writes the chat screen makes on them. */
import { useInfiniteQuery, useMutation, useQuery, useQueryClient, type QueryClient } from "@tanstack/react-query";

import { api, call } from "@/api/client";
import { queryKeys } from "@/api/queries";
import type { Conversation, ConversationDetail, ConversationPage, Message } from "@/api/types";

export type ConversationPatch = { title?: string; model?: string | null; system_prompt_id?: string | null; tools?: string[] | null };

/** The sidebar's list: pages of `GET /api/chat/conversations`, newest first (the server's page size). */
export function useConversationList() {
  return useInfiniteQuery({
    queryKey: queryKeys.conversations,
    initialPageParam: null as string | null,
    queryFn: ({ pageParam }) =>
      call(api.GET("/api/chat/conversations", { params: { query: pageParam ? { cursor: pageParam } : {} } })),
    getNextPageParam: (last: ConversationPage) => last.next_cursor ?? undefined,
  });
}

export function useConversation(id: string | undefined) {
  return useQuery({
    queryKey: queryKeys.conversation(id ?? ""),
    queryFn: () =>
      call(api.GET("/api/chat/conversations/{conversation_id}", { params: { path: { conversation_id: id ?? "" } } })),
    enabled: id !== undefined,
  });
}

/** Every message of a conversation, oldest first, following `next_cursor` to the end. */
export async function fetchAllMessages(id: string): Promise<Message[]> {
  const messages: Message[] = [];
  let cursor: string | null = null;
  do {
    const query: { cursor?: string } = cursor ? { cursor } : {};
    const page = await call(
      api.GET("/api/chat/conversations/{conversation_id}/messages", { params: { path: { conversation_id: id }, query } }),
    );
    messages.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return messages;
}

export function useMessages(id: string | undefined) {
  return useQuery({
    queryKey: queryKeys.messages(id ?? ""),
    queryFn: () => fetchAllMessages(id ?? ""),
    enabled: id !== undefined,
  });
}

export async function createConversation(body: {
  model: string | null;
  system_prompt_id: string | null;
  tools?: string[] | null;
}): Promise<Conversation> {
  return call(api.POST("/api/chat/conversations", { body }));
}

export async function patchConversation(id: string, body: ConversationPatch): Promise<Conversation> {
  return call(api.PATCH("/api/chat/conversations/{conversation_id}", { params: { path: { conversation_id: id } }, body }));
}

/** `DELETE …/messages?from_id=` (204): that message and every later one go (regenerate, edit and resend). */
export async function truncateMessages(conversationId: string, fromId: string): Promise<void> {
  await call(
    api.DELETE("/api/chat/conversations/{conversation_id}/messages", {
      params: { path: { conversation_id: conversationId }, query: { from_id: fromId } },
    }),
  );
}

/** Puts a changed conversation into the cached list and detail at once (no refetch needed to see it). */
export function storeConversation(client: QueryClient, conversation: Conversation): void {
  client.setQueryData<{ pages: ConversationPage[]; pageParams: unknown[] }>(queryKeys.conversations, (data) =>
    data
      ? {
          ...data,
          pages: data.pages.map((page) => ({
            ...page,
            items: page.items.map((item) => (item.id === conversation.id ? { ...item, ...conversation } : item)),
          })),
        }
      : data,
  );
  client.setQueryData<ConversationDetail>(queryKeys.conversation(conversation.id), (detail) =>
    detail ? { ...detail, ...conversation } : detail,
  );
}

export function useUpdateConversation() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, patch }: { id: string; patch: ConversationPatch }) => patchConversation(id, patch),
    onSuccess: (conversation) => storeConversation(client, conversation),
  });
}

export function useDeleteConversation() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      call(api.DELETE("/api/chat/conversations/{conversation_id}", { params: { path: { conversation_id: id } } })),
    onSuccess: (_data, id) => {
      client.setQueryData<{ pages: ConversationPage[]; pageParams: unknown[] }>(queryKeys.conversations, (data) =>
        data
          ? { ...data, pages: data.pages.map((page) => ({ ...page, items: page.items.filter((c) => c.id !== id) })) }
          : data,
      );
      client.removeQueries({ queryKey: queryKeys.conversation(id) });
    },
  });
}

/** Refetches the sidebar list only (not every conversation's detail, which shares the key prefix). */
export function refreshConversationList(client: QueryClient): Promise<void> {
  return client.invalidateQueries({ queryKey: queryKeys.conversations, exact: true });
}
