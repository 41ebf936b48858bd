/** The documents a conversation answers from. The API has no field for them (a message names its documents in
 * `rag.document_ids`), so the choice is kept in this browser's localStorage, one key per conversation. */
const PREFIX = "pgpt.chat.documents.";

export function documentsKey(conversationId: string): string {
  return `${PREFIX}${conversationId}`;
}

export function loadDocumentChoice(conversationId: string): string[] {
  try {
    const raw = localStorage.getItem(documentsKey(conversationId));
    const parsed: unknown = raw ? JSON.parse(raw) : [];
    return Array.isArray(parsed) ? parsed.filter((id): id is string => typeof id === "string") : [];
  } catch {
    return [];
  }
}

export function saveDocumentChoice(conversationId: string, ids: string[]): void {
  try {
    if (ids.length === 0) localStorage.removeItem(documentsKey(conversationId));
    else localStorage.setItem(documentsKey(conversationId), JSON.stringify(ids));
  } catch {
    // storage full or blocked: the choice lasts for this page only
  }
}
