/** Sending one file: declare it to the API, then POST its bytes straight to S3 with the presigned form. */
import { api, call } from "@/api/client";
import type { DocumentCreated } from "@/api/types";

/** A type for files the browser could not name (Markdown often has none): the API decides whether it accepts it. */
const TYPES_BY_EXTENSION: Record<string, string> = {
  pdf: "application/pdf",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  html: "text/html",
  htm: "text/html",
  md: "text/markdown",
  markdown: "text/markdown",
  txt: "text/plain",
  text: "text/plain",
  csv: "text/csv",
};

/** What the file input offers by default (the drop zone takes anything; the API refuses what it cannot index). */
export const ACCEPT = ".pdf,.docx,.html,.htm,.md,.markdown,.txt,.csv,text/*,application/pdf";

export function contentTypeOf(file: File): string {
  if (file.type) return file.type;
  const extension = file.name.split(".").pop()?.toLowerCase() ?? "";
  return TYPES_BY_EXTENSION[extension] ?? "application/octet-stream";
}

export function createDocument(file: File): Promise<DocumentCreated> {
  return call(
    api.POST("/api/documents", { body: { filename: file.name, content_type: contentTypeOf(file), size: file.size } }),
  );
}

export class UploadError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = "UploadError";
    this.status = status;
  }
}

/** S3 answers an XML error document: its <Message>, else the status. */
function s3Message(status: number, body: string): string {
  const match = /<Message>([^<]*)<\/Message>/.exec(body);
  if (status === 0) return "The upload could not reach the storage (network or CORS).";
  return `The storage refused the upload (${status})${match?.[1] ? `: ${match[1]}` : "."}`;
}

/** POST the presigned form to S3: every field, then the file last as `file`. No Authorization header: the signed
 * policy is the credential. XMLHttpRequest, not fetch, because only it reports upload progress. */
export function uploadToS3(
  upload: { url: string; fields: Record<string, string> },
  file: File,
  onProgress: (fraction: number) => void,
  signal?: AbortSignal,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const form = new FormData();
    for (const [name, value] of Object.entries(upload.fields)) form.append(name, value);
    form.append("file", file);
    const xhr = new XMLHttpRequest();
    xhr.open("POST", upload.url);
    xhr.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable && event.total > 0) onProgress(event.loaded / event.total);
    });
    xhr.addEventListener("load", () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        resolve();
      } else {
        reject(new UploadError(xhr.status, s3Message(xhr.status, xhr.responseText)));
      }
    });
    xhr.addEventListener("error", () => reject(new UploadError(0, s3Message(0, ""))));
    xhr.addEventListener("abort", () => reject(new UploadError(0, "The upload was cancelled.")));
    signal?.addEventListener("abort", () => xhr.abort());
    xhr.send(form);
  });
}
