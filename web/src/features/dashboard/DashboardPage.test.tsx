import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";
import { beforeEach, describe, expect, it } from "vitest";

import { API, renderPage, server, setupTestServer, TOKEN } from "@/features/documents/testHarness";
import { debugToggles } from "@/lib/debug";
import { recordReply, replyStats } from "@/lib/replyStats";
import { requestLog } from "@/lib/requestLog";

import { DashboardPage } from "./DashboardPage";

setupTestServer();

function me(dashboard: boolean) {
  return {
    id: "u1",
    issuer: "http://issuer",
    subject: "alice",
    email: "alice@example.com",
    name: "Alice",
    roles: dashboard ? ["admin"] : [],
    created_at: "2026-01-01T00:00:00Z",
    last_seen_at: "2026-01-01T00:00:00Z",
    is_admin: dashboard,
    dashboard,
  };
}

let healthCalls = 0;
let refreshCalls = 0;

function dashboardApi() {
  healthCalls = 0;
  refreshCalls = 0;
  server.use(
    http.get(`${API}/api/me`, () => HttpResponse.json(me(true))),
    http.get(`${API}/api/dashboard/health`, () => {
      healthCalls += 1;
      return HttpResponse.json({
        status: "degraded",
        checked_at: "2026-01-01T00:00:00Z",
        dependencies: [
          { kind: "dynamodb", name: "dynamodb", status: "ok", latency_ms: 3.2, error: null },
          { kind: "vector_store", name: "lancedb", status: "ok", latency_ms: 12, error: null },
          { kind: "llm_provider", name: "openai", status: "down", latency_ms: null, error: "401 invalid key", model_count: 0 },
          { kind: "mcp_server", name: "builtin", status: "ok", latency_ms: 1, error: null, tool_count: 4 },
        ],
      });
    }),
    http.get(`${API}/api/models`, () =>
      HttpResponse.json({
        default_model: "demo/echo",
        conflicts: { "llama3.1:8b": ["ollama/llama3.1:8b", "gpu/llama3.1:8b"] },
        items: [
          {
            id: "demo/echo",
            provider: "demo",
            name: "echo",
            context_window: 32768,
            max_output_tokens: 4096,
            capabilities: { tools: true, thinking: true, vision: false },
            input_price_per_mtok: null,
            output_price_per_mtok: null,
          },
        ],
      }),
    ),
    http.get(`${API}/api/providers`, () =>
      HttpResponse.json({
        items: [
          {
            name: "openai",
            type: "openai",
            status: "down",
            base_url: "https://api.openai.com/v1",
            model_count: 0,
            last_error: "401 invalid key",
            last_latency_ms: 120,
            checked_at: null,
          },
        ],
      }),
    ),
    http.post(`${API}/api/providers/refresh`, () => {
      refreshCalls += 1;
      return HttpResponse.json({ items: [] });
    }),
  );
}

beforeEach(() => {
  requestLog.set([]);
  replyStats.set([]);
  debugToggles.set({ rawEvents: false, timings: false });
  localStorage.clear();
});

