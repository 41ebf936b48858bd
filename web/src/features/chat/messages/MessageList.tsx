/** The conversation's messages, oldest first, then the reply being streamed. */
import { useLayoutEffect, useRef, type RefObject } from "react";

import type { Message, Model } from "@/api/types";

import type { LiveReply } from "../stream/useReplyStream";
import { AssistantMessage } from "./AssistantMessage";
import { UserMessage } from "./UserMessage";
import { findModel, liveView, storedView } from "./view";

/** How close to the bottom (px) the reader must be for the list to follow a streaming reply. */
export const FOLLOW_THRESHOLD_PX = 120;

function scrollParent(element: HTMLElement | null): HTMLElement | null {
  for (let node = element?.parentElement ?? null; node; node = node.parentElement) {
    const { overflowY } = getComputedStyle(node);
    if (overflowY === "auto" || overflowY === "scroll") return node;
  }
  return (document.scrollingElement as HTMLElement | null) ?? null;
}

/** Keep the newest text in view while it streams, unless the reader scrolled up. The measuring (scroll height,
 * which needs a layout) runs in the next animation frame, where the browser lays the page out anyway, not inside
 * React's commit, where it would force a layout of its own into the render's task. */
function useFollow(end: RefObject<HTMLDivElement | null>, signal: unknown) {
  const previousHeight = useRef<number | null>(null);
  const scroller = useRef<HTMLElement | null | undefined>(undefined); // found once: getComputedStyle is not free
  const frame = useRef<number | null>(null);
  useLayoutEffect(() => {
    if (frame.current !== null) return; // one measurement per frame, however many commits
    frame.current = requestAnimationFrame(() => {
      frame.current = null;
      if (scroller.current === undefined) scroller.current = scrollParent(end.current);
      const element = scroller.current;
      if (!element) return;
      const before = previousHeight.current ?? element.scrollHeight;
      if (before - element.scrollTop - element.clientHeight < FOLLOW_THRESHOLD_PX) element.scrollTop = element.scrollHeight;
      previousHeight.current = element.scrollHeight;
    });
  }, [end, signal]);
  useLayoutEffect(
    () => () => {
      if (frame.current !== null) cancelAnimationFrame(frame.current);
    },
    [],
  );
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
  const { messages, live } = props;
  const end = useRef<HTMLDivElement>(null);
  // Once the finished reply is among the stored messages, it shows from there (with the live raw events).
  const liveStored = live?.messageId ? messages.some((message) => message.id === live.messageId) : false;
  const showLive = live !== null && !liveStored;
  const lastIndex = messages.length - 1;
  useFollow(end, live ? `${live.content.length}:${live.thinking.length}:${live.status}` : messages.length);
  // The live reply is keyed by its message id in the same list as the stored messages, so when the stored copy
  // replaces it React keeps the component (the thinking panel stays as the reader left it).
  const items = messages.map((message, index) =>
    message.role === "user" ? (
      <UserMessage key={message.id} message={message} busy={props.busy} onEditAndResend={props.onEditAndResend} />
    ) : (
      <AssistantMessage
        key={message.id}
        view={{
          ...storedView(message),
          rawEvents: live && live.messageId === message.id ? live.rawEvents : null,
        }}
        model={findModel(props.models, message.model)}
        last={!showLive && index === lastIndex}
        busy={props.busy}
        onRegenerate={props.onRegenerate}
        onRetry={props.onRetry}
      />
    ),
  );
  if (showLive) {
    items.push(
      <AssistantMessage
        key={live.messageId ?? "live"}
        view={liveView(live)}
        model={findModel(props.models, live.model)}
        last
        busy={props.busy}
        onRegenerate={props.onRegenerate}
        onRetry={props.onRetry}
      />,
    );
  }
  return (
    <div className="flex flex-col gap-6">
      {items}
      <div ref={end} aria-hidden />
    </div>
  );
}
