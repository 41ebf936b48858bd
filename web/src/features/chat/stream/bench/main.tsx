/**
 * A browser-run check (not part of the app): a reply streamed at 2,000 tokens/s into the real MessageList,
 * each token its own task (as EventSource delivers them). It reports renders, frames and long tasks (> 50 ms)
 * on `window.benchResult`, with the time React takes per render (render + commit, before layout). Run: stream/bench/run.mjs (builds this page and drives headless Chromium).
 */
import "@/styles.css";

import { useEffect, useLayoutEffect } from "react";
import { createRoot } from "react-dom/client";

import { MessageList } from "../../messages/MessageList";
import { FakeEventSource } from "../fakeEventSource";
import { useReplyStream } from "../useReplyStream";

const params = new URLSearchParams(location.search);
const TOKENS_PER_SECOND = Number(params.get("rate") ?? 2000);
const SECONDS = Number(params.get("seconds") ?? 8);

const SAMPLE = `## Why the sky is blue

Sunlight is a mix of colours. Air molecules scatter **short wavelengths** far more than long ones (Rayleigh scattering, proportional to $1/\\lambda^4$), so blue light reaches us from every direction [1].

- Violet scatters even more, but the Sun emits less of it and our eyes are less sensitive to it.
- At sunset the light crosses more air: the blue is scattered away and *reds* remain.
- [x] Explained with a table below

| colour | wavelength (nm) | relative scattering |
|---|---|---|
| blue | 450 | 5.5 |
| red | 700 | 1.0 |

\`\`\`python
def scattering(wavelength_nm: float) -> float:
    return (700 / wavelength_nm) ** 4
\`\`\`

`;

const PLAIN = "Sunlight is a mix of colours and air molecules scatter short wavelengths far more than long ones. ";

function tokens(count: number): string[] {
  const kind = params.get("sample");
  let text = kind === "plain" ? PLAIN : SAMPLE;
  if (kind === "nomath") text = text.replace(/\$[^$]+\$/g, "1/λ⁴");
  if (kind === "nocode") text = text.replace(/```[\s\S]*?```/g, "");
  const words = text.match(/\s*\S+|\s+/g) ?? [];
  return Array.from({ length: count }, (_, i) => words[i % words.length] ?? " ");
}

declare global {
  interface Window {
    benchResult?: unknown;
  }
}

(globalThis as { EventSource: unknown }).EventSource = FakeEventSource;
const longTasks: number[] = [];
const longTaskTimes: string[] = [];
const t0 = performance.now();
new PerformanceObserver((list) => list.getEntries().forEach((entry) => {
    longTasks.push(entry.duration);
    longTaskTimes.push(`${Math.round(entry.startTime - t0)}:${Math.round(entry.duration)}`);
  })).observe({
  type: "longtask",
  buffered: true,
});
let commits = 0;
const renderMs: number[] = [];
const quantile = (q: number) => [...renderMs].sort((a, b) => a - b)[Math.floor(q * (renderMs.length - 1))] ?? 0;
let frames = 0;
const countFrames = () => {
  frames += 1;
  requestAnimationFrame(countFrames);
};
requestAnimationFrame(countFrames);

function Bench() {
  const renderStarted = performance.now();
  useLayoutEffect(() => {
    commits += 1;
    renderMs.push(performance.now() - renderStarted);
  });
  const stream = useReplyStream({
    onFinished: (reply) => {
      window.benchResult = {
        tokens: TOKENS_PER_SECOND * SECONDS,
        contentChars: reply.content.length,
        commits,
        renderMsP50: quantile(0.5).toFixed(1),
        renderMsP95: quantile(0.95).toFixed(1),
        renderMsMax: quantile(1).toFixed(1),
        frames,
        longTasks: longTasks.length,
        longestTaskMs: Math.max(0, ...longTasks),
        longTaskTimes: longTaskTimes.join(" "),
        elapsedMs: Date.now() - reply.sentAt,
      };
    },
  });
  useEffect(() => {
    stream.start({ streamUrl: "bench://", conversationId: "c", model: "bench", sentAt: Date.now() });
    const source = FakeEventSource.latest();
    const all = tokens(TOKENS_PER_SECOND * SECONDS);
    const channel = new MessageChannel();
    let sent = 0;
    channel.port1.onmessage = () => {
      const delta = all[sent];
      sent += 1;
      if (delta !== undefined) source.emit("content", { delta }, sent);
      if (sent === all.length) {
        source.emit("usage", { input_tokens: 10, output_tokens: all.length, total_tokens: all.length + 10, estimated: false });
        source.emit("done", { message_id: "m", stop_reason: "stop" });
      }
    };
    source.emit("start", { message_id: "m", conversation_id: "c", model: "bench" });
    const started = performance.now();
    let posted = 0;
    const timer = setInterval(() => {
      const due = Math.min(all.length, Math.floor(((performance.now() - started) / 1000) * TOKENS_PER_SECOND));
      for (; posted < due; posted += 1) channel.port2.postMessage(null); // one task per token
      if (posted === all.length) clearInterval(timer);
    }, 4);
    return () => clearInterval(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  return (
    <MessageList messages={[]} live={stream.reply} models={[]} busy onRegenerate={() => {}} onEditAndResend={() => {}} onRetry={() => {}} />
  );
}

const root = document.getElementById("root");
if (root) createRoot(root).render(<Bench />);
