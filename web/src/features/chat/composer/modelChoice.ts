/** Which model a turn uses, and how the picker groups and describes the models. */
import type { Model, ProviderHealth } from "@/api/types";

/** The conversation's model, else the API's default, else the first model; only models that exist. */
export function preselectModel(
  models: Model[],
  conversationModel: string | null | undefined,
  defaultModel: string | null | undefined,
): string | null {
  for (const candidate of [conversationModel, defaultModel]) {
    const found = candidate ? findModel(models, candidate) : undefined;
    if (found) return found.id;
  }
  return models[0]?.id ?? null;
}

/** A model by its qualified id (`provider/name`) or, as the API allows, its bare name. */
export function findModel(models: Model[], id: string): Model | undefined {
  return models.find((m) => m.id === id) ?? models.find((m) => m.name === id || m.id.endsWith(`/${id}`));
}

export interface ModelGroup {
  provider: string;
  status: string;
  models: Model[];
}

/** Models grouped by provider, in the order providers first appear; each with its provider's health. */
export function groupByProvider(models: Model[], providers: ProviderHealth[]): ModelGroup[] {
  const groups = new Map<string, ModelGroup>();
  for (const model of models) {
    let group = groups.get(model.provider);
    if (!group) {
      const status = providers.find((p) => p.name === model.provider)?.status ?? "unknown";
      group = { provider: model.provider, status, models: [] };
      groups.set(model.provider, group);
    }
    group.models.push(model);
  }
  return [...groups.values()];
}

/** A context window as people say it: 128000 → "128k", 1048576 → "1M", 4096 → "4k". */
export function formatTokens(tokens: number): string {
  if (tokens >= 1_000_000) return `${trim(tokens / 1_000_000)}M`;
  if (tokens >= 1_000) return `${trim(tokens / 1_000)}k`;
  return String(tokens);
}

function trim(value: number): string {
  return value >= 10 ? String(Math.round(value)) : String(Math.round(value * 10) / 10);
}

/** The models a 413 `context_too_long` says would fit: `details.models` if given, else the ids named in its
 * suggestions ("use a model with a larger context window: <id>"), else the known models whose window holds
 * `requested + reserved_output`; only models that exist, never the one that failed. */
export function modelsThatFit(details: Record<string, unknown>, models: Model[], failed: string): Model[] {
  const ids = new Set<string>();
  if (Array.isArray(details.models)) for (const id of details.models) if (typeof id === "string") ids.add(id);
  if (Array.isArray(details.suggestions)) {
    for (const text of details.suggestions) {
      const match = typeof text === "string" ? /larger context window:\s*(\S+)\s*$/.exec(text) : null;
      if (match?.[1]) ids.add(match[1]);
    }
  }
  if (ids.size === 0 && typeof details.requested === "number") {
    const need = details.requested + (typeof details.reserved_output === "number" ? details.reserved_output : 0);
    for (const m of [...models].sort((a, b) => a.context_window - b.context_window)) {
      if (m.context_window >= need) ids.add(m.id);
    }
  }
  const failedModel = findModel(models, failed);
  return [...ids]
    .map((id) => findModel(models, id))
    .filter((m): m is Model => m !== undefined && m.id !== failedModel?.id)
    .filter((m, index, all) => all.indexOf(m) === index)
    .slice(0, 3);
}
