import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";

import { API, apiError, renderPage, server, setupTestServer, TOKEN } from "@/features/documents/testHarness";

import { openaiBaseUrl } from "./OpenAIAccess";
import { SettingsPage } from "./SettingsPage";
import type { ApiKey } from "./queries";

setupTestServer();

function key(overrides: Partial<ApiKey> = {}): ApiKey {
  return {
    id: "k1",
    name: "laptop",
    prefix: "pgpt-abcdefg",
    created_at: "2026-11-01T00:00:00Z",
    expires_at: null,
    last_used_at: null,
    ...overrides,
  };
}

describe("SettingsPage: API keys", () => {
  it("creates a key with a name and an expiry, shows it once, and lists it", async () => {
    let keys: ApiKey[] = [];
    let sent: unknown = null;
    let auth: string | null = null;
    server.use(
      http.get(`${API}/api/keys`, () => HttpResponse.json({ items: keys })),
      http.post(`${API}/api/keys`, async ({ request }) => {
        sent = await request.json();
        auth = request.headers.get("authorization");
        keys = [key({ name: "ci", expires_at: "2027-02-01T00:00:00Z" })];
        return HttpResponse.json({ ...keys[0], key: "pgpt-secret-value" }, { status: 201 });
      }),
    );
    renderPage(<SettingsPage />);
    expect(await screen.findByText("No keys yet.")).toBeInTheDocument();
    await userEvent.type(screen.getByLabelText("Key name"), "ci");
    await userEvent.selectOptions(screen.getByLabelText("Expires"), "90");
    await userEvent.click(screen.getByRole("button", { name: "Create key" }));
    expect(await screen.findByTestId("new-api-key")).toHaveTextContent("pgpt-secret-value");
    expect(sent).toEqual({ name: "ci", expires_in_days: 90 });
    expect(auth).toBe(`Bearer ${TOKEN}`);
    const row = await screen.findByTestId("api-key-row");
    expect(row).toHaveTextContent("ci");
    expect(row).toHaveTextContent("pgpt-abcdefg…");
    expect(row).not.toHaveTextContent("pgpt-secret-value");
    await userEvent.click(screen.getByRole("button", { name: "Done" }));
    expect(screen.queryByTestId("new-api-key")).toBeNull();
  });

  it("shows the API's refusal (the per-user limit) where the key was asked for", async () => {
    server.use(
      http.get(`${API}/api/keys`, () => HttpResponse.json({ items: [] })),
      http.post(`${API}/api/keys`, () =>
        HttpResponse.json(apiError("conflict", "at most 20 API keys per user: revoke one first"), { status: 409 }),
      ),
    );
    renderPage(<SettingsPage />);
    await userEvent.type(await screen.findByLabelText("Key name"), "one more");
    await userEvent.click(screen.getByRole("button", { name: "Create key" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("at most 20 API keys per user");
  });

  it("revokes a key after a confirmation", async () => {
    let keys = [key()];
    let revoked: string | null = null;
    server.use(
      http.get(`${API}/api/keys`, () => HttpResponse.json({ items: keys })),
      http.delete(`${API}/api/keys/:id`, ({ params }) => {
        revoked = String(params.id);
        keys = [];
        return new HttpResponse(null, { status: 204 });
      }),
    );
    renderPage(<SettingsPage />);
    const row = await screen.findByTestId("api-key-row");
    await userEvent.click(within(row).getByRole("button", { name: "Revoke" }));
    const dialog = await screen.findByRole("alertdialog");
    await userEvent.click(within(dialog).getByRole("button", { name: "Revoke" }));
    await waitFor(() => expect(revoked).toBe("k1"));
    expect(await screen.findByText("No keys yet.")).toBeInTheDocument();
  });
});

describe("SettingsPage: the OpenAI-compatible base URL", () => {
  const auth = { mode: "local" as const, issuer: "i", authority: "a", clientId: "c", scopes: [], redirectPath: "/cb" };

  it("is the stream endpoint's /v1, else the API's, else this site's", () => {
    const config = { apiUrl: "https://api.example", streamUrl: "https://stream.example/", mcpUrl: null, auth, stage: "" };
    expect(openaiBaseUrl(config, "https://site.example")).toBe("https://stream.example/v1");
    expect(openaiBaseUrl({ ...config, streamUrl: null }, "https://site.example")).toBe("https://api.example/v1");
    expect(openaiBaseUrl({ ...config, streamUrl: null, apiUrl: "" }, "https://site.example")).toBe("https://site.example/v1");
  });

  it("is shown beside the keys", async () => {
    server.use(http.get(`${API}/api/keys`, () => HttpResponse.json({ items: [] })));
    renderPage(<SettingsPage />);
    expect(await screen.findByTestId("openai-base-url")).toHaveTextContent(`${window.location.origin}/v1`);
    expect(screen.getByRole("button", { name: /copy base url/i })).toBeInTheDocument();
  });
});
