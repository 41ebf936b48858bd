/** Applying the stream's SSE events to a reply draft: pure, no React, so each event type is easy to test. */
import type { Source } from "@/api/types";

import type { LiveReply, LiveToolCall, ReplyUsage } from "./useReplyStream";

/** Every named event the streaming app sends (README `## Chat`). */
export const STREAM_EVENTS = [
  "start",
  "sources",
  "thinking",
  "content",
  "ui",
  "tool_call",
  "tool_result",
  "usage",
  "error",
  "done",
] as const;

export function newReply(args: { conversationId: string; model: string; sentAt: number }): LiveReply {
  return {
    conversationId: args.conversationId,
    messageId: null,
    model: args.model,
    content: "",
    thinking: "",
    thinkingStartedAt: null,
    thinkingMs: null,
    toolCalls: [],
    sources: [],
    usage: null,
    status: "connecting",
    error: null,
    stopReason: null,
    rawEvents: [],
    sentAt: args.sentAt,
    firstTokenAt: null,
    doneAt: null,
  };
}

type Data = Record<string, unknown>;

function record(value: unknown): Data {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Data) : {};
}

function text(value: unknown): string {
  return typeof value === "string" ? value : "";
}

function numberOrNull(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

function usageOf(value: unknown): ReplyUsage | null {
  const data = record(value);
  const input = numberOrNull(data.input_tokens);
  const output = numberOrNull(data.output_tokens);
  if (input === null || output === null) return null;
  return {
    input_tokens: input,
    output_tokens: output,
    total_tokens: numberOrNull(data.total_tokens) ?? input + output,
    estimated: data.estimated === true,
  };
}

/** A `ui` event back into the tag the model wrote, so live and stored content render the same way. */
export function uiTagText(data: unknown): string {
  const { tag, attrs, content } = record(data);
  const name = text(tag);
  if (!/^[A-Za-z][\w-]*$/.test(name)) return text(content);
  const attributes = Object.entries(record(attrs))
    .filter(([key]) => /^[A-Za-z_][\w:.-]*$/.test(key))
    .map(([key, value]) => ` ${key}="${String(value).replaceAll('"', "")}"`)
    .join("");
  return `<${name}${attributes}>${text(content)}</${name}>`;
}

function answerStarts(draft: LiveReply, at: number): void {
  draft.firstTokenAt ??= at;
  if (draft.thinkingStartedAt !== null && draft.thinkingMs === null) draft.thinkingMs = at - draft.thinkingStartedAt;
}

/**
 * Apply one event to the draft (mutated in place: the hook copies it once per frame).
 * Returns true when the event ends the reply (`error`, `done`).
 */
export function applyEvent(draft: LiveReply, event: string, rawData: unknown, at: number): boolean {
  const data = record(rawData);
  if (draft.status === "connecting") draft.status = "streaming";
  switch (event) {
    case "start":
      draft.messageId = text(data.message_id) || draft.messageId;
      draft.conversationId = text(data.conversation_id) || draft.conversationId;
      draft.model = text(data.model) || draft.model;
      return false;
    case "sources":
      draft.sources = Array.isArray(data.sources) ? (data.sources as Source[]) : [];
      return false;
    case "thinking":
      draft.firstTokenAt ??= at;
      draft.thinkingStartedAt ??= at;
      draft.thinking += text(data.delta);
      return false;
    case "content":
      answerStarts(draft, at);
      draft.content += text(data.delta);
      return false;
    case "ui":
      answerStarts(draft, at);
      draft.content += uiTagText(data);
      return false;
    case "tool_call": {
      const call: LiveToolCall = {
        id: text(data.id),
        name: text(data.name),
        server: text(data.server),
        arguments: data.arguments ?? {},
        ok: null,
        content: null,
        durationMs: null,
      };
      draft.toolCalls = [...draft.toolCalls, call];
      return false;
    }
    case "tool_result":
      draft.toolCalls = draft.toolCalls.map((call) =>
        call.id === text(data.id)
          ? { ...call, ok: data.ok === true, content: text(data.content), durationMs: numberOrNull(data.duration_ms) }
          : call,
      );
      return false;
    case "usage":
      draft.usage = usageOf(data) ?? draft.usage;
      return false;
    case "error":
      draft.error = { code: text(data.code) || "stream_error", message: text(data.message) || "The reply failed." };
      draft.stopReason ??= "error";
      end(draft, "error", at);
      return true;
    case "done":
      draft.messageId = text(data.message_id) || draft.messageId;
      draft.usage = usageOf(data.usage) ?? draft.usage;
      draft.stopReason = text(data.stop_reason) || draft.stopReason;
      end(draft, draft.error ? "error" : "done", at);
      return true;
    default:
      return false;
  }
}

/** Close the draft: a final status, the end time, and the thinking's duration if the answer never started. */
export function end(draft: LiveReply, status: "done" | "stopped" | "error", at: number): void {
  draft.status = status;
  draft.doneAt = at;
  if (draft.thinkingStartedAt !== null && draft.thinkingMs === null) draft.thinkingMs = at - draft.thinkingStartedAt;
}

/** The timings recorded for the dashboard (src/lib/replyStats.ts). */
export function replyTimings(reply: LiveReply): {
  timeToFirstTokenMs: number | null;
  totalMs: number;
  tokensPerSecond: number | null;
} {
  const doneAt = reply.doneAt ?? reply.sentAt;
  const timeToFirstTokenMs = reply.firstTokenAt === null ? null : reply.firstTokenAt - reply.sentAt;
  const streamingMs = reply.firstTokenAt === null ? 0 : doneAt - reply.firstTokenAt;
  const output = reply.usage?.output_tokens ?? null;
  const tokensPerSecond = output !== null && output > 0 && streamingMs > 0 ? output / (streamingMs / 1000) : null;
  return { timeToFirstTokenMs, totalMs: doneAt - reply.sentAt, tokensPerSecond };
}
