import { describe, expect, it } from "vitest";

import { applyEvent, newReply, replyTimings, uiTagText } from "./replyEvents";

const base = () => newReply({ conversationId: "c1", model: "demo/echo", sentAt: 1000 });

describe("applyEvent", () => {
  it("start sets the ids and model and moves to streaming", () => {
    const reply = base();
    expect(reply.status).toBe("connecting");
    expect(applyEvent(reply, "start", { message_id: "m1", conversation_id: "c1", model: "openai/x" }, 1010)).toBe(false);
    expect(reply).toMatchObject({ messageId: "m1", model: "openai/x", status: "streaming" });
  });

  it("sources are kept", () => {
    const reply = base();
    const source = { n: 1, document_id: "d", filename: "a.pdf", page: 2, chunk_id: "k", score: 0.5, snippet: "s" };
    applyEvent(reply, "sources", { sources: [source] }, 1010);
    expect(reply.sources).toEqual([source]);
  });

  it("thinking then content: first token time and the thinking duration", () => {
    const reply = base();
    applyEvent(reply, "thinking", { delta: "Hm " }, 1100);
    applyEvent(reply, "thinking", { delta: "ok" }, 1500);
    expect(reply.thinking).toBe("Hm ok");
    expect(reply.firstTokenAt).toBe(1100);
    expect(reply.thinkingMs).toBeNull();
    applyEvent(reply, "content", { delta: "Hello" }, 4300);
    applyEvent(reply, "content", { delta: " world" }, 4400);
    expect(reply.content).toBe("Hello world");
    expect(reply.thinkingMs).toBe(3200);
    expect(reply.firstTokenAt).toBe(1100);
  });

  it("ui events go back into the content as their tag", () => {
    const reply = base();
    applyEvent(reply, "content", { delta: "See: " }, 1100);
    applyEvent(reply, "ui", { tag: "card", attrs: { title: "Paris" }, content: "Capital" }, 1200);
    expect(reply.content).toBe('See: <card title="Paris">Capital</card>');
    expect(uiTagText({ tag: "bad tag", content: "x" })).toBe("x");
  });

  it("tool_call then tool_result fill one card", () => {
    const reply = base();
    applyEvent(reply, "tool_call", { id: "t1", name: "add", server: "calc", arguments: { a: 1 } }, 1100);
    expect(reply.toolCalls).toEqual([
      { id: "t1", name: "add", server: "calc", arguments: { a: 1 }, ok: null, content: null, durationMs: null },
    ]);
    applyEvent(reply, "tool_result", { id: "t1", ok: false, content: "boom", duration_ms: 12 }, 1200);
    expect(reply.toolCalls[0]).toMatchObject({ ok: false, content: "boom", durationMs: 12 });
  });

  it("usage, then done ends the reply with the stop reason", () => {
    const reply = base();
    applyEvent(reply, "content", { delta: "x" }, 1100);
    applyEvent(reply, "usage", { input_tokens: 5, output_tokens: 10, total_tokens: 15, estimated: true }, 1200);
    expect(reply.usage).toEqual({ input_tokens: 5, output_tokens: 10, total_tokens: 15, estimated: true });
    const usage = { input_tokens: 5, output_tokens: 20, total_tokens: 25, estimated: false };
    expect(applyEvent(reply, "done", { message_id: "m9", usage, stop_reason: "stop" }, 3100)).toBe(true);
    expect(reply).toMatchObject({ status: "done", messageId: "m9", stopReason: "stop", doneAt: 3100, usage });
    // 20 tokens over the 2 s from the first token to done; first token 100 ms after sending
    expect(replyTimings(reply)).toEqual({ timeToFirstTokenMs: 100, totalMs: 2100, tokensPerSecond: 10 });
  });

  it("error ends the reply with its code and message", () => {
    const reply = base();
    expect(applyEvent(reply, "error", { code: "provider_error", message: "upstream broke" }, 1300)).toBe(true);
    expect(reply).toMatchObject({ status: "error", error: { code: "provider_error", message: "upstream broke" } });
  });

  it("unknown events change nothing but the status", () => {
    const reply = base();
    expect(applyEvent(reply, "mystery", { delta: "x" }, 1100)).toBe(false);
    expect(reply.content).toBe("");
  });
});
