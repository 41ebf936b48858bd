import { Send } from "lucide-react";
import { useId, useState, type FormEvent } from "react";

import { cn } from "@/lib/cn";

import { METHODS, sendRequest, validate, type Method, type TesterResponse } from "./apiTester";
import { BUTTON, Json, Section } from "./ui";

const FIELD = "rounded-md border border-zinc-300 bg-white px-2 py-1.5 text-sm dark:border-zinc-700 dark:bg-zinc-900";

/** Send any request to the API as the signed-in user; see the status, the time and the JSON. */
export function ApiTester() {
  const ids = { method: useId(), path: useId(), body: useId(), error: useId() };
  const [method, setMethod] = useState<Method>("GET");
  const [path, setPath] = useState("/api/me");
  const [body, setBody] = useState("");
  const [invalid, setInvalid] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const [response, setResponse] = useState<TesterResponse | null>(null);
  const [failure, setFailure] = useState<string | null>(null);

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    const checked = validate(method, path, body);
    if ("error" in checked) {
      setInvalid(checked.error);
      return;
    }
    setInvalid(null);
    setFailure(null);
    setSending(true);
    try {
      setResponse(await sendRequest(method, path, checked.body));
    } catch (error) {
      setResponse(null);
      setFailure(`The request failed: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      setSending(false);
    }
  };

  return (
    <Section title="API tester">
      <form onSubmit={(event) => void onSubmit(event)} className="flex flex-col gap-3" noValidate>
        <div className="flex flex-wrap gap-2">
          <div className="flex flex-col gap-1">
            <label htmlFor={ids.method} className="text-xs text-zinc-600 dark:text-zinc-400">Method</label>
            <select id={ids.method} value={method} onChange={(e) => setMethod(e.target.value as Method)} className={FIELD}>
              {METHODS.map((m) => (
                <option key={m} value={m}>{m}</option>
              ))}
            </select>
          </div>
          <div className="flex min-w-60 flex-1 flex-col gap-1">
            <label htmlFor={ids.path} className="text-xs text-zinc-600 dark:text-zinc-400">Path</label>
            <input
              id={ids.path}
              value={path}
              onChange={(e) => setPath(e.target.value)}
              spellCheck={false}
              aria-invalid={invalid !== null}
              aria-describedby={invalid ? ids.error : undefined}
              className={cn(FIELD, "font-mono")}
            />
          </div>
        </div>
        <div className="flex flex-col gap-1">
          <label htmlFor={ids.body} className="text-xs text-zinc-600 dark:text-zinc-400">Body</label>
          <textarea
            id={ids.body}
            value={body}
            onChange={(e) => setBody(e.target.value)}
            rows={5}
            spellCheck={false}
            placeholder='{"content": "Hello"}'
            aria-invalid={invalid !== null}
            aria-describedby={invalid ? ids.error : undefined}
            className={cn(FIELD, "font-mono")}
          />
        </div>
        {invalid && (
          <p id={ids.error} role="alert" className="text-sm text-red-700 dark:text-red-400">
            {invalid}
          </p>
        )}
        <button type="submit" className={cn(BUTTON, "self-start")} disabled={sending}>
          <Send aria-hidden className="size-4" />
          Send request
        </button>
      </form>
      {failure && (
        <p role="alert" className="mt-3 text-sm text-red-700 dark:text-red-400">{failure}</p>
      )}
      {response && (
        <div data-testid="api-response" className="mt-3 flex flex-col gap-2" aria-live="polite">
          <p className="text-sm">
            <span
              className={cn(
                "font-semibold",
                response.status < 400 ? "text-green-700 dark:text-green-400" : "text-red-700 dark:text-red-400",
              )}
            >
              {response.status} {response.statusText}
            </span>{" "}
            <span className="text-zinc-500">in {response.durationMs} ms</span>
          </p>
          <Json value={response.body} />
        </div>
      )}
    </Section>
  );
}
