/** Tests of the documents, usage and dashboard screens: a real QueryClient and router, the API mocked by msw at
 * the network level (fetch and XMLHttpRequest), the API client pointed at a fake origin with a known token. */
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { cleanup, render } from "@testing-library/react";
import { setupServer } from "msw/node";
import type { ReactNode } from "react";
import { createMemoryRouter, RouterProvider } from "react-router";
import { afterAll, afterEach, beforeAll } from "vitest";

import { configureApi } from "@/api/client";

export const API = "http://api.test";
export const TOKEN = "test-token";

export const server = setupServer();

/** Call once at the top of a test file. */
export function setupTestServer(): void {
  beforeAll(() => {
    server.listen({ onUnhandledFrame: "error" });
    configureApi({ baseUrl: API, token: () => TOKEN, onUnauthorized: () => {} });
  });
  afterEach(() => {
    cleanup();
    server.resetHandlers();
  });
  afterAll(() => server.close());
}

export function renderPage(element: ReactNode, path = "/") {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });
  const router = createMemoryRouter(
    [
      { path: "/", element },
      { path: "/documents", element: <p>Documents route</p> },
    ],
    { initialEntries: [path] },
  );
  return { client, ...render(<QueryClientProvider client={client}>{<RouterProvider router={router} />}</QueryClientProvider>) };
}

export function apiError(code: string, message: string, details: Record<string, unknown> = {}) {
  return { error: { code, message, request_id: "req-1", details } };
}
