import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";
import { beforeAll, describe, expect, it } from "vitest";

import { API, renderPage, server, setupTestServer } from "@/features/documents/testHarness";

import { UsagePage } from "./UsagePage";

setupTestServer();

beforeAll(() => {
  // jsdom has no layout: recharts' responsive charts observe their size
  globalThis.ResizeObserver ??= class {
    observe() {}
    unobserve() {}
    disconnect() {}
  } as unknown as typeof ResizeObserver;
});

function utcDay(offset: number): string {
  return new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
}

function report(from: string, to: string, scale: number) {
  const line = (day: string, model: string, input: number, output: number, cost: number) => ({
    day,
    model,
    input_tokens: input * scale,
    output_tokens: output * scale,
    total_tokens: (input + output) * scale,
    requests: scale,
    cost_usd: cost * scale,
    unpriced_requests: 0,
  });
  const days = [line(to, "openai/gpt-4o", 1000, 500, 0.0125), line(to, "demo/echo", 200, 100, 0)];
  const totals = (lines: ReturnType<typeof line>[]) => ({
    input_tokens: lines.reduce((s, l) => s + l.input_tokens, 0),
    output_tokens: lines.reduce((s, l) => s + l.output_tokens, 0),
    total_tokens: lines.reduce((s, l) => s + l.total_tokens, 0),
    requests: lines.reduce((s, l) => s + l.requests, 0),
    cost_usd: lines.reduce((s, l) => s + l.cost_usd, 0),
    unpriced_requests: scale,
  });
  return {
    user_id: "u1",
    from,
    to,
    days,
    models: { "openai/gpt-4o": totals([days[0]!]), "demo/echo": totals([days[1]!]) },
    totals: totals(days),
    limits: LIMITS,
  };
}

const LIMITS = {
  requests_per_minute: { limit: 60, remaining: 57, full_in_seconds: 3 },
  tokens_per_day: { limit: 1_000_000, remaining: 998_500, full_in_seconds: 130 },
  monthly_budget: { limit_usd: null, spent_usd: 0.375, remaining_usd: null, resets_at: "2026-12-01T00:00:00Z" },
  overridden: [] as ("requests_per_minute" | "tokens_per_day" | "monthly_budget_usd")[],
};

