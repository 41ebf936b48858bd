/** How markdown elements render: safe links and images, code blocks with a label and Copy, scrollable tables. */
import type { Element, ElementContent } from "hast";
import { ImageOff } from "lucide-react";
import type { ComponentProps, MouseEvent } from "react";
import type { Components } from "react-markdown";

import { CopyButton } from "./CopyButton";

export const EXTERNAL_REL = "noopener noreferrer nofollow";

export function hastText(node: ElementContent | Element): string {
  if (node.type === "text") return node.value;
  if (node.type === "element") return node.children.map(hastText).join("");
  return "";
}

export function isSameOrigin(url: string): boolean {
  try {
    return new URL(url, window.location.href).origin === window.location.origin;
  } catch {
    return false;
  }
}

/** A citation jumps to its source in the same message (each message numbers its own sources from 1, so the
 * source items carry `data-source="<n>"` and a page-unique id). */
function jumpToSource(event: MouseEvent<HTMLAnchorElement>) {
  const n = event.currentTarget.getAttribute("href")?.replace(/^#source-/, "");
  if (!n) return;
  const scope = event.currentTarget.closest("[data-message]") ?? document;
  const target = scope.querySelector<HTMLElement>(`[data-source="${CSS.escape(n)}"]`);
  if (!target) return;
  event.preventDefault();
  target.scrollIntoView?.({ block: "nearest", behavior: "smooth" });
  target.focus({ preventScroll: true });
}

function Anchor({ href, children, node: _node, ...rest }: ComponentProps<"a"> & { node?: Element }) {
  // `javascript:` and other unsafe URLs arrive here emptied by react-markdown's urlTransform: no link at all.
  if (!href) return <span>{children}</span>;
  if (href.startsWith("#source-")) {
    return (
      <a {...rest} href={href} onClick={jumpToSource}>
        {children}
      </a>
    );
  }
  if (href.startsWith("#")) return <a href={href}>{children}</a>;
  return (
    <a href={href} target="_blank" rel={EXTERNAL_REL}>
      {children}
    </a>
  );
}

function Image({ src, alt }: ComponentProps<"img"> & { node?: Element }) {
  const url = typeof src === "string" ? src : "";
  if (url && isSameOrigin(url)) return <img src={url} alt={alt ?? ""} loading="lazy" />;
  const label = alt || "image";
  if (!url) return <span>{label}</span>;
  // Images from other origins are never loaded (no tracking pixels, no leaking the reader): a link instead.
  return (
    <a href={url} target="_blank" rel={EXTERNAL_REL} className="md-image-link" title="Image not loaded: open it">
      <ImageOff aria-hidden className="inline size-3.5" /> {label}
    </a>
  );
}

function CodeBlock({ node, children }: ComponentProps<"pre"> & { node?: Element }) {
  const code = node?.children.find((child): child is Element => child.type === "element" && child.tagName === "code");
  const classes = code?.properties.className;
  const language = (Array.isArray(classes) ? classes : [])
    .map(String)
    .find((name) => name.startsWith("language-"))
    ?.slice("language-".length);
  const text = code ? hastText(code).replace(/\n$/, "") : "";
  return (
    <div className="md-code">
      <div className="md-code-header">
        <span>{language ?? "text"}</span>
        <CopyButton text={text} label="Copy code" />
      </div>
      <pre>{children}</pre>
    </div>
  );
}

function Table({ node: _node, ...props }: ComponentProps<"table"> & { node?: Element }) {
  return (
    <div className="md-table">
      <table {...props} />
    </div>
  );
}

function Input({ type, checked }: ComponentProps<"input"> & { node?: Element }) {
  if (type !== "checkbox") return null;
  return <input type="checkbox" checked={Boolean(checked)} readOnly disabled aria-label={checked ? "Done" : "To do"} />;
}

export const markdownComponents: Components = { a: Anchor, img: Image, pre: CodeBlock, table: Table, input: Input };
