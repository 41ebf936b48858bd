import { http, HttpResponse } from "msw";
import { describe, expect, it } from "vitest";

import { contentTypeOf, uploadToS3, UploadError } from "./upload";
import { server, setupTestServer } from "./testHarness";

setupTestServer();

const URL_ = "http://s3.test/bucket";
const CORS = { "Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "POST" };

describe("uploadToS3", () => {
  it("reports the upload's progress from XMLHttpRequest and resolves on 204", async () => {
    server.use(
      http.options(URL_, () => new HttpResponse(null, { status: 204, headers: CORS })),
      http.post(URL_, () => new HttpResponse(null, { status: 204, headers: CORS })),
    );
    const progress: number[] = [];
    await uploadToS3({ url: URL_, fields: { key: "k" } }, new File(["x".repeat(1000)], "a.txt"), (p) => progress.push(p));
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)).toBe(1);
  });

  it("rejects with S3's message", async () => {
    server.use(
      http.options(URL_, () => new HttpResponse(null, { status: 204, headers: CORS })),
      http.post(URL_, () => new HttpResponse("<Error><Message>Policy expired</Message></Error>", { status: 403, headers: CORS })),
    );
    const error = await uploadToS3({ url: URL_, fields: {} }, new File(["x"], "a.txt"), () => {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UploadError);
    expect((error as UploadError).status).toBe(403);
    expect((error as UploadError).message).toBe("The storage refused the upload (403): Policy expired");
  });
});

describe("contentTypeOf", () => {
  it("names what the browser left blank from the extension", () => {
    expect(contentTypeOf(new File([""], "notes.MD"))).toBe("text/markdown");
    expect(contentTypeOf(new File([""], "a.docx"))).toBe(
      "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    );
    expect(contentTypeOf(new File([""], "a.bin"))).toBe("application/octet-stream");
    expect(contentTypeOf(new File([""], "a.md", { type: "text/plain" }))).toBe("text/plain");
  });
});
