import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";
import { beforeEach, describe, expect, it, vi } from "vitest";

import type { Conversation, Message, SendMessage } from "@/api/types";

import { ChatPage } from "./ChatPage";
import { API, apiError, chatApi, conversation, message, model, provider, renderChat, server, setupChatServer } from "./testKit/api";
import { resetStream, streamControl } from "./testKit/fakeStream";

vi.mock("./stream/useReplyStream", () => import("./testKit/fakeStream"));
vi.mock("./messages/MessageList", () => import("./testKit/fakeStream"));

setupChatServer();
beforeEach(resetStream);

const MODELS = [
  model("demo/echo", 8192, { thinking: true, tools: true }),
  model("ollama/llama3.2", 131072, { tools: true }),
  model("openai/gpt-4o-mini", 128000),
];

/** A small API: conversations and messages that prepare-stream and truncation change, every request logged. */
function backend(initial: { conversations?: Conversation[]; messages?: Record<string, Message[]>; defaultModel?: string } = {}) {
  const state = {
    conversations: initial.conversations ?? [],
    messages: initial.messages ?? {},
    models: MODELS,
    defaultModel: initial.defaultModel ?? "ollama/llama3.2",
    providers: [provider("demo", "ok"), provider("ollama", "degraded"), provider("openai", "down")],
  };
  const log: string[] = [];
  const prepared: SendMessage[] = [];
  const created: unknown[] = [];
  let prepareFailures: Response[] = [];
  server.use(
    http.all(`${API}/*`, ({ request }) => {
      const url = new URL(request.url);
      log.push(`${request.method} ${url.pathname}${url.search}`);
      return undefined;
    }),
    http.post(`${API}/api/chat/conversations`, async ({ request }) => {
      const body = (await request.json()) as { model: string };
      created.push(body);
      const made = conversation("new1", "", { model: body.model });
      state.conversations.unshift(made);
      state.messages.new1 = [];
      return HttpResponse.json(made, { status: 201 });
    }),
    http.post(`${API}/api/chat/conversations/:id/prepare-stream`, async ({ request, params }) => {
      const body = (await request.json()) as SendMessage;
      prepared.push(body);
      const failure = prepareFailures.shift();
      if (failure) return failure;
      const id = String(params.id);
      const userId = `sent${prepared.length}`;
      state.messages[id] = [...(state.messages[id] ?? []), message(userId, "user", body.content, { conversation_id: id })];
      return HttpResponse.json({
        stream_url: `http://stream.test/stream/tok${prepared.length}`,
        token: "t",
        expires_at: "2026-01-01T00:05:00Z",
        conversation_id: id,
        user_message_id: userId,
      });
    }),
    http.delete(`${API}/api/chat/conversations/:id/messages`, ({ request, params }) => {
      const from = new URL(request.url).searchParams.get("from_id");
      const list = state.messages[String(params.id)] ?? [];
      const index = list.findIndex((m) => m.id === from);
      if (index < 0) return apiError(404, "not_found", "message not found");
      state.messages[String(params.id)] = list.slice(0, index);
      return new HttpResponse(null, { status: 204 });
    }),
    ...chatApi(state),
  );
  return {
    state,
    log,
    prepared,
    created,
    failNextPrepare: (response: Response) => (prepareFailures = [...prepareFailures, response]),
    /** The server stores the reply the stream produced. */
    storeReply(conversationId: string, id: string, content: string) {
      state.messages[conversationId] = [
        ...(state.messages[conversationId] ?? []),
        message(id, "assistant", content, { conversation_id: conversationId, input_tokens: 900, output_tokens: 124 }),
      ];
    },
  };
}

const box = () => screen.getByRole("textbox", { name: "Message" });
const modelButton = () => screen.getByRole("combobox", { name: "Model" });

async function ready() {
  await waitFor(() => expect(modelButton()).not.toBeDisabled());
  await waitFor(() => expect(screen.getByRole("button", { name: "Send" }).title).not.toMatch(/Loading/));
}

