import { act, cleanup, render } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { replyStats } from "@/lib/replyStats";

import { FakeEventSource, manualFrames } from "./fakeEventSource";
import { STREAM_UNAVAILABLE, useReplyStream, type LiveReply } from "./useReplyStream";

afterEach(cleanup);

const frames = manualFrames();
let renders = 0;
let api: ReturnType<typeof useReplyStream>;
const finished: LiveReply[] = [];

function Harness() {
  renders += 1;
  api = useReplyStream({ onFinished: (reply) => finished.push(reply) });
  return <output data-testid="content">{api.reply?.content}</output>;
}

function open() {
  render(<Harness />);
  act(() => api.start({ streamUrl: "http://stream/stream/tok", conversationId: "c1", model: "demo/echo", sentAt: Date.now() }));
  return FakeEventSource.latest();
}

beforeEach(() => {
  FakeEventSource.instances = [];
  vi.stubGlobal("EventSource", FakeEventSource);
  frames.install();
  renders = 0;
  finished.length = 0;
  replyStats.set([]);
});
afterEach(() => vi.unstubAllGlobals());

describe("useReplyStream", () => {
  it("opens the one-use URL and applies events per frame", () => {
    const source = open();
    expect(source.url).toBe("http://stream/stream/tok");
    act(() => {
      source.emit("start", { message_id: "m1", conversation_id: "c1", model: "demo/echo" }, 1);
      source.emit("content", { delta: "Hel" }, 2);
      source.emit("content", { delta: "lo" }, 3);
    });
    expect(api.reply?.content).toBe(""); // nothing until the frame
    act(() => void frames.runFrame());
    expect(api.reply).toMatchObject({ content: "Hello", status: "streaming", messageId: "m1" });
    expect(api.reply?.rawEvents.map((e) => [e.id, e.event])).toEqual([
      ["1", "start"],
      ["2", "content"],
      ["3", "content"],
    ]);
  });

  it("done closes the source, flushes at once, calls onFinished and records the timings", () => {
    const source = open();
    const usage = { input_tokens: 3, output_tokens: 7, total_tokens: 10, estimated: false };
    act(() => {
      source.emit("start", { message_id: "m1", conversation_id: "c1", model: "demo/echo" });
      source.emit("content", { delta: "Hi" });
      source.emit("done", { message_id: "m1", usage, stop_reason: "stop" });
    });
    expect(source.closed).toBe(true);
    expect(api.reply).toMatchObject({ status: "done", content: "Hi", usage, stopReason: "stop" });
    expect(finished).toHaveLength(1);
    expect(finished[0]?.status).toBe("done");
    expect(replyStats.get()[0]).toMatchObject({ messageId: "m1", outputTokens: 7, stopReason: "stop" });
    expect(replyStats.get()[0]?.timeToFirstTokenMs).not.toBeNull();
  });

  it("a server error event closes the source and ends with the error", () => {
    const source = open();
    act(() => {
      source.emit("start", { message_id: "m1" });
      source.emit("content", { delta: "part" });
      source.emit("error", { code: "provider_error", message: "upstream broke" });
    });
    expect(source.closed).toBe(true);
    expect(api.reply).toMatchObject({ status: "error", content: "part", error: { code: "provider_error" } });
    expect(finished).toHaveLength(1);
    act(() => source.emit("done", { message_id: "m1", stop_reason: "error" })); // after close: ignored
    expect(finished).toHaveLength(1);
  });

  it("a native error (404/410 or network) closes the source: no reconnect with the used token", () => {
    const source = open();
    act(() => source.fail());
    expect(source.closed).toBe(true);
    expect(FakeEventSource.instances).toHaveLength(1);
    expect(api.reply).toMatchObject({ status: "error", error: { code: "stream_unavailable", message: STREAM_UNAVAILABLE } });
    expect(finished).toHaveLength(1);
  });

  it("a native error mid-stream says the connection was lost and keeps the partial answer", () => {
    const source = open();
    act(() => {
      source.emit("start", { message_id: "m1" });
      source.emit("content", { delta: "half" });
      source.fail();
    });
    expect(api.reply).toMatchObject({ status: "error", content: "half", error: { code: "stream_interrupted" } });
  });

  it("stop closes the source and keeps the partial answer as stopped", () => {
    const source = open();
    act(() => {
      source.emit("start", { message_id: "m1" });
      source.emit("content", { delta: "partial" });
    });
    act(() => api.stop());
    expect(source.closed).toBe(true);
    expect(api.reply).toMatchObject({ status: "stopped", content: "partial", stopReason: "client_disconnected" });
    expect(finished.map((r) => r.status)).toEqual(["stopped"]);
    act(() => api.stop()); // twice: nothing more
    expect(finished).toHaveLength(1);
  });

  it("clear closes the source and forgets the reply", () => {
    const source = open();
    act(() => api.clear());
    expect(source.closed).toBe(true);
    expect(api.reply).toBeNull();
    expect(finished).toHaveLength(0);
  });

  it("renders are bounded by frames, not by events: 2,000 tokens in 10 frames", () => {
    const source = open();
    act(() => source.emit("start", { message_id: "m1" }));
    const before = renders;
    const started = performance.now();
    for (let frame = 0; frame < 10; frame += 1) {
      // Each event in its own act(), as each SSE message is its own task in a browser (no React batching).
      for (let token = 0; token < 200; token += 1) act(() => source.emit("content", { delta: "x" }));
      act(() => void frames.runFrame());
    }
    const elapsed = performance.now() - started;
    const rendersForTokens = renders - before;
    expect(api.reply?.content).toHaveLength(2000);
    expect(rendersForTokens).toBeLessThanOrEqual(10);
    console.info(`2,000 content events: ${rendersForTokens} renders in 10 frames, ${elapsed.toFixed(0)} ms`);
  });
});
