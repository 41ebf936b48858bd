/**
 * Phase 2 of a streamed reply (README `## Chat`): the browser's own EventSource on the one-use stream URL.
 * Events are applied to a mutable draft as they arrive; React state gets a copy once per animation frame, so a
 * fast model (thousands of tokens a second) costs one render per frame, not one per token. Those per-frame renders
 * are transitions: React renders them in slices of ~5 ms, yielding to the browser between components (each
 * markdown block is one), so a frame that brings several new blocks (code highlighting, tables) or runs while the
 * markdown parser is still cold does not become one long task. A newer frame's transition does not interrupt the
 * one being rendered (same priority): it is rendered right after, so the text never stalls. Start, stop and the
 * end stay urgent.
 */
import { startTransition, useCallback, useEffect, useRef, useState } from "react";

import type { Source } from "@/api/types";
import { recordReply } from "@/lib/replyStats";

import { frameScheduler, type FrameScheduler } from "./frames";
import { STREAM_EVENTS, applyEvent, end, newReply, replyTimings } from "./replyEvents";

export interface LiveToolCall {
  id: string;
  name: string;
  server: string;
  arguments: unknown;
  ok: boolean | null;
  content: string | null;
  durationMs: number | null;
}
export interface ReplyUsage {
  input_tokens: number;
  output_tokens: number;
  total_tokens: number;
  estimated: boolean;
}
export interface RawEvent {
  id: string | null;
  event: string;
  data: unknown;
  at: number;
}
export type LiveStatus = "connecting" | "streaming" | "done" | "stopped" | "error";
export interface LiveReply {
  conversationId: string;
  messageId: string | null;
  model: string;
  /** Answer text, with UI tags (`ui` events) re-inserted as <tag attrs>content</tag>. */
  content: string;
  thinking: string;
  thinkingStartedAt: number | null;
  thinkingMs: number | null;
  toolCalls: LiveToolCall[];
  sources: Source[];
  usage: ReplyUsage | null;
  status: LiveStatus;
  error: { code: string; message: string } | null;
  stopReason: string | null;
  rawEvents: RawEvent[];
  /** Date.now() when the message was sent (phase 1); every other time here is Date.now() too. */
  sentAt: number;
  firstTokenAt: number | null;
  doneAt: number | null;
}

export const STREAM_UNAVAILABLE = "The reply stream could not be opened: its link expired or was already used, or the server is unreachable.";
export const STREAM_LOST = "The connection to the reply stream was lost.";

function parse(data: unknown): unknown {
  if (typeof data !== "string") return data;
  try {
    return JSON.parse(data) as unknown;
  } catch {
    return data;
  }
}

function snapshot(draft: LiveReply): LiveReply {
  return { ...draft, rawEvents: draft.rawEvents.slice() };
}

export function useReplyStream(options: { onFinished: (reply: LiveReply) => void }): {
  reply: LiveReply | null;
  start(args: { streamUrl: string; conversationId: string; model: string; sentAt: number }): void;
  stop(): void;
  clear(): void;
} {
  const [reply, setReply] = useState<LiveReply | null>(null);
  const source = useRef<EventSource | null>(null);
  const draft = useRef<LiveReply | null>(null);
  const frames = useRef<FrameScheduler | null>(null);
  const onFinished = useRef(options.onFinished);
  useEffect(() => {
    onFinished.current = options.onFinished;
  });

  const flush = useCallback(() => {
    frames.current?.cancel();
    if (draft.current) setReply(snapshot(draft.current));
  }, []);
  const flushFrame = useCallback(() => {
    if (!draft.current) return;
    const next = snapshot(draft.current);
    startTransition(() => setReply(next));
  }, []);
  frames.current ??= frameScheduler(flushFrame);

  const close = useCallback(() => {
    source.current?.close();
    source.current = null;
  }, []);

  const finish = useCallback(() => {
    close();
    const current = draft.current;
    if (!current) return;
    flush();
    const timings = replyTimings(current);
    recordReply({
      conversationId: current.conversationId,
      messageId: current.messageId,
      model: current.model,
      startedAt: current.sentAt,
      timeToFirstTokenMs: timings.timeToFirstTokenMs,
      totalMs: timings.totalMs,
      outputTokens: current.usage?.output_tokens ?? null,
      tokensPerSecond: timings.tokensPerSecond,
      stopReason: current.stopReason,
    });
    onFinished.current(snapshot(current));
  }, [close, flush]);

  const start = useCallback(
    (args: { streamUrl: string; conversationId: string; model: string; sentAt: number }) => {
      close();
      frames.current?.cancel();
      const reply = newReply(args);
      draft.current = reply;
      setReply(snapshot(reply));
      const events = new EventSource(args.streamUrl);
      source.current = events;

      const onEvent = (name: string) => (event: MessageEvent) => {
        if (source.current !== events || draft.current !== reply) return;
        const at = Date.now();
        const data = parse(event.data);
        reply.rawEvents.push({ id: event.lastEventId || null, event: name, data, at });
        if (applyEvent(reply, name, data, at)) finish();
        else frames.current?.request();
      };
      for (const name of STREAM_EVENTS) {
        if (name !== "error") events.addEventListener(name, onEvent(name) as EventListener);
      }
      const onServerError = onEvent("error");
      // `error` is both the server's named event (a MessageEvent with data) and the browser's own failure
      // (network, or the server's 404/410 answer). Either way the source is closed: never let EventSource
      // reconnect, the token is good once.
      events.addEventListener("error", (event: Event) => {
        if (event instanceof MessageEvent && typeof event.data === "string") {
          onServerError(event);
          return;
        }
        if (source.current !== events || draft.current !== reply) return;
        const at = Date.now();
        reply.rawEvents.push({ id: null, event: "connection_error", data: null, at });
        const opened = reply.rawEvents.length > 1;
        reply.error = {
          code: opened ? "stream_interrupted" : "stream_unavailable",
          message: opened ? STREAM_LOST : STREAM_UNAVAILABLE,
        };
        reply.stopReason ??= "error";
        end(reply, "error", at);
        finish();
      });
    },
    [close, finish],
  );

  const stop = useCallback(() => {
    const current = draft.current;
    if (!source.current || !current || (current.status !== "connecting" && current.status !== "streaming")) return;
    close(); // the server sees the client go and stores the partial reply (incomplete, client_disconnected)
    current.stopReason = "client_disconnected";
    end(current, "stopped", Date.now());
    finish();
  }, [close, finish]);

  const clear = useCallback(() => {
    close();
    frames.current?.cancel();
    draft.current = null;
    setReply(null);
  }, [close]);

  useEffect(
    () => () => {
      source.current?.close();
      source.current = null;
      frames.current?.cancel();
    },
    [],
  );

  return { reply, start, stop, clear };
}
