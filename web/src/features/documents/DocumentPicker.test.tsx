import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { http, HttpResponse } from "msw";
import { useState } from "react";
import { describe, expect, it } from "vitest";

import { DocumentPicker } from "./DocumentPicker";
import { API, renderPage, server, setupTestServer } from "./testHarness";

setupTestServer();

function item(id: string, filename: string, status: string) {
  return {
    id,
    filename,
    status,
    content_type: "text/plain",
    size: 1,
    progress: status === "ready" ? 100 : 10,
    pages: null,
    chunks: 1,
    error: null,
    error_code: null,
    embedding_model: null,
    created_at: "2026-01-01T00:00:00Z",
    updated_at: "2026-01-01T00:00:00Z",
    ready_at: null,
  };
}

let lastChange: string[] = [];

function Harness() {
  const [selected, setSelected] = useState<string[]>(["r2"]);
  return (
    <DocumentPicker
      selected={selected}
      onChange={(ids) => {
        lastChange = ids;
        setSelected(ids);
      }}
    />
  );
}

describe("DocumentPicker", () => {
  it("lists only ready documents, checked as selected", async () => {
    server.use(
      http.get(`${API}/api/documents`, () =>
        HttpResponse.json({
          items: [
            item("r1", "ready-one.md", "ready"),
            item("p1", "processing.pdf", "processing"),
            item("f1", "broken.pdf", "failed"),
            item("u1", "uploading.txt", "uploading"),
            item("r2", "ready-two.csv", "ready"),
          ],
          next_cursor: null,
        }),
      ),
    );
    renderPage(<Harness />);
    const one = await screen.findByRole("checkbox", { name: "ready-one.md" });
    const two = screen.getByRole("checkbox", { name: "ready-two.csv" });
    expect(screen.getAllByRole("checkbox")).toHaveLength(2);
    expect(screen.queryByText("processing.pdf")).not.toBeInTheDocument();
    expect(screen.queryByText("broken.pdf")).not.toBeInTheDocument();
    expect(one).not.toBeChecked();
    expect(two).toBeChecked();
    await userEvent.setup().click(one);
    expect(lastChange).toEqual(["r2", "r1"]);
    expect(one).toBeChecked();
  });

  it("links to the documents page when none is ready", async () => {
    server.use(
      http.get(`${API}/api/documents`, () =>
        HttpResponse.json({ items: [item("p1", "processing.pdf", "processing")], next_cursor: null }),
      ),
    );
    renderPage(<Harness />);
    const link = await screen.findByRole("link", { name: "Upload documents" });
    expect(link).toHaveAttribute("href", "/documents");
    expect(screen.queryByRole("checkbox")).not.toBeInTheDocument();
  });
});
