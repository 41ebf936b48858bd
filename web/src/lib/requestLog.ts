import { createStore } from "./store";

/** The last API requests and responses of this page, for the developer dashboard's raw JSON view. */
export interface LoggedRequest {
  id: number;
  method: string;
  url: string;
  status: number | null;
  startedAt: number;
  durationMs: number | null;
  requestBody: unknown;
  responseBody: unknown;
  error: string | null;
}

export const REQUEST_LOG_SIZE = 50;
export const requestLog = createStore<LoggedRequest[]>([]);

let nextId = 1;

export function logRequest(entry: Omit<LoggedRequest, "id">): number {
  const id = nextId++;
  requestLog.set((entries) => [{ ...entry, id }, ...entries].slice(0, REQUEST_LOG_SIZE));
  return id;
}

export function updateRequest(id: number, changes: Partial<LoggedRequest>): void {
  requestLog.set((entries) => entries.map((entry) => (entry.id === id ? { ...entry, ...changes } : entry)));
}
