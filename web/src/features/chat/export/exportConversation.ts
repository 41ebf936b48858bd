/** A conversation as a Markdown or JSON file: every message (all pages), downloaded as a Blob named from the title. */
import type { Conversation, Message } from "@/api/types";

export type ExportFormat = "markdown" | "json";

const ROLE_HEADINGS: Record<string, string> = { user: "User", assistant: "Assistant", system: "System" };

/** A file name from a title: letters, digits, dashes; never empty. */
export function exportFileName(title: string, format: ExportFormat): string {
  const base =
    title
      .normalize("NFKD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 80) || "conversation";
  return `${base}.${format === "markdown" ? "md" : "json"}`;
}

export function toMarkdown(conversation: Conversation, messages: Message[]): string {
  const lines = [`# ${conversation.title || "Untitled conversation"}`, ""];
  lines.push(`- Created: ${conversation.created_at}`);
  if (conversation.model) lines.push(`- Model: ${conversation.model}`);
  lines.push(`- Messages: ${messages.length}`, "");
  for (const message of messages) {
    const heading = ROLE_HEADINGS[message.role] ?? message.role;
    const model = message.role === "assistant" && message.model ? ` (${message.model})` : "";
    lines.push(`## ${heading}${model}`, "");
    if (message.thinking) {
      lines.push("<details><summary>Thinking</summary>", "", message.thinking, "", "</details>", "");
    }
    lines.push(message.content, "");
    if (message.sources && message.sources.length > 0) {
      lines.push("Sources:", "");
      for (const source of message.sources) {
        const page = source.page === null ? "" : `, page ${source.page}`;
        lines.push(`${source.n}. ${source.filename}${page}`);
      }
      lines.push("");
    }
    if (message.status !== "complete" && message.role === "assistant") lines.push(`_(${message.status})_`, "");
  }
  return lines.join("\n").trimEnd() + "\n";
}

export function toJson(conversation: Conversation, messages: Message[]): string {
  return JSON.stringify({ conversation, messages }, null, 2) + "\n";
}

export function exportContent(format: ExportFormat, conversation: Conversation, messages: Message[]): Blob {
  return format === "markdown"
    ? new Blob([toMarkdown(conversation, messages)], { type: "text/markdown;charset=utf-8" })
    : new Blob([toJson(conversation, messages)], { type: "application/json" });
}

/** Starts the browser's download of `blob` as `filename`. */
export function downloadBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  link.rel = "noopener";
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
