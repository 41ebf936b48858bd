/** Stand-ins for the streaming hook and the message list (their own tests cover them), so the chat screen's
 * tests can start, finish and stop replies by hand and press the list's buttons. */
import { useCallback, useRef, useState } from "react";

import type { Message, Model } from "@/api/types";

import { newReply } from "../stream/replyEvents";
import type { LiveReply } from "../stream/useReplyStream";

export interface StartArgs {
  streamUrl: string;
  conversationId: string;
  model: string;
  sentAt: number;
}

export const streamControl: {
  starts: StartArgs[];
  stops: number;
  finish: (patch?: Partial<LiveReply>) => void;
} = { starts: [], stops: 0, finish: () => {} };

export function resetStream(): void {
  streamControl.starts = [];
  streamControl.stops = 0;
  streamControl.finish = () => {};
}

function liveReply(args: StartArgs): LiveReply {
  return { ...newReply(args), status: "streaming" };
}

export function useReplyStream(options: { onFinished: (reply: LiveReply) => void }) {
  const [reply, setReply] = useState<LiveReply | null>(null);
  const onFinished = useRef(options.onFinished);
  onFinished.current = options.onFinished;
  const start = useCallback((args: StartArgs) => {
    streamControl.starts.push(args);
    const started = liveReply(args);
    setReply(started);
    streamControl.finish = (patch = {}) => {
      const done = { ...started, status: "done" as const, ...patch };
      setReply(done);
      onFinished.current(done);
    };
  }, []);
  const stop = useCallback(() => {
    streamControl.stops += 1;
    streamControl.finish({ status: "stopped" });
  }, []);
  const clear = useCallback(() => setReply(null), []);
  return { reply, start, stop, clear };
}

export function MessageList(props: {
  messages: Message[];
  live: LiveReply | null;
  models: Model[];
  busy: boolean;
  onRegenerate: () => void;
  onEditAndResend: (messageId: string, content: string) => void;
  onRetry: () => void;
}) {
  const firstUser = props.messages.find((m) => m.role === "user");
  return (
    <div>
      {props.messages.map((m) => (
        <div key={m.id} data-testid={`${m.role}-message`}>
          {m.content}
        </div>
      ))}
      {props.live && (
        <div data-testid="live-reply" data-status={props.live.status}>
          {props.live.content}
        </div>
      )}
      <button type="button" onClick={props.onRegenerate}>
        Regenerate
      </button>
      {firstUser && (
        <button type="button" onClick={() => props.onEditAndResend(firstUser.id, "edited question")}>
          Edit
        </button>
      )}
    </div>
  );
}
