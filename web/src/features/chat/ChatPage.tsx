/** The chat screen: the conversation list (a drawer on a phone), the messages, and the composer with its
 * model, system prompt, tools-and-documents settings and context meter. `/` is a new chat, `/c/:id` one. */
import { Menu, MessageSquarePlus } from "lucide-react";
import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { Link, useNavigate, useParams } from "react-router";

import { ApiError, errorMessage } from "@/api/errors";
import { useModels, usePrompts, useProviders } from "@/api/queries";
import type { Message } from "@/api/types";
import { prefetchMarkdown } from "@/features/markdown/plugins";
import { cn } from "@/lib/cn";

import { Composer } from "./composer/Composer";
import { ContextMeter, conversationTokens } from "./composer/ContextMeter";
import { findModel, preselectModel } from "./composer/modelChoice";
import { ModelPicker } from "./composer/ModelPicker";
import { PromptPicker } from "./composer/PromptPicker";
import { TurnFailure } from "./composer/TurnFailure";
import { MessageList } from "./messages/MessageList";
import { useConversation, useMessages, useUpdateConversation } from "./queries";
import { SettingsDialog } from "./settings/SettingsDialog";
import { loadDocumentChoice, saveDocumentChoice } from "./settings/documentChoice";
import { ConversationSidebar } from "./sidebar/ConversationSidebar";
import { useChatTurn, type TurnRequest } from "./useChatTurn";

/** What a new chat keeps in page state until its first message creates the conversation. */
interface Draft {
  promptId: string | null;
  tools: string[] | null;
  documents: string[];
}
const EMPTY_DRAFT: Draft = { promptId: null, tools: null, documents: [] };
const NEW = "new";

const NO_MESSAGES: Message[] = [];

