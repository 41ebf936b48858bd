import { screen, waitFor, within, fireEvent } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { delay, http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";

import type { DocumentOut } from "@/api/types";

import { DocumentsPage } from "./DocumentsPage";
import { API, apiError, renderPage, server, setupTestServer } from "./testHarness";

setupTestServer();

const S3 = "http://s3.test/privategpt-documents";
const CORS = { "Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "POST", "Access-Control-Allow-Headers": "*" };

function doc(overrides: Partial<DocumentOut>): DocumentOut {
  return {
    id: "d1",
    filename: "heron.md",
    content_type: "text/markdown",
    size: 42,
    status: "ready",
    progress: 100,
    pages: null,
    chunks: 3,
    error: null,
    error_code: null,
    embedding_model: "bge-small",
    created_at: "2026-01-02T03:04:05Z",
    updated_at: "2026-01-02T03:04:05Z",
    ready_at: null,
    ...overrides,
  } as DocumentOut;
}

function rowOf(filename: string): HTMLElement {
  const row = screen.getAllByTestId("document-row").find((r) => within(r).queryByText(filename));
  if (!row) throw new Error(`no row for ${filename}`);
  return row;
}

describe("DocumentsPage", () => {
  it("uploads a file: declared to the API, POSTed to S3 without Authorization, polled to ready", async () => {
    const s3Requests: { authorization: string | null; names: string[]; fileText: string }[] = [];
    const declared: unknown[] = [];
    let stage: "empty" | "uploading" | "processing" | "ready" = "empty";
    server.use(
      http.get(`${API}/api/documents`, () => {
        const items =
          stage === "empty"
            ? []
            : [doc({ status: stage, progress: stage === "processing" ? 40 : stage === "ready" ? 100 : 0 })];
        if (stage === "processing") stage = "ready";
        return HttpResponse.json({ items, next_cursor: null });
      }),
      http.post(`${API}/api/documents`, async ({ request }) => {
        expect(request.headers.get("authorization")).toBe("Bearer test-token");
        declared.push(await request.json());
        stage = "uploading";
        return HttpResponse.json(
          {
            document: doc({ status: "uploading", progress: 0, chunks: 0 }),
            upload: { url: S3, fields: { key: "documents/u/d1", policy: "p0l1cy", "x-amz-signature": "s1g" }, expires_at: "2030-01-01T00:00:00Z" },
          },
          { status: 201 },
        );
      }),
      http.options(S3, () => new HttpResponse(null, { status: 204, headers: CORS })),
      http.post(S3, async ({ request }) => {
        const form = await request.formData();
        const file = form.get("file");
        s3Requests.push({
          authorization: request.headers.get("authorization"),
          names: [...form.keys()],
          fileText: typeof file === "object" && file !== null ? await (file as Blob).text() : String(file),
        });
        await delay(300);
        stage = "processing";
        return new HttpResponse(null, { status: 204, headers: CORS });
      }),
    );
    const user = userEvent.setup();
    renderPage(<DocumentsPage />);
    expect(await screen.findByRole("heading", { name: "Documents" })).toBeInTheDocument();
    await screen.findByText(/No documents yet/);

    const file = new File(["# Heron\n\nPURPLE-OTTER-42\n"], "heron.md", { type: "" });
    await user.upload(screen.getByLabelText("Upload documents"), file);

    // while S3 has not answered: the row, "uploading", with the upload's progress bar
    expect(await screen.findByRole("progressbar", { name: "Uploading heron.md" })).toBeInTheDocument();
    expect(within(rowOf("heron.md")).getByText("uploading")).toBeInTheDocument();

    // then the ingestion's progress, then ready
    expect(await screen.findByRole("progressbar", { name: "Indexing heron.md" }, { timeout: 4000 })).toHaveAttribute(
      "aria-valuenow",
      "40",
    );
    await waitFor(() => expect(within(rowOf("heron.md")).getByText("ready")).toBeInTheDocument(), { timeout: 4000 });
    expect(within(rowOf("heron.md")).getByText(/3 chunks/)).toBeInTheDocument();

    expect(declared).toEqual([{ filename: "heron.md", content_type: "text/markdown", size: file.size }]);
    expect(s3Requests).toHaveLength(1);
    expect(s3Requests[0]?.authorization).toBeNull();
    expect(s3Requests[0]?.names).toEqual(["key", "policy", "x-amz-signature", "file"]);
    expect(s3Requests[0]?.fileText).toContain("PURPLE-OTTER-42");
  }, 15_000);

  it("shows why a document failed", async () => {
    server.use(
      http.get(`${API}/api/documents`, () =>
        HttpResponse.json({
          items: [
            doc({
              id: "d2",
              filename: "secret.pdf",
              status: "failed",
              error: "the PDF is password-protected; upload it without a password",
              error_code: "encrypted",
            }),
          ],
          next_cursor: null,
        }),
      ),
    );
    renderPage(<DocumentsPage />);
    await screen.findByText("secret.pdf");
    const row = rowOf("secret.pdf");
    expect(within(row).getByText("failed")).toBeInTheDocument();
    expect(within(row).getByText(/password-protected/)).toBeInTheDocument();
  });

  it("shows the API's reason per refused file (type, size), the others going on", async () => {
    const s3Posts: string[] = [];
    server.use(
      http.get(`${API}/api/documents`, () => HttpResponse.json({ items: [], next_cursor: null })),
      http.post(`${API}/api/documents`, async ({ request }) => {
        const body = (await request.json()) as { filename: string; content_type: string };
        if (body.filename === "tool.exe") {
          return HttpResponse.json(apiError("unsupported_media_type", "application/x-msdownload is not an accepted type"), {
            status: 415,
          });
        }
        return HttpResponse.json(apiError("payload_too_large", "the file is over the 50 MB limit"), { status: 413 });
      }),
      http.post(S3, () => {
        s3Posts.push("s3");
        return new HttpResponse(null, { status: 204 });
      }),
    );
    renderPage(<DocumentsPage />);
    await screen.findByText(/No documents yet/);
    const files = [
      new File(["MZ"], "tool.exe", { type: "application/x-msdownload" }),
      new File(["x"], "huge.pdf", { type: "application/pdf" }),
    ];
    fireEvent.drop(screen.getByTestId("drop-zone"), { dataTransfer: { files, types: ["Files"] } });
    const rows = await screen.findAllByTestId("upload-row");
    await waitFor(() => expect(screen.getAllByRole("alert")).toHaveLength(2));
    expect(rows).toHaveLength(2);
    expect(screen.getByText(/application\/x-msdownload is not an accepted type/)).toBeInTheDocument();
    expect(screen.getByText(/over the 50 MB limit/)).toBeInTheDocument();
    expect(s3Posts).toEqual([]);
    await userEvent.setup().click(screen.getByRole("button", { name: "Dismiss tool.exe" }));
    expect(screen.getAllByTestId("upload-row")).toHaveLength(1);
  });

  it("shows S3's refusal on the document's row", async () => {
    let declared = false;
    server.use(
      http.get(`${API}/api/documents`, () =>
        HttpResponse.json({ items: declared ? [doc({ status: "uploading" })] : [], next_cursor: null }),
      ),
      http.post(`${API}/api/documents`, () => {
        declared = true;
        return HttpResponse.json(
          { document: doc({ status: "uploading" }), upload: { url: S3, fields: { key: "k" }, expires_at: "2030-01-01T00:00:00Z" } },
          { status: 201 },
        );
      }),
      http.options(S3, () => new HttpResponse(null, { status: 204, headers: CORS })),
      http.post(
        S3,
        () =>
          new HttpResponse("<Error><Code>EntityTooLarge</Code><Message>Your proposed upload exceeds the maximum allowed size</Message></Error>", {
            status: 400,
            headers: { ...CORS, "Content-Type": "application/xml" },
          }),
      ),
    );
    renderPage(<DocumentsPage />);
    await screen.findByText(/No documents yet/);
    await userEvent.setup().upload(screen.getByLabelText("Upload documents"), new File(["hi"], "heron.md", { type: "text/markdown" }));
    expect(await screen.findByText(/exceeds the maximum allowed size/)).toBeInTheDocument();
    expect(within(rowOf("heron.md")).getByText(/storage refused the upload \(400\)/)).toBeInTheDocument();
  });

  it("deletes after confirming, and not on cancel", async () => {
    let items = [doc({ id: "d1", filename: "a.md" }), doc({ id: "d2", filename: "b.md" })];
    const deleted: string[] = [];
    server.use(
      http.get(`${API}/api/documents`, () => HttpResponse.json({ items, next_cursor: null })),
      http.delete(`${API}/api/documents/:id`, ({ params }) => {
        deleted.push(String(params.id));
        items = items.filter((d) => d.id !== params.id);
        return new HttpResponse(null, { status: 204 });
      }),
    );
    const user = userEvent.setup();
    renderPage(<DocumentsPage />);
    await screen.findByText("a.md");

    await user.click(within(rowOf("a.md")).getByRole("button", { name: "Delete" }));
    await user.click(within(await screen.findByRole("alertdialog")).getByRole("button", { name: "Cancel" }));
    expect(deleted).toEqual([]);

    await user.click(within(rowOf("a.md")).getByRole("button", { name: "Delete" }));
    const dialog = await screen.findByRole("alertdialog");
    expect(within(dialog).getByText("Delete a.md?")).toBeInTheDocument();
    await user.click(within(dialog).getByRole("button", { name: "Delete" }));
    await waitFor(() => expect(screen.queryByText("a.md")).not.toBeInTheDocument());
    expect(deleted).toEqual(["d1"]);
    expect(screen.getAllByTestId("document-row")).toHaveLength(1);
  });

  it("reindexes, and pages like the API", async () => {
    const reindexed: string[] = [];
    const cursors: (string | null)[] = [];
    server.use(
      http.get(`${API}/api/documents`, ({ request }) => {
        const cursor = new URL(request.url).searchParams.get("cursor");
        cursors.push(cursor);
        return cursor === "page-2"
          ? HttpResponse.json({ items: [doc({ id: "d3", filename: "older.md" })], next_cursor: null })
          : HttpResponse.json({ items: [doc({ id: "d1", filename: "newer.md" })], next_cursor: "page-2" });
      }),
      http.post(`${API}/api/documents/:id/reindex`, ({ params }) => {
        reindexed.push(String(params.id));
        return HttpResponse.json(doc({ id: String(params.id), status: "ready" }), { status: 202 });
      }),
    );
    const user = userEvent.setup();
    renderPage(<DocumentsPage />);
    await screen.findByText("newer.md");
    expect(screen.queryByText("older.md")).not.toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Load more" }));
    expect(await screen.findByText("older.md")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Load more" })).not.toBeInTheDocument();
    expect(cursors.slice(0, 2)).toEqual([null, "page-2"]);

    await user.click(screen.getByRole("button", { name: "Reindex older.md" }));
    await waitFor(() => expect(reindexed).toEqual(["d3"]));
  });
});
