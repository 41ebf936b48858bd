import { createStore } from "./store";

/** Timings of the replies streamed in this page, newest first: the dashboard's speed table. */
export interface ReplyStats {
  conversationId: string;
  messageId: string | null;
  model: string;
  startedAt: number;
  /** From sending to the first content (text or thinking) event. */
  timeToFirstTokenMs: number | null;
  totalMs: number;
  outputTokens: number | null;
  tokensPerSecond: number | null;
  stopReason: string | null;
}

export const RECENT_REPLIES = 20;
export const replyStats = createStore<ReplyStats[]>([]);

export function recordReply(stats: ReplyStats): void {
  replyStats.set((entries) => [stats, ...entries].slice(0, RECENT_REPLIES));
}