export function ChatPage() {
  const { conversationId } = useParams();
  const navigate = useNavigate();
  const key = conversationId ?? NEW;
  const models = useModels();
  const providers = useProviders();
  const prompts = usePrompts();
  const conversation = useConversation(conversationId);
  const stored = useMessages(conversationId);
  const update = useUpdateConversation();

  const [drawerOpen, setDrawerOpen] = useState(false);
  const searchRef = useRef<HTMLInputElement>(null);
  const [draft, setDraft] = useState<Draft>(EMPTY_DRAFT);
  const [modelChoice, setModelChoice] = useState<{ key: string; model: string } | null>(null);
  const [documentChoice, setDocumentChoice] = useState<{ key: string; ids: string[] } | null>(null);
  const [settingsError, setSettingsError] = useState<string | null>(null);

  const modelList = useMemo(() => models.data?.items ?? [], [models.data]);
  const chosen = modelChoice?.key === key ? findModel(modelList, modelChoice.model)?.id : undefined;
  const modelId = chosen ?? preselectModel(modelList, conversation.data?.model, models.data?.default_model);
  const model = modelId ? findModel(modelList, modelId) : undefined;

  const documents = conversationId
    ? documentChoice?.key === key
      ? documentChoice.ids
      : loadDocumentChoice(conversationId)
    : draft.documents;
  const promptId = conversationId ? (conversation.data?.system_prompt_id ?? null) : draft.promptId;
  const tools = conversationId ? (conversation.data?.tools ?? null) : draft.tools;

  const onCreated = useCallback(
    (id: string) => {
      if (modelId) setModelChoice({ key: id, model: modelId });
      saveDocumentChoice(id, draft.documents);
      setDocumentChoice({ key: id, ids: draft.documents });
      setDraft(EMPTY_DRAFT);
      void navigate(`/c/${id}`);
    },
    [draft.documents, modelId, navigate],
  );
  const turn = useChatTurn({ conversationId, newChat: { tools: draft.tools }, onCreated });

  const messages = stored.data ?? NO_MESSAGES;
  const pending = turn.pendingFor(conversationId, messages);
  const shown = useMemo(() => (pending ? [...messages, pending] : messages), [messages, pending]);
  const live = turn.liveFor(conversationId, messages);
  const streamingHere = turn.streaming && turn.streamingConversation === (conversationId ?? null);
  const failure = turn.failureFor(conversationId);

  useEffect(prefetchMarkdown, []);

  // Ctrl/Cmd+K: the conversation search (opening the drawer on a phone).
  useEffect(() => {
    function onKey(event: KeyboardEvent) {
      if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "k") {
        event.preventDefault();
        setDrawerOpen(true);
        requestAnimationFrame(() => searchRef.current?.focus());
      } else if (event.key === "Escape") setDrawerOpen(false);
    }
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, []);

  function request(content: string, extra: Partial<TurnRequest> = {}): TurnRequest | null {
    if (!model) return null;
    return {
      content,
      model: model.id,
      systemPromptId: promptId,
      documentIds: documents,
      thinking: model.capabilities.thinking,
      ...extra,
    };
  }

  function send(content: string, extra: Partial<TurnRequest> = {}) {
    const next = request(content, extra);
    if (next) turn.send(next);
  }

  function regenerate() {
    const lastUser = [...messages].reverse().find((m) => m.role === "user");
    if (lastUser) send(lastUser.content, { truncateFrom: lastUser.id });
  }

  function patch(body: { system_prompt_id?: string | null; tools?: string[] | null }) {
    if (!conversationId) return;
    setSettingsError(null);
    update.mutate({ id: conversationId, patch: body }, { onError: (e) => setSettingsError(errorMessage(e)) });
  }

  function newChat() {
    setDraft(EMPTY_DRAFT);
    setDrawerOpen(false);
    void navigate("/");
  }

  const blockedReason = models.isPending
    ? "Loading the models…"
    : models.isError
      ? `The models could not be loaded: ${errorMessage(models.error)}`
      : modelList.length === 0
        ? "No model is available: an operator has to configure a provider."
        : conversationId && (conversation.isPending || stored.isPending)
          ? "Loading the conversation…"
          : turn.preparing
            ? "Sending…"
            : turn.streaming && !streamingHere
              ? "A reply is still streaming in another conversation."
              : null;

  const used = live?.usage
    ? live.usage.input_tokens + live.usage.output_tokens
    : conversationTokens(messages, conversation.data?.total_tokens ?? 0);

  return (
    <div className="flex h-full min-h-0">
      {drawerOpen && (
        <div aria-hidden className="fixed inset-x-0 bottom-0 top-12 z-20 bg-black/40 md:hidden" onClick={() => setDrawerOpen(false)} />
      )}
      <aside
        id="conversation-drawer"
        className={cn(
          "w-72 shrink-0 flex-col border-r border-zinc-200 bg-zinc-50 dark:border-zinc-800 dark:bg-zinc-950",
          drawerOpen ? "fixed bottom-0 left-0 top-12 z-30 flex max-w-[85vw] md:static md:z-auto" : "hidden md:flex",
        )}
      >
        <ConversationSidebar
          activeId={conversationId}
          searchRef={searchRef}
          onNewChat={newChat}
          onNavigate={() => setDrawerOpen(false)}
        />
      </aside>
      <section aria-label="Chat" className="flex min-w-0 flex-1 flex-col">
        <div className="flex items-center gap-2 border-b border-zinc-200 px-3 py-2 md:hidden dark:border-zinc-800">
          <button
            type="button"
            aria-expanded={drawerOpen}
            aria-controls="conversation-drawer"
            onClick={() => setDrawerOpen((open) => !open)}
            className="inline-flex items-center gap-1.5 rounded-md px-2 py-1 text-sm hover:bg-zinc-100 dark:hover:bg-zinc-800"
          >
            <Menu aria-hidden className="size-4" /> Conversations
          </button>
          <span className="truncate text-sm font-medium">{conversation.data?.title ?? (conversationId ? "" : "New chat")}</span>
        </div>
        <div className="min-h-0 flex-1 overflow-y-auto">
          <ChatBody
            conversationId={conversationId}
            conversationError={conversation.error ?? stored.error}
            loading={conversationId !== undefined && (conversation.isPending || stored.isPending) && pending === null}
            onReload={() => void Promise.all([conversation.refetch(), stored.refetch()])}
          >
            {(shown.length > 0 || live) && (
              <MessageList
                messages={shown}
                live={live}
                models={modelList}
                busy={turn.preparing || turn.streaming}
                onRegenerate={regenerate}
                onEditAndResend={(messageId, content) => send(content, { truncateFrom: messageId })}
                onRetry={regenerate}
              />
            )}
          </ChatBody>
        </div>
        <div className="mx-auto w-full max-w-3xl px-2 pb-2 sm:px-4 sm:pb-4">
          {failure && (
            <TurnFailure
              failure={failure}
              models={modelList}
              busy={turn.preparing || turn.streaming}
              onDismiss={turn.dismissFailure}
              onRetry={(switchTo) => {
                const next = switchTo ? findModel(modelList, switchTo) : undefined;
                if (!next) return turn.retry();
                setModelChoice({ key, model: next.id });
                turn.retry({ model: next.id, thinking: next.capabilities.thinking });
              }}
            />
          )}
          <Composer
            onSend={(content) => send(content)}
            onStop={turn.stop}
            streaming={streamingHere}
            blockedReason={blockedReason}
            toolbar={
              <>
                <ModelPicker
                  models={modelList}
                  providers={providers.data?.items ?? []}
                  value={model?.id ?? null}
                  onChange={(id) => setModelChoice({ key, model: id })}
                />
                <PromptPicker
                  prompts={prompts.data?.items ?? []}
                  value={promptId}
                  onChange={(id) =>
                    conversationId ? patch({ system_prompt_id: id }) : setDraft((d) => ({ ...d, promptId: id }))
                  }
                />
                <SettingsDialog
                  tools={tools}
                  onToolsChange={(next) => (conversationId ? patch({ tools: next }) : setDraft((d) => ({ ...d, tools: next })))}
                  documents={documents}
                  onDocumentsChange={(ids) => {
                    if (conversationId) {
                      saveDocumentChoice(conversationId, ids);
                      setDocumentChoice({ key, ids });
                    } else setDraft((d) => ({ ...d, documents: ids }));
                  }}
                  supportsTools={model?.capabilities.tools ?? false}
                  error={settingsError}
                />
                <ContextMeter used={used} window={model?.context_window ?? null} />
              </>
            }
          />
        </div>
      </section>
    </div>
  );
}

