/** A small accessible menu button (the WAI-ARIA menu pattern: arrows, Home/End, Esc, Tab), hand-written rather
 * than Radix DropdownMenu because the chat ships in the initial bundle and that one costs ~29 KB gzip. The
 * popup is `position: fixed` next to its button, so scrolling lists never clip it. */
import { useCallback, useEffect, useId, useLayoutEffect, useRef, useState, type CSSProperties, type KeyboardEvent, type ReactNode } from "react";

import { cn } from "@/lib/cn";

const ITEMS = '[role="menuitem"],[role="menuitemradio"],[role="option"]';

export function Menu(props: {
  label: string;
  /** "menu": a menu button of actions; "listbox": a combobox choosing one value (its name stays the label). */
  kind?: "menu" | "listbox";
  trigger: ReactNode;
  triggerClassName: string;
  title?: string;
  disabled?: boolean;
  /** below the button, right edges aligned (list rows), or above it, left edges aligned (the composer). */
  placement: "below-end" | "above-start";
  className: string;
  children: (close: () => void) => ReactNode;
}) {
  const [open, setOpen] = useState(false);
  const [style, setStyle] = useState<CSSProperties>({});
  const button = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLDivElement>(null);
  const id = useId();
  const kind = props.kind ?? "menu";

  const close = useCallback((refocus = true) => {
    setOpen(false);
    if (refocus) button.current?.focus();
  }, []);

  useLayoutEffect(() => {
    if (!open || !button.current) return;
    const rect = button.current.getBoundingClientRect();
    setStyle(
      props.placement === "below-end"
        ? { top: rect.bottom + 4, right: Math.max(window.innerWidth - rect.right, 4) }
        : { bottom: window.innerHeight - rect.top + 6, left: Math.max(rect.left, 4) },
    );
    const items = menu.current?.querySelectorAll<HTMLElement>(ITEMS);
    const checked = menu.current?.querySelector<HTMLElement>('[aria-checked="true"],[aria-selected="true"]');
    (checked ?? items?.[0])?.focus();
  }, [open, props.placement]);

  useEffect(() => {
    if (!open) return;
    const onPointerDown = (event: PointerEvent) => {
      const target = event.target as Node;
      if (!menu.current?.contains(target) && !button.current?.contains(target)) close(false);
    };
    document.addEventListener("pointerdown", onPointerDown);
    return () => document.removeEventListener("pointerdown", onPointerDown);
  }, [open, close]);

  function onKeyDown(event: KeyboardEvent) {
    const items = [...(menu.current?.querySelectorAll<HTMLElement>(ITEMS) ?? [])];
    const index = items.indexOf(document.activeElement as HTMLElement);
    const move = (to: number) => items[(to + items.length) % items.length]?.focus();
    if (event.key === "ArrowDown") move(index + 1);
    else if (event.key === "ArrowUp") move(index - 1);
    else if (event.key === "Home") move(0);
    else if (event.key === "End") move(items.length - 1);
    else if (event.key === "Escape") close();
    else if (event.key === "Tab") return close(false);
    else return;
    event.preventDefault();
    event.stopPropagation();
  }

  return (
    <>
      <button
        ref={button}
        type="button"
        role={kind === "listbox" ? "combobox" : undefined}
        aria-label={props.label}
        aria-haspopup={kind}
        aria-expanded={open}
        aria-controls={open ? id : undefined}
        title={props.title}
        disabled={props.disabled}
        onClick={() => setOpen((value) => !value)}
        onKeyDown={(event) => {
          if (event.key === "ArrowDown" || event.key === "ArrowUp") {
            event.preventDefault();
            setOpen(true);
          }
        }}
        className={props.triggerClassName}
        data-state={open ? "open" : "closed"}
      >
        {props.trigger}
      </button>
      {open && (
        <div
          ref={menu}
          id={id}
          role={kind}
          aria-label={props.label}
          onKeyDown={onKeyDown}
          style={style}
          className={cn("fixed z-50 overflow-y-auto rounded-md border border-zinc-200 bg-white p-1 shadow-lg dark:border-zinc-700 dark:bg-zinc-900", props.className)}
        >
          {props.children(() => close())}
        </div>
      )}
    </>
  );
}

const ITEM =
  "flex w-full cursor-default select-none items-center gap-2 rounded px-2 py-1.5 text-left text-sm outline-none hover:bg-zinc-100 focus:bg-zinc-100 dark:hover:bg-zinc-800 dark:focus:bg-zinc-800";

/** An action of a menu, or (with `selected`) an option of a listbox. */
export function MenuItem(props: { onSelect: () => void; className?: string; children: ReactNode; selected?: boolean }) {
  const option = props.selected !== undefined;
  return (
    <button
      type="button"
      role={option ? "option" : "menuitem"}
      aria-selected={option ? props.selected : undefined}
      tabIndex={-1}
      onClick={props.onSelect}
      className={cn(ITEM, props.className)}
    >
      {props.children}
    </button>
  );
}
