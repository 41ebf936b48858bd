import { describe, expect, it } from "vitest";

import { conversation, message } from "../testKit/api";
import { exportContent, exportFileName, toJson, toMarkdown } from "./exportConversation";

const conv = conversation("c1", "Why is the sky blue?", { model: "demo/echo" });
const messages = [
  message("m1", "user", "Why is the sky blue?"),
  message("m2", "assistant", "Rayleigh scattering [1].", {
    thinking: "Light scatters.",
    sources: [
      { n: 1, document_id: "d1", filename: "physics.pdf", page: 3, chunk_id: "k", score: 1, snippet: "…", document_deleted: false },
    ],
  }),
  message("m3", "assistant", "Partial", { status: "incomplete" }),
];

describe("exports", () => {
  it("writes Markdown with a heading per message, thinking, sources and the status of a broken reply", () => {
    const text = toMarkdown(conv, messages);
    expect(text).toMatch(/^# Why is the sky blue\?\n/);
    expect(text).toContain("## User\n\nWhy is the sky blue?");
    expect(text).toContain("## Assistant (demo/echo)");
    expect(text).toContain("<details><summary>Thinking</summary>\n\nLight scatters.");
    expect(text).toContain("Rayleigh scattering [1].");
    expect(text).toContain("1. physics.pdf, page 3");
    expect(text).toContain("_(incomplete)_");
    expect(text.indexOf("## User")).toBeLessThan(text.indexOf("Rayleigh"));
  });

  it("writes JSON with the conversation and every message", () => {
    const parsed = JSON.parse(toJson(conv, messages)) as { conversation: { id: string }; messages: { id: string }[] };
    expect(parsed.conversation.id).toBe("c1");
    expect(parsed.messages.map((m) => m.id)).toEqual(["m1", "m2", "m3"]);
  });

  it("names the file from the title", () => {
    expect(exportFileName("Why is the sky blue?", "markdown")).toBe("why-is-the-sky-blue.md");
    expect(exportFileName("Café / Straße", "json")).toBe("cafe-stra-e.json");
    expect(exportFileName("???", "json")).toBe("conversation.json");
  });

  it("gives a Blob of the right type", async () => {
    const blob = exportContent("json", conv, messages);
    expect(blob.type).toBe("application/json");
    expect(await blob.text()).toContain('"m3"');
    expect(exportContent("markdown", conv, messages).type).toContain("text/markdown");
  });
});
