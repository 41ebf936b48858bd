/** The dashboard's API tester: one request to the API with the signed-in user's token, logged like the others. */
import { apiBaseUrl, authHeader } from "@/api/client";
import { logRequest, updateRequest } from "@/lib/requestLog";

export const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
export type Method = (typeof METHODS)[number];

export interface TesterResponse {
  status: number;
  statusText: string;
  durationMs: number;
  body: unknown;
}

/** Why the request cannot be sent as typed, else the parsed body (undefined: no body). */
export function validate(method: Method, path: string, body: string): { error: string } | { body: unknown } {
  if (!path.startsWith("/api/")) return { error: "The path must start with /api/." };
  if (/\s/.test(path)) return { error: "The path must not contain spaces." };
  if (body.trim() === "") return { body: undefined };
  if (method === "GET") return { error: "A GET request has no body: empty the Body field." };
  try {
    return { body: JSON.parse(body) as unknown };
  } catch (error) {
    return { error: `The body is not valid JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
}

async function readBody(response: Response): Promise<unknown> {
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** A plain fetch to `apiBaseUrl() + path` with `authHeader()` (and JSON when there is a body). */
export async function sendRequest(method: Method, path: string, body: unknown): Promise<TesterResponse> {
  const url = `${apiBaseUrl()}${path}`;
  const headers: Record<string, string> = { Accept: "application/json", ...authHeader() };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const startedAt = performance.now();
  const logId = logRequest({
    method,
    url,
    status: null,
    startedAt,
    durationMs: null,
    requestBody: body ?? null,
    responseBody: null,
    error: null,
  });
  try {
    const response = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const parsed = await readBody(response);
    const durationMs = Math.round(performance.now() - startedAt);
    updateRequest(logId, { status: response.status, durationMs, responseBody: parsed });
    return { status: response.status, statusText: response.statusText, durationMs, body: parsed };
  } catch (error) {
    const durationMs = Math.round(performance.now() - startedAt);
    updateRequest(logId, { status: 0, durationMs, error: String(error) });
    throw error;
  }
}
