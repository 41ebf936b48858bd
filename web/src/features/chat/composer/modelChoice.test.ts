import { describe, expect, it } from "vitest";

import { model, provider } from "../testKit/api";
import { findModel, formatTokens, groupByProvider, modelsThatFit, preselectModel } from "./modelChoice";

const models = [
  model("ollama/llama3.2", 131072, { tools: true }),
  model("openai/gpt-4o-mini", 128000, { tools: true }),
  model("ollama/qwen3", 40960, { thinking: true }),
  model("demo/echo", 8192),
];

describe("preselectModel", () => {
  it("takes the conversation's model first", () => {
    expect(preselectModel(models, "ollama/qwen3", "demo/echo")).toBe("ollama/qwen3");
  });
  it("accepts the conversation's model by its bare name", () => {
    expect(preselectModel(models, "gpt-4o-mini", "demo/echo")).toBe("openai/gpt-4o-mini");
  });
  it("falls back to the API's default model", () => {
    expect(preselectModel(models, null, "demo/echo")).toBe("demo/echo");
  });
  it("skips a conversation model that no longer exists", () => {
    expect(preselectModel(models, "gone/model", "demo/echo")).toBe("demo/echo");
  });
  it("falls back to the first model", () => {
    expect(preselectModel(models, undefined, null)).toBe("ollama/llama3.2");
    expect(preselectModel(models, undefined, "unknown/x")).toBe("ollama/llama3.2");
  });
  it("has nothing to pick without models", () => {
    expect(preselectModel([], "demo/echo", "demo/echo")).toBeNull();
  });
});

describe("groupByProvider", () => {
  it("groups models in the order providers first appear, with each provider's health", () => {
    const groups = groupByProvider(models, [provider("ollama", "degraded"), provider("openai", "ok")]);
    expect(groups.map((g) => [g.provider, g.status, g.models.map((m) => m.id)])).toEqual([
      ["ollama", "degraded", ["ollama/llama3.2", "ollama/qwen3"]],
      ["openai", "ok", ["openai/gpt-4o-mini"]],
      ["demo", "unknown", ["demo/echo"]],
    ]);
  });
});

describe("formatTokens", () => {
  it.each([
    [128000, "128k"],
    [131072, "131k"],
    [8192, "8.2k"],
    [4096, "4.1k"],
    [1048576, "1M"],
    [2000000, "2M"],
    [512, "512"],
  ])("%i → %s", (tokens, text) => expect(formatTokens(tokens)).toBe(text));
});

describe("modelsThatFit", () => {
  it("reads the model ids out of a 413's suggestions", () => {
    const details = {
      limit: 8192,
      requested: 9000,
      reserved_output: 256,
      suggestions: [
        "use a model with a larger context window: ollama/qwen3",
        "use a model with a larger context window: openai/gpt-4o-mini",
        "start a new conversation",
      ],
    };
    expect(modelsThatFit(details, models, "demo/echo").map((m) => m.id)).toEqual(["ollama/qwen3", "openai/gpt-4o-mini"]);
  });
  it("computes them from the sizes when the suggestions name none", () => {
    const details = { requested: 100000, reserved_output: 1000, suggestions: ["start a new conversation"] };
    expect(modelsThatFit(details, models, "demo/echo").map((m) => m.id)).toEqual(["openai/gpt-4o-mini", "ollama/llama3.2"]);
  });
  it("never offers the model that failed, nor unknown ones", () => {
    const details = { suggestions: ["use a model with a larger context window: demo/echo", "use a model with a larger context window: x/y"] };
    expect(modelsThatFit(details, models, "demo/echo")).toEqual([]);
  });
  it("finds models by bare name", () => {
    expect(findModel(models, "qwen3")?.id).toBe("ollama/qwen3");
  });
});
