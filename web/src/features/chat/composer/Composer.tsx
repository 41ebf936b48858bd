/** The message box: grows with its text; Enter sends, Shift+Enter starts a new line, Esc stops the reply. */
import { Send, Square } from "lucide-react";
import { useLayoutEffect, useRef, useState, type KeyboardEvent, type ReactNode } from "react";

const MAX_HEIGHT_PX = 240;

export function Composer(props: {
  /** Sends the text; the box empties at once (a failed turn offers "Retry" with the same text). */
  onSend: (content: string) => void;
  onStop: () => void;
  streaming: boolean;
  /** Why sending is not possible right now (no model, loading…); null when it is. */
  blockedReason: string | null;
  toolbar?: ReactNode;
}) {
  const [text, setText] = useState("");
  const area = useRef<HTMLTextAreaElement>(null);

  useLayoutEffect(() => {
    const node = area.current;
    if (!node) return;
    node.style.height = "auto";
    node.style.height = `${Math.min(node.scrollHeight, MAX_HEIGHT_PX)}px`;
  }, [text]);

  const empty = text.trim() === "";
  const reason = props.streaming ? "A reply is streaming: stop it or wait for it to finish" : props.blockedReason;
  const canSend = !empty && reason === null;

  function send() {
    if (!canSend) return;
    props.onSend(text);
    setText("");
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      send();
    } else if (event.key === "Escape" && props.streaming) {
      event.preventDefault();
      props.onStop();
    }
  }

  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        send();
      }}
      className="rounded-xl border border-zinc-300 bg-white shadow-sm focus-within:border-blue-500 dark:border-zinc-700 dark:bg-zinc-900"
    >
      <textarea
        ref={area}
        aria-label="Message"
        aria-describedby="composer-hint"
        rows={1}
        value={text}
        onChange={(event) => setText(event.target.value)}
        onKeyDown={onKeyDown}
        placeholder="Message"
        className="block max-h-60 w-full resize-none bg-transparent px-3 pt-3 text-sm outline-none placeholder:text-zinc-400"
      />
      <div className="flex flex-wrap items-center gap-2 px-2 pb-2 pt-1">
        <div className="flex min-w-0 flex-1 flex-wrap items-center gap-2">{props.toolbar}</div>
        {props.streaming ? (
          <button
            type="button"
            onClick={props.onStop}
            className="inline-flex items-center gap-1 rounded-md bg-zinc-800 px-3 py-1.5 text-sm font-medium text-white hover:bg-zinc-700 dark:bg-zinc-100 dark:text-zinc-900 dark:hover:bg-zinc-300"
          >
            <Square aria-hidden className="size-3.5" /> Stop
          </button>
        ) : (
          <button
            type="submit"
            disabled={!canSend}
            title={reason ?? (empty ? "Type a message to send" : "Send (Enter)")}
            className="inline-flex items-center gap-1 rounded-md bg-blue-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-blue-700 disabled:cursor-not-allowed disabled:opacity-50"
          >
            <Send aria-hidden className="size-3.5" /> Send
          </button>
        )}
      </div>
      <p id="composer-hint" className="px-3 pb-2 text-xs text-zinc-500 dark:text-zinc-400">
        {reason ?? "Enter sends · Shift+Enter new line · Esc stops"}
      </p>
    </form>
  );
}
