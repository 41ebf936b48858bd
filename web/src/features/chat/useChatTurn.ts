/**
 * A chat turn: (a new chat: create the conversation) → (regenerate/edit: truncate) → phase 1 `prepare-stream`
 * → phase 2 the stream (`useReplyStream`). The user's message shows at once; when the reply ends the stored
 * messages are refetched and replace the live ones in the same render (no flicker).
 */
import { useQueryClient } from "@tanstack/react-query";
import { useCallback, useRef, useState } from "react";

import { api, call } from "@/api/client";
import { ApiError } from "@/api/errors";
import { queryKeys } from "@/api/queries";
import type { Message, SendMessage } from "@/api/types";

import { createConversation, refreshConversationList, truncateMessages } from "./queries";
import { useReplyStream, type LiveReply } from "./stream/useReplyStream";

export interface TurnRequest {
  content: string;
  model: string;
  systemPromptId: string | null;
  documentIds: string[];
  thinking: boolean;
  /** Regenerate / edit and resend: delete this user message and every later one first. */
  truncateFrom?: string;
}

export interface NewChatSettings {
  tools: string[] | null;
}

export interface TurnError {
  /** The conversation the turn was for (null: a new chat that could not be created). */
  conversationId: string | null;
  request: TurnRequest;
  error: ApiError;
}

export interface PendingMessage {
  conversationId: string | null;
  message: Message;
}

/** Attempts and pause while waiting for a stopped reply to be stored (the server stores it as the client goes). */
const STORED_REPLY_ATTEMPTS = 4;
const STORED_REPLY_PAUSE_MS = 750;

function pendingMessage(conversationId: string | null, content: string, model: string): Message {
  const now = new Date().toISOString();
  return {
    id: `pending-${Date.now()}`,
    conversation_id: conversationId ?? "",
    role: "user",
    content,
    model,
    provider: null,
    input_tokens: 0,
    output_tokens: 0,
    total_tokens: 0,
    token_count: 0,
    status: "complete",
    error_code: null,
    latency_ms: null,
    stop_reason: null,
    thinking: null,
    time_to_first_token_ms: null,
    usage_estimated: false,
    created_at: now,
  };
}

function asApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  return new ApiError(0, { code: "client_error", message: error instanceof Error ? error.message : String(error) });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function useChatTurn(options: {
  conversationId: string | undefined;
  newChat: NewChatSettings;
  /** A new chat's conversation exists: move the page's drafts to it and open `/c/<id>`. */
  onCreated: (conversationId: string) => void;
}) {
  const client = useQueryClient();
  const [pending, setPending] = useState<PendingMessage | null>(null);
  const [failure, setFailure] = useState<TurnError | null>(null);
  const [preparing, setPreparing] = useState(false);
  const clearRef = useRef<() => void>(() => {});

  const storedIncludes = useCallback(
    (conversationId: string, messageId: string | null) =>
      messageId !== null &&
      (client.getQueryData<Message[]>(queryKeys.messages(conversationId)) ?? []).some((m) => m.id === messageId),
    [client],
  );

  const onFinished = useCallback(
    async (reply: LiveReply) => {
      const id = reply.conversationId;
      for (let attempt = 0; attempt < STORED_REPLY_ATTEMPTS; attempt++) {
        await Promise.all([
          client.refetchQueries({ queryKey: queryKeys.messages(id), exact: true }),
          client.invalidateQueries({ queryKey: queryKeys.conversation(id), exact: true }),
          refreshConversationList(client),
        ]);
        if (storedIncludes(id, reply.messageId)) break;
        // a reply that never started (no message id) or failed is not waited for
        if (reply.messageId === null || reply.status === "error") break;
        await sleep(STORED_REPLY_PAUSE_MS);
      }
      setPending((current) => (current?.conversationId === id ? null : current));
      // the stored reply is in the cache now: the live one goes in the same render
      if (storedIncludes(id, reply.messageId)) clearRef.current();
    },
    [client, storedIncludes],
  );

  const stream = useReplyStream({ onFinished: (reply) => void onFinished(reply) });
  clearRef.current = stream.clear;

  const run = useCallback(
    async (request: TurnRequest, targetId: string | null) => {
      setFailure(null);
      setPreparing(true);
      setPending({ conversationId: targetId, message: pendingMessage(targetId, request.content, request.model) });
      let conversationId = targetId;
      let step = request;
      try {
        let created = false;
        if (conversationId === null) {
          const conversation = await createConversation({
            model: request.model,
            system_prompt_id: request.systemPromptId,
            tools: options.newChat.tools,
          });
          conversationId = conversation.id;
          created = true;
          client.setQueryData(queryKeys.messages(conversation.id), []);
          setPending((current) => current && { ...current, conversationId: conversation.id });
        }
        const id = conversationId;
        if (step.truncateFrom) {
          const from = step.truncateFrom;
          await truncateMessages(id, from);
          client.setQueryData<Message[]>(queryKeys.messages(id), (messages) => {
            const index = messages?.findIndex((m) => m.id === from) ?? -1;
            return messages && index >= 0 ? messages.slice(0, index) : messages;
          });
          step = { ...step, truncateFrom: undefined };
        }
        const body: SendMessage = {
          content: step.content,
          model: step.model,
          options: { thinking: step.thinking },
        };
        if (step.systemPromptId) body.system_prompt_id = step.systemPromptId;
        if (step.documentIds.length > 0) body.rag = { enabled: true, document_ids: step.documentIds };
        const ticket = await call(
          api.POST("/api/chat/conversations/{conversation_id}/prepare-stream", {
            params: { path: { conversation_id: id } },
            body,
          }),
        );
        setPending((current) =>
          current && { ...current, message: { ...current.message, id: ticket.user_message_id, conversation_id: id } },
        );
        stream.start({ streamUrl: ticket.stream_url, conversationId: id, model: step.model, sentAt: Date.now() });
        if (created) {
          options.onCreated(id);
          void refreshConversationList(client);
        }
      } catch (error) {
        setPending(null);
        setFailure({ conversationId, request: step, error: asApiError(error) });
        if (conversationId !== null && conversationId !== targetId) options.onCreated(conversationId);
      } finally {
        setPreparing(false);
      }
    },
    [client, options, stream],
  );

  const live = stream.reply;
  const streaming = live !== null && (live.status === "connecting" || live.status === "streaming");

  return {
    /** Send a message (or resend, after truncating, for regenerate and edit). */
    send: (request: TurnRequest) => void run(request, options.conversationId ?? null),
    /** Phase 1 failed: the same request again, optionally with another model (a 413's suggestion). */
    retry: (change: Partial<Pick<TurnRequest, "model" | "thinking">> = {}) => {
      if (!failure) return;
      void run({ ...failure.request, ...change }, failure.conversationId);
    },
    dismissFailure: () => setFailure(null),
    stop: stream.stop,
    /** The live reply of the conversation shown, unless its stored copy is already in `messages`. */
    liveFor: (conversationId: string | undefined, messages: Message[]): LiveReply | null =>
      live && live.conversationId === conversationId && !messages.some((m) => m.id === live.messageId) ? live : null,
    pendingFor: (conversationId: string | undefined, messages: Message[]): Message | null =>
      pending &&
      pending.conversationId === (conversationId ?? null) &&
      !messages.some((m) => m.id === pending.message.id)
        ? pending.message
        : null,
    failureFor: (conversationId: string | undefined): TurnError | null =>
      failure && failure.conversationId === (conversationId ?? null) ? failure : null,
    preparing,
    streaming,
    streamingConversation: streaming ? live.conversationId : null,
  };
}