describe("DashboardPage", () => {
  it("says it is for admins, and asks nothing more, when /api/me has dashboard false", async () => {
    const asked: string[] = [];
    server.use(
      http.get(`${API}/api/me`, () => HttpResponse.json(me(false))),
      http.get(`${API}/api/dashboard/health`, () => {
        asked.push("health");
        return HttpResponse.json({}, { status: 403 });
      }),
    );
    renderPage(<DashboardPage />);
    expect(screen.getByRole("heading", { name: "Developer dashboard" })).toBeInTheDocument();
    expect(await screen.findByText(/The developer dashboard is for admins/)).toBeInTheDocument();
    expect(screen.queryByRole("heading", { name: "Health" })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Send request" })).not.toBeInTheDocument();
    expect(asked).toEqual([]);
  });

  it("shows health, models and providers, and refreshes them", async () => {
    dashboardApi();
    const user = userEvent.setup();
    renderPage(<DashboardPage />);
    for (const name of ["Health", "Models", "Debug", "Requests", "API tester", "Recent replies"]) {
      expect(await screen.findByRole("heading", { name, level: 2 })).toBeInTheDocument();
    }
    const deps = await screen.findByRole("table", { name: "Dependencies" });
    const openai = within(deps).getByRole("row", { name: /openai/ });
    expect(within(openai).getByText("down")).toBeInTheDocument();
    expect(within(openai).getByText(/401 invalid key/)).toBeInTheDocument();
    expect(within(within(deps).getByRole("row", { name: /dynamodb/ })).getByText("3 ms")).toBeInTheDocument();
    expect(within(within(deps).getByRole("row", { name: /builtin/ })).getByText("4 tools")).toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "Refresh health" }));
    await waitFor(() => expect(healthCalls).toBe(2));

    expect(await screen.findByTestId("default-model")).toHaveTextContent("demo/echo");
    expect(screen.getByText("llama3.1:8b")).toBeInTheDocument();
    expect(screen.getByText(/ollama\/llama3.1:8b, gpu\/llama3.1:8b/)).toBeInTheDocument();
    const providers = screen.getByRole("table", { name: "Providers" });
    expect(within(providers).getByText("https://api.openai.com/v1")).toBeInTheDocument();
    expect(within(providers).getByText("120 ms")).toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "Refresh providers" }));
    await waitFor(() => expect(refreshCalls).toBe(1));
    await waitFor(() => expect(healthCalls).toBe(3));
  });

  it("API tester: validates path and JSON before sending, then shows status, time and JSON", async () => {
    dashboardApi();
    const sent: { auth: string | null; type: string | null; body: unknown }[] = [];
    server.use(
      http.post(`${API}/api/prompts`, async ({ request }) => {
        sent.push({
          auth: request.headers.get("authorization"),
          type: request.headers.get("content-type"),
          body: await request.json(),
        });
        return HttpResponse.json({ id: "p1", name: "Pirate" }, { status: 201 });
      }),
      http.get(`${API}/api/nope`, () =>
        HttpResponse.json({ error: { code: "not_found", message: "Not found", request_id: "r", details: {} } }, { status: 404 }),
      ),
    );
    const user = userEvent.setup();
    renderPage(<DashboardPage />);
    const send = await screen.findByRole("button", { name: "Send request" });

    const path = screen.getByLabelText("Path");
    await user.clear(path);
    await user.type(path, "/v1/models");
    await user.click(send);
    expect(screen.getByRole("alert")).toHaveTextContent("The path must start with /api/.");

    await user.selectOptions(screen.getByLabelText("Method"), "POST");
    await user.clear(path);
    await user.type(path, "/api/prompts");
    const body = screen.getByLabelText("Body");
    await user.click(body);
    await user.paste('{"name": "Pirate",');
    await user.click(send);
    expect(screen.getByRole("alert")).toHaveTextContent("The body is not valid JSON");
    expect(sent).toEqual([]);
    expect(screen.queryByTestId("api-response")).not.toBeInTheDocument();

    await user.clear(body);
    await user.click(body);
    await user.paste('{"name": "Pirate", "content": "Arr"}');
    await user.click(send);
    const response = await screen.findByTestId("api-response");
    expect(response).toHaveTextContent(/^201/);
    expect(response).toHaveTextContent(/in \d+ ms/);
    expect(within(response).getByText(/"name": "Pirate"/)).toBeInTheDocument();
    expect(sent).toEqual([
      { auth: `Bearer ${TOKEN}`, type: "application/json", body: { name: "Pirate", content: "Arr" } },
    ]);
    // logged like the client's own requests
    expect(requestLog.get()[0]).toMatchObject({ method: "POST", url: `${API}/api/prompts`, status: 201 });

    await user.selectOptions(screen.getByLabelText("Method"), "GET");
    await user.clear(body);
    await user.clear(path);
    await user.type(path, "/api/nope");
    await user.click(send);
    await waitFor(() => expect(screen.getByTestId("api-response")).toHaveTextContent(/^404/));
    expect(screen.getByTestId("api-response")).toHaveTextContent('"code": "not_found"');
  });

  it("lists the last requests with their JSON, expandable", async () => {
    dashboardApi();
    const user = userEvent.setup();
    renderPage(<DashboardPage />);
    await screen.findByRole("table", { name: "Dependencies" });
    await screen.findByTestId("default-model");
    const entries = await screen.findAllByTestId("request-entry");
    const health = entries.find((e) => e.textContent?.includes("/api/dashboard/health"));
    expect(health).toBeDefined();
    expect(health).toHaveTextContent("GET");
    await waitFor(() => expect(health).toHaveTextContent("200"));
    const summary = health!.querySelector("summary")!;
    const details = health!.querySelector("details")!;
    expect(details.open).toBe(false);
    await user.click(summary);
    expect(details.open).toBe(true);
    expect(within(health!).getByText(/"kind": "vector_store"/)).toBeInTheDocument();
  });

  it("debug toggles write to the shared store and persist in localStorage", async () => {
    dashboardApi();
    const user = userEvent.setup();
    const first = renderPage(<DashboardPage />);
    const raw = await screen.findByRole("checkbox", { name: "Show raw stream events" });
    const timings = screen.getByRole("checkbox", { name: "Show timings on every message" });
    expect(raw).not.toBeChecked();
    await user.click(raw);
    expect(debugToggles.get()).toEqual({ rawEvents: true, timings: false });
    expect(JSON.parse(localStorage.getItem("privategpt.debug") ?? "{}")).toEqual({ rawEvents: true, timings: false });
    await user.click(timings);
    expect(JSON.parse(localStorage.getItem("privategpt.debug") ?? "{}")).toEqual({ rawEvents: true, timings: true });
    first.unmount();

    renderPage(<DashboardPage />);
    expect(await screen.findByRole("checkbox", { name: "Show raw stream events" })).toBeChecked();
    expect(screen.getByRole("checkbox", { name: "Show timings on every message" })).toBeChecked();
  });

  it("shows recent replies' speed", async () => {
    dashboardApi();
    renderPage(<DashboardPage />);
    await screen.findByRole("heading", { name: "Recent replies" });
    expect(screen.getByText("No replies streamed in this page yet.")).toBeInTheDocument();
    act(() =>
      recordReply({
        conversationId: "c1",
        messageId: "m1",
        model: "demo/echo",
        startedAt: 1,
        timeToFirstTokenMs: 85,
        totalMs: 1234,
        outputTokens: 200,
        tokensPerSecond: 162.1,
        stopReason: "stop",
      }),
    );
    const row = within(screen.getByRole("table", { name: "Recent replies" })).getByRole("row", { name: /demo\/echo/ });
    expect(row).toHaveTextContent("85 ms");
    expect(row).toHaveTextContent("162.1");
    expect(row).toHaveTextContent("1234 ms");
    expect(row).toHaveTextContent("stop");
  });
});
