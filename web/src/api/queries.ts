/** Server state shared across screens (TanStack Query). Feature-specific queries live with their feature. */
import { useQuery } from "@tanstack/react-query";

import { api, call } from "./client";

export const queryKeys = {
  me: ["me"] as const,
  models: ["models"] as const,
  providers: ["providers"] as const,
  prompts: ["prompts"] as const,
  tools: ["tools"] as const,
  documents: ["documents"] as const,
  conversations: ["conversations"] as const,
  conversation: (id: string) => ["conversations", id] as const,
  messages: (id: string) => ["conversations", id, "messages"] as const,
  usage: (params: Record<string, string>) => ["usage", params] as const,
};

const MINUTE = 60_000;

export function useMe() {
  return useQuery({ queryKey: queryKeys.me, queryFn: () => call(api.GET("/api/me")), staleTime: 5 * MINUTE });
}

export function useModels() {
  return useQuery({ queryKey: queryKeys.models, queryFn: () => call(api.GET("/api/models")), staleTime: MINUTE });
}

export function useProviders() {
  return useQuery({
    queryKey: queryKeys.providers,
    queryFn: () => call(api.GET("/api/providers")),
    staleTime: MINUTE,
  });
}

export function usePrompts() {
  return useQuery({ queryKey: queryKeys.prompts, queryFn: () => call(api.GET("/api/prompts")), staleTime: MINUTE });
}

export function useTools() {
  return useQuery({ queryKey: queryKeys.tools, queryFn: () => call(api.GET("/api/tools")), staleTime: MINUTE });
}
