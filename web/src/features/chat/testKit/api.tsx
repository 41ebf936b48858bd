/** Tests of the chat screen: a real QueryClient and router, the API mocked by msw at the network level, the API
 * client pointed at a fake origin, and an in-memory API (conversations, messages, models) the handlers serve. */
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { cleanup, render } from "@testing-library/react";
import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import type { ReactNode } from "react";
import { createMemoryRouter, Outlet, RouterProvider } from "react-router";
import { afterAll, afterEach, beforeAll, vi } from "vitest";

import { configureApi } from "@/api/client";
import type { Conversation, Message, Model, ProviderHealth } from "@/api/types";

export const API = "http://chat.test";
export const server = setupServer();

/** jsdom lacks what Radix menus and dialogs touch. */
function polyfill(): void {
  globalThis.ResizeObserver ??= class {
    observe() {}
    unobserve() {}
    disconnect() {}
  } as unknown as typeof ResizeObserver;
  const proto = Element.prototype as unknown as Record<string, unknown>;
  proto.hasPointerCapture ??= () => false;
  proto.setPointerCapture ??= () => {};
  proto.releasePointerCapture ??= () => {};
  proto.scrollIntoView ??= () => {};
  // jsdom has <dialog> but not its modal methods
  const dialog = HTMLDialogElement.prototype as unknown as Record<string, unknown>;
  dialog.showModal ??= function (this: HTMLDialogElement) {
    this.setAttribute("open", "");
  };
  dialog.close ??= function (this: HTMLDialogElement) {
    this.removeAttribute("open");
    this.dispatchEvent(new Event("close"));
  };
}

export function setupChatServer(): void {
  beforeAll(() => {
    polyfill();
    server.listen({ onUnhandledFrame: "error" });
    configureApi({ baseUrl: API, token: () => "test-token", onUnauthorized: () => {} });
  });
  afterEach(() => {
    cleanup();
    server.resetHandlers();
    localStorage.clear();
    vi.restoreAllMocks();
  });
  afterAll(() => server.close());
}

export function apiError(status: number, code: string, message: string, details: Record<string, unknown> = {}) {
  return HttpResponse.json({ error: { code, message, request_id: "req-1", details } }, { status });
}

export function conversation(id: string, title: string, extra: Partial<Conversation> = {}): Conversation {
  return {
    id,
    title,
    model: null,
    system_prompt_id: null,
    tools: null,
    status: "active",
    message_count: 0,
    input_tokens: 0,
    output_tokens: 0,
    total_tokens: 0,
    created_at: "2026-01-01T00:00:00Z",
    updated_at: "2026-01-01T00:00:00Z",
    ...extra,
  };
}

export function message(id: string, role: "user" | "assistant", content: string, extra: Partial<Message> = {}): Message {
  return {
    id,
    conversation_id: "c1",
    role,
    content,
    model: role === "assistant" ? "demo/echo" : null,
    provider: null,
    input_tokens: 0,
    output_tokens: 0,
    total_tokens: 0,
    token_count: 0,
    status: "complete",
    error_code: null,
    latency_ms: null,
    stop_reason: null,
    thinking: null,
    time_to_first_token_ms: null,
    usage_estimated: false,
    created_at: "2026-01-01T00:00:00Z",
    ...extra,
  };
}

export function model(id: string, contextWindow: number, capabilities: { thinking?: boolean; tools?: boolean } = {}): Model {
  const [provider = "demo", name = id] = id.split("/");
  return {
    id,
    provider,
    name,
    context_window: contextWindow,
    max_output_tokens: 4096,
    input_price_per_mtok: null,
    output_price_per_mtok: null,
    capabilities: { thinking: capabilities.thinking ?? false, tools: capabilities.tools ?? false, vision: false },
  };
}

export function provider(name: string, status: string): ProviderHealth {
  return {
    name,
    status,
    type: "openai",
    base_url: null,
    checked_at: null,
    last_error: null,
    last_latency_ms: null,
    model_count: 1,
  };
}

/** Pages of `items` as the API serves them: `cursor` is the index of the first item of the page. */
export function page<T>(items: T[], url: string, size: number): { items: T[]; next_cursor: string | null } {
  const cursor = Number(new URL(url).searchParams.get("cursor") ?? "0");
  const next = cursor + size;
  return { items: items.slice(cursor, next), next_cursor: next < items.length ? String(next) : null };
}

/** The API handlers the chat screen needs, over in-memory lists the test may change. */
export function chatApi(state: {
  conversations: Conversation[];
  messages?: Record<string, Message[]>;
  models?: Model[];
  defaultModel?: string | null;
  providers?: ProviderHealth[];
  pageSize?: number;
}) {
  const size = state.pageSize ?? 20;
  const models = state.models ?? [model("demo/echo", 8192, { thinking: true, tools: true })];
  return [
    http.get(`${API}/api/chat/conversations`, ({ request }) => HttpResponse.json(page(state.conversations, request.url, size))),
    http.get(`${API}/api/chat/conversations/:id`, ({ params }) => {
      const found = state.conversations.find((c) => c.id === params.id);
      if (!found) return apiError(404, "not_found", "conversation not found");
      return HttpResponse.json({ ...found, messages: [], messages_next_cursor: null });
    }),
    http.get(`${API}/api/chat/conversations/:id/messages`, ({ params, request }) =>
      HttpResponse.json(page(state.messages?.[String(params.id)] ?? [], request.url, size)),
    ),
    http.get(`${API}/api/models`, () =>
      HttpResponse.json({ items: models, default_model: state.defaultModel ?? null, conflicts: {} }),
    ),
    http.get(`${API}/api/providers`, () => HttpResponse.json({ items: state.providers ?? [provider("demo", "ok")] })),
    http.get(`${API}/api/prompts`, () => HttpResponse.json({ items: [] })),
    http.get(`${API}/api/tools`, () =>
      HttpResponse.json({
        enabled: true,
        defaults: ["privategpt"],
        servers: [
          {
            name: "privategpt",
            title: null,
            builtin: true,
            transport: "builtin",
            error: null,
            tools: ["system_info", "read_file"].map((name) => ({
              id: `privategpt/${name}`,
              name,
              title: null,
              description: `the ${name} tool`,
              input_schema: {},
            })),
          },
        ],
      }),
    ),
    http.get(`${API}/api/documents`, () => HttpResponse.json({ items: [], next_cursor: null })),
  ];
}

export function renderChat(element: ReactNode, path = "/") {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  // as in app/routes.tsx: a parent with an outlet, the chat at `/` and at `/c/:conversationId`
  const router = createMemoryRouter(
    [
      {
        element: <Outlet />,
        children: [
          { index: true, element },
          { path: "c/:conversationId", element },
        ],
      },
    ],
    { initialEntries: [path] },
  );
  const view = render(
    <QueryClientProvider client={client}>
      <RouterProvider router={router} />
    </QueryClientProvider>,
  );
  return { client, router, ...view };
}
