/** The system prompt picker: none (the default prompt applies) or one of the caller's or the global prompts. */
import type { Prompt } from "@/api/types";

export function PromptPicker(props: {
  prompts: Prompt[];
  value: string | null;
  onChange: (id: string | null) => void;
  disabled?: boolean;
}) {
  return (
    <select
      aria-label="System prompt"
      value={props.value ?? ""}
      disabled={props.disabled}
      onChange={(event) => props.onChange(event.target.value === "" ? null : event.target.value)}
      className="max-w-[11rem] truncate rounded-md border border-zinc-300 bg-white px-1.5 py-1 text-xs text-zinc-700 dark:border-zinc-700 dark:bg-zinc-950 dark:text-zinc-200"
    >
      <option value="">Default prompt</option>
      {props.prompts.map((prompt) => (
        <option key={prompt.id} value={prompt.id}>
          {prompt.name}
          {prompt.scope === "global" ? " (global)" : ""}
        </option>
      ))}
    </select>
  );
}
