import { act, cleanup, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";

import type { Message, Model, Source } from "@/api/types";
import { debugToggles } from "@/lib/debug";

import { newReply } from "../stream/replyEvents";
import type { LiveReply } from "../stream/useReplyStream";
import { MessageList } from "./MessageList";
import { loadRenderer } from "@/features/markdown/renderer";

// The renderer chunk loads lazily in the app; here it is loaded once up front.
beforeAll(() => loadRenderer());

afterEach(() => {
  cleanup();
  debugToggles.set({ rawEvents: false, timings: false });
});

const model: Model = {
  id: "openai/gpt-test",
  name: "GPT Test",
  provider: "openai",
  context_window: 128000,
  max_output_tokens: 4096,
  input_price_per_mtok: 2,
  output_price_per_mtok: 10,
  capabilities: {} as Model["capabilities"],
};

function message(overrides: Partial<Message>): Message {
  return {
    id: "m1",
    conversation_id: "c1",
    role: "assistant",
    content: "Hello",
    created_at: "2025-01-01T00:00:00Z",
    error_code: null,
    input_tokens: 0,
    output_tokens: 0,
    total_tokens: 0,
    token_count: 0,
    latency_ms: null,
    time_to_first_token_ms: null,
    model: "openai/gpt-test",
    provider: "openai",
    status: "complete",
    stop_reason: "stop",
    thinking: null,
    usage_estimated: false,
    sources: null,
    tool_calls: null,
    ...overrides,
  };
}

const source: Source = {
  n: 1,
  document_id: "d1",
  filename: "report.pdf",
  page: 3,
  chunk_id: "k",
  score: 0.8,
  snippet: "The sky is blue because…",
  document_deleted: false,
};

function live(overrides: Partial<LiveReply>): LiveReply {
  return { ...newReply({ conversationId: "c1", model: "openai/gpt-test", sentAt: 1000 }), status: "streaming", ...overrides };
}

function renderList(props: Partial<Parameters<typeof MessageList>[0]> = {}) {
  const handlers = { onRegenerate: vi.fn(), onEditAndResend: vi.fn(), onRetry: vi.fn() };
  const view = render(<MessageList messages={[]} live={null} models={[model]} busy={false} {...handlers} {...props} />);
  return { ...handlers, ...view };
}

describe("MessageList", () => {
  it("renders user and assistant bubbles with Copy, Edit and Regenerate on the last reply only", () => {
    renderList({
      messages: [
        message({ id: "u1", role: "user", content: "Hi" }),
        message({ id: "a1", content: "First" }),
        message({ id: "u2", role: "user", content: "Again" }),
        message({ id: "a2", content: "Second" }),
      ],
    });
    expect(screen.getAllByTestId("user-message")).toHaveLength(2);
    expect(screen.getAllByTestId("assistant-message")).toHaveLength(2);
    expect(screen.getAllByRole("button", { name: "Regenerate" })).toHaveLength(1);
    expect(within(screen.getAllByTestId("assistant-message")[1]!).getByRole("button", { name: "Regenerate" })).toBeInTheDocument();
    expect(screen.getAllByRole("button", { name: "Edit" })).toHaveLength(2);
    expect(screen.getAllByRole("button", { name: "Copy" })).toHaveLength(2);
  });

  it("hides Regenerate and Edit while busy", () => {
    renderList({ busy: true, messages: [message({ id: "u1", role: "user" }), message({ id: "a1" })] });
    expect(screen.queryByRole("button", { name: "Regenerate" })).toBeNull();
    expect(screen.queryByRole("button", { name: "Edit" })).toBeNull();
  });

  it("Copy puts the answer's markdown on the clipboard", async () => {
    const user = userEvent.setup();
    const writeText = vi.spyOn(navigator.clipboard, "writeText");
    renderList({ messages: [message({ content: "**bold** answer" })] });
    await user.click(screen.getByRole("button", { name: "Copy" }));
    expect(writeText).toHaveBeenCalledWith("**bold** answer");
    expect(await screen.findByText("Copied")).toBeInTheDocument();
  });

  it("edits a user message inline and resends it", async () => {
    const user = userEvent.setup();
    const { onEditAndResend } = renderList({ messages: [message({ id: "u1", role: "user", content: "Old" })] });
    await user.click(screen.getByRole("button", { name: "Edit" }));
    const editor = screen.getByRole("textbox", { name: "Edit message" });
    await user.clear(editor);
    await user.type(editor, "New question");
    await user.click(screen.getByRole("button", { name: "Save and send" }));
    expect(onEditAndResend).toHaveBeenCalledWith("u1", "New question");
    expect(screen.queryByRole("textbox", { name: "Edit message" })).toBeNull();
  });

  it("Cancel leaves the message as it was", async () => {
    const user = userEvent.setup();
    const { onEditAndResend } = renderList({ messages: [message({ id: "u1", role: "user", content: "Old" })] });
    await user.click(screen.getByRole("button", { name: "Edit" }));
    await user.click(screen.getByRole("button", { name: "Cancel" }));
    expect(onEditAndResend).not.toHaveBeenCalled();
    expect(screen.getByText("Old")).toBeInTheDocument();
  });

  it("thinking: open while the model thinks, collapsed with its duration once the answer starts", async () => {
    const { rerender, ...handlers } = renderList({ live: live({ thinking: "Let me see", thinkingStartedAt: 1100 }) });
    const thinking = screen.getByRole("button", { name: /^Thinking/ });
    expect(thinking).toHaveAccessibleName("Thinking…");
    expect(thinking).toHaveAttribute("aria-expanded", "true");
    expect(screen.getByText("Let me see")).toBeVisible();
    rerender(
      <MessageList
        messages={[]}
        live={live({ thinking: "Let me see", thinkingStartedAt: 1100, thinkingMs: 3200, content: "Answer", firstTokenAt: 1100 })}
        models={[model]}
        busy
        onRegenerate={handlers.onRegenerate}
        onEditAndResend={handlers.onEditAndResend}
        onRetry={handlers.onRetry}
      />,
    );
    const collapsed = screen.getByRole("button", { name: /^Thinking/ });
    expect(collapsed).toHaveAccessibleName("Thinking · 3.2 s");
    expect(collapsed).toHaveAttribute("aria-expanded", "false");
    await userEvent.setup().click(collapsed);
    expect(collapsed).toHaveAttribute("aria-expanded", "true");
    expect(screen.getByText("Let me see")).toBeVisible();
  });

  it("stored thinking shows without a duration, collapsed", () => {
    renderList({ messages: [message({ thinking: "Because" })] });
    const thinking = screen.getByRole("button", { name: /^Thinking/ });
    expect(thinking).toHaveAccessibleName("Thinking");
    expect(thinking).toHaveAttribute("aria-expanded", "false");
  });

  it("tool calls: a card with server, tool, arguments as JSON, result, status and duration", async () => {
    const user = userEvent.setup();
    renderList({
      messages: [
        message({
          tool_calls: [
            { id: "t1", name: "add", server: "calc", arguments: { a: 1, b: 2 }, ok: true, content: "3", duration_ms: 42, round: 1 },
            { id: "t2", name: "fetch", server: "web", arguments: {}, ok: false, content: "timed out", duration_ms: 1500, round: 1 },
          ],
        }),
      ],
    });
    const [first, second] = screen.getAllByTestId("tool-call");
    const trigger = within(first!).getByRole("button", { name: /add/ });
    expect(trigger).toHaveTextContent("calc");
    expect(trigger).toHaveTextContent("ok");
    expect(trigger).toHaveTextContent("42 ms");
    await user.click(trigger);
    expect(within(first!).getByText(/"a": 1,\s+"b": 2/)).toBeInTheDocument();
    expect(within(first!).getByText("3")).toBeInTheDocument();
    expect(within(second!).getByRole("button", { name: /fetch/ })).toHaveTextContent("failed");
    expect(within(second!).getByRole("button", { name: /fetch/ })).toHaveTextContent("1.5 s");
  });

  it("a running live tool call says so", () => {
    renderList({
      live: live({ toolCalls: [{ id: "t", name: "search", server: "docs", arguments: { q: "x" }, ok: null, content: null, durationMs: null }] }),
    });
    expect(screen.getByTestId("tool-call")).toHaveTextContent("running");
  });

  it("the stored reply takes the live one's place without remounting: an opened thinking panel stays open", async () => {
    const handlers = { onRegenerate: vi.fn(), onEditAndResend: vi.fn(), onRetry: vi.fn() };
    const reply = live({ messageId: "a1", thinking: "pondering", content: "Answer", status: "done" });
    const props = { models: [model], busy: false, ...handlers };
    const { rerender } = render(<MessageList messages={[]} live={reply} {...props} />);
    await userEvent.click(screen.getByRole("button", { name: /^Thinking/ }));
    expect(screen.getByRole("button", { name: /^Thinking/ })).toHaveAttribute("aria-expanded", "true");
    const stored = message({ id: "a1", thinking: "pondering", content: "Answer" });
    rerender(<MessageList messages={[stored]} live={reply} {...props} />);
    expect(screen.getAllByTestId("assistant-message")).toHaveLength(1);
    expect(screen.getByRole("button", { name: /^Thinking/ })).toHaveAttribute("aria-expanded", "true");
  });

  it("sources: numbered under a Sources heading, citations link to them", () => {
    renderList({ messages: [message({ content: "Blue sky [1], also [2].", sources: [source] })] });
    const heading = screen.getByRole("heading", { name: "Sources" });
    expect(heading).toBeInTheDocument();
    const item = document.querySelector('[data-source="1"]');
    expect(item?.id).toMatch(/-source-1$/);
    expect(item).toHaveTextContent("report.pdf");
    expect(item).toHaveTextContent("p. 3");
    expect(item).toHaveTextContent("The sky is blue because");
    expect(screen.getByRole("link", { name: "[1]" })).toHaveAttribute("href", "#source-1");
    expect(screen.queryByRole("link", { name: "[2]" })).toBeNull();
  });

  it("sources of two replies keep page-unique ids, and a citation jumps within its own reply", async () => {
    renderList({
      messages: [
        message({ id: "a1", content: "First [1].", sources: [source] }),
        message({ id: "a2", content: "Second [1].", sources: [{ ...source, filename: "other.pdf" }] }),
      ],
    });
    const items = [...document.querySelectorAll<HTMLElement>('[data-source="1"]')];
    expect(items).toHaveLength(2);
    expect(new Set(items.map((item) => item.id)).size).toBe(2);
    const links = screen.getAllByRole("link", { name: "[1]" });
    await userEvent.click(links[1]!);
    expect(document.activeElement).toBe(items[1]);
  });

  it("usage line: tokens, cost from the model's prices, first token and tokens/s; estimated marked", () => {
    renderList({
      messages: [
        message({
          input_tokens: 1000,
          output_tokens: 500,
          total_tokens: 1500,
          time_to_first_token_ms: 400,
          latency_ms: 2400,
          usage_estimated: true,
        }),
      ],
    });
    const usage = screen.getByTestId("reply-usage");
    // 1000 × $2/M + 500 × $10/M = $0.007; 500 tokens over 2 s = 250 tok/s
    expect(usage).toHaveTextContent("1,000 in · 500 out");
    expect(usage).toHaveTextContent("$0.0070");
    expect(usage).toHaveTextContent("first token 400 ms");
    expect(usage).toHaveTextContent("250.0 tok/s");
    expect(usage).toHaveTextContent("(estimated)");
    expect(usage).not.toHaveTextContent("total");
    act(() => debugToggles.set({ rawEvents: false, timings: true }));
    expect(screen.getByTestId("reply-usage")).toHaveTextContent("total 2.4 s");
  });

  it("no cost when the model has no prices", () => {
    renderList({
      models: [{ ...model, input_price_per_mtok: null }],
      messages: [message({ input_tokens: 10, output_tokens: 5, total_tokens: 15 })],
    });
    expect(screen.getByTestId("reply-usage")).not.toHaveTextContent("$");
  });

  it("a stopped reply says Stopped and keeps its text", () => {
    renderList({
      messages: [message({ status: "incomplete", stop_reason: "client_disconnected", content: "Partial" })],
    });
    expect(screen.getByText("Stopped")).toBeInTheDocument();
    expect(screen.getByText("Partial")).toBeInTheDocument();
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("a failed last reply shows its message and Retry", async () => {
    const user = userEvent.setup();
    const { onRetry } = renderList({
      messages: [message({ id: "u", role: "user" }), message({ status: "error", content: "", error_code: "provider_timeout" })],
    });
    expect(screen.getByRole("alert")).toHaveTextContent("The model took too long to answer.");
    await user.click(screen.getByRole("button", { name: "Retry" }));
    expect(onRetry).toHaveBeenCalled();
  });

  it("a live error shows the server's message and Retry", () => {
    renderList({ live: live({ status: "error", error: { code: "provider_error", message: "upstream broke" } }) });
    expect(screen.getByRole("alert")).toHaveTextContent("upstream broke");
    expect(screen.getByRole("button", { name: "Retry" })).toBeInTheDocument();
  });

  it("a live stopped reply shows Stopped; a finished live reply already stored is not shown twice", () => {
    const { rerender, ...handlers } = renderList({ live: live({ status: "stopped", content: "Half", messageId: "a9" }) });
    expect(screen.getByText("Stopped")).toBeInTheDocument();
    rerender(
      <MessageList
        messages={[message({ id: "a9", content: "Half", status: "incomplete", stop_reason: "client_disconnected" })]}
        live={live({ status: "stopped", content: "Half", messageId: "a9" })}
        models={[model]}
        busy={false}
        {...handlers}
      />,
    );
    expect(screen.getAllByTestId("assistant-message")).toHaveLength(1);
  });

  it("raw events show under the live reply when the debug toggle is on", () => {
    debugToggles.set({ rawEvents: true, timings: false });
    renderList({
      live: live({ content: "x", rawEvents: [{ id: "1", event: "content", data: { delta: "x" }, at: 1 }] }),
    });
    expect(screen.getByTestId("raw-events")).toHaveTextContent("Raw events (1)");
  });
});
