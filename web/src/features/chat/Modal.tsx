/** A modal dialog on the native <dialog> (showModal: the page behind is inert, Esc closes, focus returns),
 * rather than Radix Dialog, to keep the chat's initial bundle small. */
import { useEffect, useId, useRef, type ReactNode } from "react";

import { cn } from "@/lib/cn";

export function Modal(props: {
  open: boolean;
  onClose: () => void;
  title: string;
  description: ReactNode;
  className?: string;
  children: ReactNode;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const descriptionId = useId();

  useEffect(() => {
    const node = dialog.current;
    if (!node) return;
    if (props.open && !node.open) {
      if (typeof node.showModal === "function") node.showModal();
      else node.setAttribute("open", "");
    } else if (!props.open && node.open) {
      if (typeof node.close === "function") node.close();
      else node.removeAttribute("open");
    }
  }, [props.open]);

  return (
    <dialog
      ref={dialog}
      aria-labelledby={titleId}
      aria-describedby={descriptionId}
      onClose={props.onClose}
      onCancel={(event) => {
        event.preventDefault();
        props.onClose();
      }}
      onKeyDown={(event) => {
        if (event.key === "Escape") {
          event.preventDefault();
          props.onClose();
        }
      }}
      onClick={(event) => event.target === dialog.current && props.onClose()}
      className={cn(
        "m-auto w-[min(92vw,26rem)] rounded-lg border border-zinc-200 bg-white p-4 text-zinc-900 shadow-xl backdrop:bg-black/40 dark:border-zinc-800 dark:bg-zinc-900 dark:text-zinc-100",
        props.className,
      )}
    >
      {props.open && (
        <>
          <h2 id={titleId} className="text-base font-semibold">
            {props.title}
          </h2>
          <div id={descriptionId} className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">
            {props.description}
          </div>
          {props.children}
        </>
      )}
    </dialog>
  );
}
