/** One shape for an assistant reply, stored (MessageOut) or live (LiveReply), so both render the same way. */
import type { Message, Model, Source } from "@/api/types";

import type { LiveReply, RawEvent } from "../stream/useReplyStream";
import { replyTimings } from "../stream/replyEvents";

export interface ToolCallView {
  id: string;
  name: string;
  server: string | null;
  arguments: unknown;
  ok: boolean | null; // null: still running
  content: string | null;
  durationMs: number | null;
}

export type ReplyState = "streaming" | "complete" | "stopped" | "incomplete" | "error";

export interface ReplyView {
  key: string;
  messageId: string | null;
  model: string | null;
  content: string;
  thinking: string;
  thinkingMs: number | null;
  /** The model is thinking right now (live, no answer yet). */
  thinkingNow: boolean;
  toolCalls: ToolCallView[];
  sources: Source[];
  usage: { input: number; output: number; estimated: boolean } | null;
  timeToFirstTokenMs: number | null;
  totalMs: number | null;
  tokensPerSecond: number | null;
  state: ReplyState;
  error: { code: string; message: string } | null;
  stopReason: string | null;
  rawEvents: RawEvent[] | null;
}

/** What a stored error code means, for replies whose message was not kept (only the code is stored). */
const ERROR_TEXT: Record<string, string> = {
  provider_error: "The model's provider returned an error.",
  provider_unavailable: "The model's provider is unavailable.",
  provider_unreachable: "The model's provider could not be reached.",
  provider_timeout: "The model took too long to answer.",
  provider_bad_response: "The model's provider sent an answer that could not be read.",
  provider_auth_error: "The model's provider refused the configured credentials.",
  rate_limited: "The provider is rate limiting requests.",
  context_too_long: "The conversation is too long for this model.",
  internal_error: "The reply failed on the server.",
};

export function errorText(code: string): string {
  return ERROR_TEXT[code] ?? `The reply failed (${code}).`;
}

function storedThinkingMs(message: Message): number | null {
  const value = (message as Message & { thinking_ms?: unknown }).thinking_ms;
  return typeof value === "number" ? value : null;
}

export function storedView(message: Message): ReplyView {
  const stopped = message.status === "incomplete" && message.stop_reason === "client_disconnected";
  const state: ReplyState =
    message.status === "error" ? "error" : stopped ? "stopped" : message.status === "incomplete" ? "incomplete" : "complete";
  const ttft = message.time_to_first_token_ms;
  const total = message.latency_ms;
  const streamingMs = ttft !== null && total !== null ? total - ttft : null;
  const hasUsage = message.input_tokens > 0 || message.output_tokens > 0;
  return {
    key: message.id,
    messageId: message.id,
    model: message.model,
    content: message.content,
    thinking: message.thinking ?? "",
    thinkingMs: storedThinkingMs(message),
    thinkingNow: false,
    toolCalls: (message.tool_calls ?? []).map((call) => ({
      id: call.id,
      name: call.name,
      server: call.server,
      arguments: call.arguments,
      ok: call.ok,
      content: call.content,
      durationMs: call.duration_ms,
    })),
    sources: message.sources ?? [],
    usage: hasUsage ? { input: message.input_tokens, output: message.output_tokens, estimated: message.usage_estimated } : null,
    timeToFirstTokenMs: ttft,
    totalMs: total,
    tokensPerSecond:
      streamingMs !== null && streamingMs > 0 && message.output_tokens > 0 ? message.output_tokens / (streamingMs / 1000) : null,
    state,
    error: message.error_code && !stopped ? { code: message.error_code, message: errorText(message.error_code) } : null,
    stopReason: message.stop_reason,
    rawEvents: null,
  };
}

export function liveView(reply: LiveReply): ReplyView {
  const running = reply.status === "connecting" || reply.status === "streaming";
  const timings = replyTimings(reply);
  const state: ReplyState =
    reply.status === "connecting" || reply.status === "streaming" ? "streaming" : reply.status === "done" ? "complete" : reply.status;
  return {
    key: `live-${reply.sentAt}`,
    messageId: reply.messageId,
    model: reply.model,
    content: reply.content,
    thinking: reply.thinking,
    thinkingMs: reply.thinkingMs,
    thinkingNow: running && reply.thinkingStartedAt !== null && reply.thinkingMs === null,
    toolCalls: reply.toolCalls,
    sources: reply.sources,
    usage: reply.usage
      ? { input: reply.usage.input_tokens, output: reply.usage.output_tokens, estimated: reply.usage.estimated }
      : null,
    timeToFirstTokenMs: timings.timeToFirstTokenMs,
    totalMs: running ? null : timings.totalMs,
    tokensPerSecond: running ? null : timings.tokensPerSecond,
    state,
    error: reply.error,
    stopReason: reply.stopReason,
    rawEvents: reply.rawEvents,
  };
}

export function findModel(models: readonly Model[], id: string | null): Model | undefined {
  if (!id) return undefined;
  return models.find((model) => model.id === id || `${model.provider}/${model.id}` === id);
}

/** Cost in dollars from the model's prices per million tokens; null when either price is unknown. */
export function replyCost(model: Model | undefined, usage: ReplyView["usage"]): number | null {
  if (!model || !usage || model.input_price_per_mtok === null || model.output_price_per_mtok === null) return null;
  return (usage.input * model.input_price_per_mtok + usage.output * model.output_price_per_mtok) / 1_000_000;
}

export function formatCost(dollars: number): string {
  if (dollars === 0) return "$0";
  if (dollars < 0.01) return `$${dollars.toPrecision(2)}`;
  return `$${dollars.toFixed(dollars < 1 ? 3 : 2)}`;
}

export function formatSeconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : formatSeconds(ms);
}
