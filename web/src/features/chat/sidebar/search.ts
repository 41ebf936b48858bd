/** Title search over the loaded pages of the conversation list (the API has no search parameter). */
import type { Conversation } from "@/api/types";

export function matchesTitle(conversation: Conversation, query: string): boolean {
  const needle = query.trim().toLocaleLowerCase();
  return needle === "" || conversation.title.toLocaleLowerCase().includes(needle);
}

export function filterByTitle(conversations: Conversation[], query: string): Conversation[] {
  return conversations.filter((conversation) => matchesTitle(conversation, query));
}

/** Whether a search should fetch the next page: nothing matches yet and the list goes on. */
export function shouldLoadMoreForSearch(query: string, matches: number, hasNextPage: boolean, fetching: boolean): boolean {
  return query.trim() !== "" && matches === 0 && hasNextPage && !fetching;
}