describe("UsagePage", () => {
  it("asks for the chosen range and shows its totals, charts and table", { timeout: 30_000 }, async () => {
    const asked: { from: string | null; to: string | null }[] = [];
    server.use(
      http.get(`${API}/api/usage`, ({ request }) => {
        const params = new URL(request.url).searchParams;
        const from = params.get("from") ?? "";
        const to = params.get("to") ?? "";
        asked.push({ from, to });
        const days = Math.round((Date.parse(to) - Date.parse(from)) / 86_400_000) + 1;
        return HttpResponse.json(report(from, to, days));
      }),
    );
    const user = userEvent.setup();
    renderPage(<UsagePage />);
    expect(screen.getByRole("heading", { name: "Usage" })).toBeInTheDocument();
    const totals = await screen.findByTestId("usage-totals");
    // default: the last 30 days, today included; the scale of the fake report is the number of days
    expect(asked[0]).toEqual({ from: utcDay(-29), to: utcDay(0) });
    expect(within(totals).getByText("36,000")).toBeInTheDocument(); // input: (1000 + 200) × 30
    expect(within(totals).getByText("$0.375")).toBeInTheDocument(); // 0.0125 × 30
    const allowance = screen.getByRole("region", { name: /Remaining allowance/ });
    expect(within(allowance).getByText("57")).toBeInTheDocument();
    expect(within(allowance).getByText("of 60 a minute")).toBeInTheDocument();
    const requests = within(allowance).getByRole("meter", { name: "Requests available left" });
    expect(requests).toHaveAttribute("aria-valuenow", "95");
    expect(within(allowance).getByText("998,500")).toBeInTheDocument();
    expect(within(allowance).getByText("full again in 2 min")).toBeInTheDocument();
    expect(within(allowance).getByText("Unlimited")).toBeInTheDocument(); // no budget
    expect(within(allowance).getByText("No budget; $0.375 spent")).toBeInTheDocument();
    expect(await screen.findByText("Tokens per day", {}, { timeout: 15_000 })).toBeInTheDocument(); // recharts: a lazy chunk
    expect(screen.getByRole("figure", { name: "Cost per model (USD)" })).toBeInTheDocument();

    await user.selectOptions(screen.getByLabelText("Range"), "7");
    await waitFor(() => expect(asked.at(-1)).toEqual({ from: utcDay(-6), to: utcDay(0) }));
    await waitFor(() => expect(within(screen.getByTestId("usage-totals")).getByText("8,400")).toBeInTheDocument());
    expect(screen.getByText(/7 requests used models without a price/)).toBeInTheDocument();

    await user.selectOptions(screen.getByLabelText("Range"), "custom");
    const from = screen.getByLabelText("From");
    await user.clear(from);
    await user.type(from, "2026-03-01");
    const to = screen.getByLabelText("To");
    await user.clear(to);
    await user.type(to, "2026-03-10");
    await waitFor(() => expect(asked.at(-1)).toEqual({ from: "2026-03-01", to: "2026-03-10" }));

    await user.click(screen.getByRole("button", { name: "Show table" }));
    expect(screen.getByRole("button", { name: "Show table" })).toHaveAttribute("aria-pressed", "true");
    const table = await screen.findByRole("table", { name: "Usage per model" });
    const row = within(table).getByRole("row", { name: /openai\/gpt-4o/ });
    expect(within(row).getByText("10,000")).toBeInTheDocument();
    expect(screen.getByRole("table", { name: "Usage per day and model" })).toBeInTheDocument();
  });

  it("shows a spent budget and limits an admin set", async () => {
    server.use(
      http.get(`${API}/api/usage`, ({ request }) => {
        const params = new URL(request.url).searchParams;
        return HttpResponse.json({
          ...report(params.get("from") ?? "", params.get("to") ?? "", 1),
          limits: {
            requests_per_minute: { limit: null, remaining: null, full_in_seconds: 0 },
            tokens_per_day: { limit: 5000, remaining: 0, full_in_seconds: 7200 },
            monthly_budget: { limit_usd: 1, spent_usd: 1.25, remaining_usd: 0, resets_at: "2026-12-01T00:00:00Z" },
            overridden: ["tokens_per_day", "monthly_budget_usd"],
          },
        });
      }),
    );
    renderPage(<UsagePage />);
    const allowance = await screen.findByRole("region", { name: /Remaining allowance/ });
    expect(within(allowance).getByText("(some set for you by an admin)")).toBeInTheDocument();
    expect(within(allowance).getByText("Unlimited")).toBeInTheDocument(); // requests per minute
    expect(within(allowance).getByText("of 5,000 a day")).toBeInTheDocument();
    expect(within(allowance).getByText("full again in 2 h")).toBeInTheDocument();
    expect(within(allowance).getByText("$0.00")).toBeInTheDocument();
    expect(within(allowance).getByText("$1.25 spent; resets 2026-12-01 (UTC)")).toBeInTheDocument();
    const budget = within(allowance).getByRole("meter", { name: "Budget this month left" });
    expect(budget).toHaveAttribute("aria-valuenow", "0");
  });

  it("refuses a custom range that ends before it starts, and shows API errors", async () => {
    let calls = 0;
    server.use(
      http.get(`${API}/api/usage`, () => {
        calls += 1;
        return HttpResponse.json(
          { error: { code: "validation_error", message: "the range may span at most 366 days", request_id: "r", details: {} } },
          { status: 422 },
        );
      }),
    );
    const user = userEvent.setup();
    renderPage(<UsagePage />);
    expect(await screen.findByText("the range may span at most 366 days")).toBeInTheDocument();
    await user.selectOptions(screen.getByLabelText("Range"), "custom");
    const before = calls;
    const from = screen.getByLabelText("From");
    await user.clear(from);
    await user.type(from, "2030-01-01");
    expect(await screen.findByText("Choose a start day on or before the end day.")).toBeInTheDocument();
    expect(calls).toBe(before);
  });
});
