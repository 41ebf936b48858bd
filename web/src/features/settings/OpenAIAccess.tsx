/** Where code written for OpenAI's SDKs points: the streaming endpoint + `/v1`, with a key from this page. */
import { Copy, Plug } from "lucide-react";
import { useContext, useState } from "react";

import { ConfigContext } from "@/app/ConfigContext";
import type { AppConfig } from "@/config";

/** The OpenAI-compatible base URL: the stream endpoint's (the API's own origin when it has none) + `/v1`. */
export function openaiBaseUrl(config: AppConfig | null, origin: string): string {
  const base = config?.streamUrl || config?.apiUrl || origin;
  return `${base.replace(/\/+$/, "")}/v1`;
}

export function OpenAIAccess() {
  const config = useContext(ConfigContext);
  const baseUrl = openaiBaseUrl(config, window.location.origin);
  const [copied, setCopied] = useState(false);
  return (
    <section aria-labelledby="openai-heading" className="space-y-3">
      <h2 id="openai-heading" className="flex items-center gap-2 text-lg font-semibold">
        <Plug aria-hidden className="size-5" /> OpenAI-compatible API
      </h2>
      <p className="text-sm text-zinc-600 dark:text-zinc-400">
        Tools and code written for OpenAI&apos;s SDKs work with a key from above and this base URL; models are named
        as in the model picker (e.g. <code>openai/gpt-4o</code>).
      </p>
      <div className="flex items-center gap-2 text-sm">
        <code data-testid="openai-base-url" className="min-w-0 flex-1 break-all rounded bg-zinc-100 px-2 py-1 dark:bg-zinc-900">
          {baseUrl}
        </code>
        <button
          type="button"
          onClick={() => void navigator.clipboard?.writeText(baseUrl).then(() => setCopied(true))}
          className="inline-flex items-center gap-1 rounded-md px-2 py-1 hover:bg-zinc-100 dark:hover:bg-zinc-800"
        >
          <Copy aria-hidden className="size-4" /> {copied ? "Copied" : "Copy base URL"}
        </button>
      </div>
      <pre className="overflow-x-auto rounded-lg bg-zinc-100 p-3 text-xs dark:bg-zinc-900">
        <code>{`from openai import OpenAI\n\nclient = OpenAI(base_url="${baseUrl}", api_key="pgpt-…")`}</code>
      </pre>
    </section>
  );
}