function ChatBody(props: {
  conversationId: string | undefined;
  conversationError: Error | null;
  loading: boolean;
  onReload: () => void;
  children: ReactNode;
}) {
  if (props.conversationId && props.conversationError) {
    return (
      <div role="alert" className="mx-auto mt-16 max-w-md px-4 text-center">
        <p className="font-medium">
          {props.conversationError instanceof ApiError && props.conversationError.status === 404
            ? "This conversation does not exist (or was deleted)."
            : "This conversation could not be opened."}
        </p>
        <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">{errorMessage(props.conversationError)}</p>
        <div className="mt-3 flex justify-center gap-3 text-sm">
          <button type="button" onClick={props.onReload} className="text-blue-700 underline dark:text-blue-400">
            Try again
          </button>
          <Link to="/" className="text-blue-700 underline dark:text-blue-400">
            New chat
          </Link>
        </div>
      </div>
    );
  }
  if (props.loading) return <p className="mt-16 text-center text-sm text-zinc-600 dark:text-zinc-400">Loading the conversation…</p>;
  if (!props.conversationId && !props.children) {
    return (
      <div className="mx-auto mt-16 flex max-w-md flex-col items-center gap-2 px-4 text-center text-zinc-600 dark:text-zinc-400">
        <MessageSquarePlus aria-hidden className="size-8" />
        <p className="text-lg font-medium text-zinc-900 dark:text-zinc-100">Start a conversation</p>
        <p className="text-sm">Pick a model below, type a message and press Enter.</p>
      </div>
    );
  }
  return <div className="mx-auto w-full max-w-3xl px-2 py-4 sm:px-4">{props.children}</div>;
}