describe("ChatPage", () => {
  it("creates the conversation with the first message, streams the reply and keeps it across the navigation", async () => {
    const api = backend();
    const { router } = renderChat(<ChatPage />, "/");
    await ready();
    expect(modelButton()).toHaveTextContent("ollama/llama3.2"); // the API's default model
    await userEvent.click(modelButton());
    await userEvent.click(await screen.findByRole("option", { name: /demo\/echo/ }));
    expect(modelButton()).toHaveTextContent("demo/echo");
    await userEvent.type(box(), "Why is the sky blue?{Enter}");

    await waitFor(() => expect(router.state.location.pathname).toBe("/c/new1"));
    expect(await screen.findByTestId("user-message")).toHaveTextContent("Why is the sky blue?");
    expect(api.created).toEqual([{ model: "demo/echo", system_prompt_id: null, tools: null }]);
    expect(api.prepared).toEqual([{ content: "Why is the sky blue?", model: "demo/echo", options: { thinking: true } }]);
    expect(streamControl.starts).toEqual([
      expect.objectContaining({ streamUrl: "http://stream.test/stream/tok1", conversationId: "new1", model: "demo/echo" }),
    ]);
    expect(screen.getByTestId("user-message")).toHaveTextContent("Why is the sky blue?");
    expect(screen.getByTestId("live-reply")).toHaveAttribute("data-status", "streaming");
    expect(screen.getByRole("button", { name: "Stop" })).toBeInTheDocument();
    expect(modelButton()).toHaveTextContent("demo/echo");

    api.storeReply("new1", "a1", "Rayleigh scattering.");
    act(() => streamControl.finish({ messageId: "a1", content: "Rayleigh scattering." }));
    await waitFor(() => expect(screen.queryByTestId("live-reply")).not.toBeInTheDocument());
    expect(screen.getByTestId("assistant-message")).toHaveTextContent("Rayleigh scattering.");
    expect(screen.getAllByTestId("user-message")).toHaveLength(1);
    expect(screen.getByRole("button", { name: "Send" })).toBeInTheDocument();
    const meter = screen.getByTestId("context-meter");
    expect(meter).toHaveAttribute("aria-valuenow", "1024");
    expect(meter).toHaveAttribute("aria-valuemax", "8192");
  });

  it("preselects the conversation's model over the default and groups the picker by provider with health", async () => {
    backend({
      conversations: [conversation("c1", "Old chat", { model: "openai/gpt-4o-mini", total_tokens: 64000 })],
      messages: { c1: [message("m1", "user", "hi")] },
    });
    renderChat(<ChatPage />, "/c/c1");
    await ready();
    expect(modelButton()).toHaveTextContent("openai/gpt-4o-mini");
    expect(screen.getByTestId("context-meter")).toHaveAttribute("aria-valuenow", "64000");
    await userEvent.click(modelButton());
    await screen.findByRole("listbox", { name: "Model" });
    const groups = screen.getAllByRole("group").filter((g) => g.hasAttribute("aria-label"));
    expect(groups.map((g) => g.getAttribute("aria-label"))).toEqual(["demo", "ollama", "openai"]);
    expect(within(groups[1]!).getByText("degraded")).toBeInTheDocument();
    expect(within(groups[1]!).getByRole("option", { name: /ollama\/llama3\.2.*131k/ })).toBeInTheDocument();
    expect(within(groups[2]!).getByRole("option", { name: /gpt-4o-mini.*128k/ })).toHaveAttribute("aria-selected", "true");
  });

  it("offers the models that fit after a 413 and switches and resends with one click", async () => {
    const api = backend({ conversations: [conversation("c1", "Long", { model: "demo/echo" })], messages: { c1: [] } });
    api.failNextPrepare(
      apiError(413, "context_too_long", "9000 prompt tokens leave less than the 256 an answer needs", {
        limit: 8192,
        requested: 9000,
        reserved_output: 256,
        suggestions: [
          "use a model with a larger context window: openai/gpt-4o-mini",
          "use a model with a larger context window: ollama/llama3.2",
          "start a new conversation",
        ],
      }),
    );
    renderChat(<ChatPage />, "/c/c1");
    await ready();
    await userEvent.type(box(), "A very long question{Enter}");
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("9000 prompt tokens");
    expect(screen.queryByTestId("user-message")).not.toBeInTheDocument();
    expect(streamControl.starts).toHaveLength(0);
    await userEvent.click(within(alert).getByRole("button", { name: "Use ollama/llama3.2" }));
    await waitFor(() => expect(streamControl.starts).toHaveLength(1));
    expect(api.prepared.map((b) => [b.content, b.model])).toEqual([
      ["A very long question", "demo/echo"],
      ["A very long question", "ollama/llama3.2"],
    ]);
    expect(api.prepared[1]!.options).toEqual({ thinking: false });
    expect(modelButton()).toHaveTextContent("ollama/llama3.2");
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
  });

  it("shows a phase-1 failure under the composer with Retry", async () => {
    const api = backend({ conversations: [conversation("c1", "Chat", { model: "demo/echo" })], messages: { c1: [] } });
    api.failNextPrepare(apiError(503, "service_unavailable", "The database is not answering."));
    renderChat(<ChatPage />, "/c/c1");
    await ready();
    await userEvent.type(box(), "Hello{Enter}");
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("Not sent: The database is not answering.");
    await userEvent.click(within(alert).getByRole("button", { name: "Retry" }));
    await waitFor(() => expect(streamControl.starts).toHaveLength(1));
    expect(api.prepared.map((b) => b.content)).toEqual(["Hello", "Hello"]);
  });

  it("regenerates: truncates from the last user message, then prepares the same content", async () => {
    const api = backend({
      conversations: [conversation("c1", "Chat", { model: "demo/echo" })],
      messages: {
        c1: [
          message("u1", "user", "first"),
          message("a1", "assistant", "one"),
          message("u2", "user", "second"),
          message("a2", "assistant", "two"),
        ],
      },
    });
    renderChat(<ChatPage />, "/c/c1");
    await ready();
    await waitFor(() => expect(screen.getAllByTestId("assistant-message")).toHaveLength(2));
    api.log.length = 0;
    await userEvent.click(screen.getByRole("button", { name: "Regenerate" }));
    await waitFor(() => expect(streamControl.starts).toHaveLength(1));
    const writes = api.log.filter((line) => !line.startsWith("GET"));
    expect(writes).toEqual(["DELETE /api/chat/conversations/c1/messages?from_id=u2", "POST /api/chat/conversations/c1/prepare-stream"]);
    expect(api.prepared[0]).toMatchObject({ content: "second", model: "demo/echo" });
    expect(screen.getAllByTestId("assistant-message")).toHaveLength(1);
    expect(screen.getAllByTestId("user-message").map((n) => n.textContent)).toEqual(["first", "second"]);
  });

  it("edits and resends: truncates from the edited message, then prepares the new content", async () => {
    const api = backend({
      conversations: [conversation("c1", "Chat", { model: "demo/echo" })],
      messages: { c1: [message("u1", "user", "first"), message("a1", "assistant", "one")] },
    });
    renderChat(<ChatPage />, "/c/c1");
    await ready();
    await waitFor(() => expect(screen.getAllByTestId("assistant-message")).toHaveLength(1));
    api.log.length = 0;
    await userEvent.click(screen.getByRole("button", { name: "Edit" }));
    await waitFor(() => expect(streamControl.starts).toHaveLength(1));
    expect(api.log.filter((line) => !line.startsWith("GET"))).toEqual([
      "DELETE /api/chat/conversations/c1/messages?from_id=u1",
      "POST /api/chat/conversations/c1/prepare-stream",
    ]);
    expect(api.prepared[0]!.content).toBe("edited question");
    expect(screen.queryByTestId("assistant-message")).not.toBeInTheDocument();
  });

  it("stops the stream on Esc", async () => {
    backend({ conversations: [conversation("c1", "Chat", { model: "demo/echo" })], messages: { c1: [] } });
    renderChat(<ChatPage />, "/c/c1");
    await ready();
    await userEvent.type(box(), "Tell me a story{Enter}");
    await waitFor(() => expect(streamControl.starts).toHaveLength(1));
    await userEvent.type(box(), "{Escape}");
    expect(streamControl.stops).toBe(1);
    expect(await screen.findByTestId("live-reply")).toHaveAttribute("data-status", "stopped");
  });

  it("sends the chosen documents with each message and keeps them per conversation in localStorage", async () => {
    const api = backend({ conversations: [conversation("c1", "Chat", { model: "demo/echo" })], messages: { c1: [] } });
    server.use(
      http.get(`${API}/api/documents`, () =>
        HttpResponse.json({
          items: [
            { id: "d1", filename: "physics.pdf", status: "ready" },
            { id: "d2", filename: "notes.md", status: "ready" },
          ],
          next_cursor: null,
        }),
      ),
    );
    const patches: unknown[] = [];
    server.use(
      http.patch(`${API}/api/chat/conversations/:id`, async ({ request }) => {
        const body = (await request.json()) as { tools: string[] };
        patches.push(body);
        return HttpResponse.json(conversation("c1", "Chat", { model: "demo/echo", tools: body.tools }));
      }),
    );
    renderChat(<ChatPage />, "/c/c1");
    await ready();
    await userEvent.click(screen.getByRole("button", { name: /Tools and documents/ }));
    const dialog = await screen.findByRole("dialog", { name: "Tools and documents" });
    await userEvent.click(await within(dialog).findByRole("checkbox", { name: "physics.pdf" }));
    expect(JSON.parse(localStorage.getItem("pgpt.chat.documents.c1") ?? "[]")).toEqual(["d1"]);
    expect(within(dialog).getByRole("checkbox", { name: "system_info" })).toBeChecked();
    await userEvent.click(within(dialog).getByRole("checkbox", { name: "system_info" }));
    await waitFor(() => expect(patches).toEqual([{ tools: ["privategpt/read_file"] }]));
    await waitFor(() => expect(within(dialog).getByRole("checkbox", { name: "system_info" })).not.toBeChecked());
    await userEvent.keyboard("{Escape}");
    await userEvent.type(box(), "What does the paper say?{Enter}");
    await waitFor(() => expect(api.prepared).toHaveLength(1));
    expect(api.prepared[0]!.rag).toEqual({ enabled: true, document_ids: ["d1"] });
  });

  it("focuses the search on Ctrl+K and says when a conversation cannot be opened", async () => {
    backend({ conversations: [] });
    renderChat(<ChatPage />, "/c/missing");
    expect(await screen.findByText("This conversation does not exist (or was deleted).")).toBeInTheDocument();
    await userEvent.keyboard("{Control>}k{/Control}");
    await waitFor(() => expect(screen.getByRole("textbox", { name: "Search conversations" })).toHaveFocus());
  });
});
