/** The API's one error shape: `{"error": {"code", "type", "message", "request_id", "details"}}`
 * (functions/privategpt/errors.py; `type` is OpenAI's word for the kind of error). */
export interface ErrorBody {
  code: string;
  type?: string;
  message: string;
  request_id?: string | null;
  details?: Record<string, unknown>;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly requestId: string | null;
  readonly details: Record<string, unknown>;

  constructor(status: number, body: ErrorBody) {
    super(body.message);
    this.name = "ApiError";
    this.status = status;
    this.code = body.code;
    this.requestId = body.request_id ?? null;
    this.details = body.details ?? {};
  }

  /** From any response body: the API's shape, else a generic one naming the status. */
  static from(status: number, body: unknown): ApiError {
    const error = typeof body === "object" && body !== null ? (body as { error?: unknown }).error : undefined;
    if (typeof error === "object" && error !== null && typeof (error as ErrorBody).message === "string") {
      return new ApiError(status, error as ErrorBody);
    }
    return new ApiError(status, { code: status === 0 ? "network_error" : "http_error", message: describe(status) });
  }
}

function describe(status: number): string {
  if (status === 0) return "The server could not be reached. Check your connection and try again.";
  return `The server answered ${status}.`;
}

export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}
