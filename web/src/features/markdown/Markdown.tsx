/**
 * Markdown for answers. UI tags are split out first through an allowlist (uiTags.ts) and rendered as
 * components; the rest goes to the lazily loaded renderer (MarkdownText.tsx), shown as plain text until then.
 */
import "./markdown.css";

import { useMemo } from "react";

import type { Source } from "@/api/types";

import { loadRenderer, useRenderer } from "./renderer";
import { UiTag } from "./UiTag";
import { splitUiTags } from "./uiTags";

// Start fetching the renderer as soon as the chat screen's code runs, not when the first answer arrives.
void loadRenderer();

function Text({ text, numbers }: { text: string; numbers: string }) {
  const Renderer = useRenderer();
  if (Renderer) return <Renderer text={text} numbers={numbers} />;
  return text
    .split(/\n{2,}/)
    .filter((paragraph) => paragraph.trim())
    .map((paragraph, i) => (
      <p key={i} className="whitespace-pre-wrap">
        {paragraph}
      </p>
    ));
}

export function Markdown(props: { content: string; sources?: Source[] }) {
  const segments = useMemo(() => splitUiTags(props.content), [props.content]);
  const numbers = useMemo(() => (props.sources ?? []).map((source) => source.n).join(","), [props.sources]);
  const plain = (text: string) => <Text text={text} numbers={numbers} />;
  return (
    <div className="md">
      {segments.map((segment, i) =>
        segment.kind === "markdown" ? (
          <Text key={i} text={segment.text} numbers={numbers} />
        ) : (
          <UiTag key={i} segment={segment} renderText={plain} />
        ),
      )}
    </div>
  );
}
