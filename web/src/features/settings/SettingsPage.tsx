/** `/settings`: the caller's API keys — make one (shown once), see when each was last used, revoke — and the
 * OpenAI-compatible base URL they work with. */
import { Copy, KeyRound, Trash2 } from "lucide-react";
import { useId, useState, type FormEvent } from "react";

import { errorMessage } from "@/api/errors";
import { ConfirmButton } from "@/components/ConfirmButton";

import { OpenAIAccess } from "./OpenAIAccess";
import { useApiKeys, useCreateApiKey, useRevokeApiKey, type ApiKey, type ApiKeyCreated } from "./queries";

const EXPIRIES: { label: string; days: number | null }[] = [
  { label: "30 days", days: 30 },
  { label: "90 days", days: 90 },
  { label: "1 year", days: 365 },
  { label: "Never", days: null },
];

function when(value: string | null | undefined): string {
  return value ? new Date(value).toLocaleString() : "never";
}

export function SettingsPage() {
  const keys = useApiKeys();
  const [created, setCreated] = useState<ApiKeyCreated | null>(null);
  return (
    <div className="mx-auto max-w-3xl space-y-6 overflow-y-auto p-4 sm:p-6">
      <h1 className="text-xl font-semibold">Settings</h1>
      <section aria-labelledby="keys-heading" className="space-y-4">
        <div>
          <h2 id="keys-heading" className="flex items-center gap-2 text-lg font-semibold">
            <KeyRound aria-hidden className="size-5" /> API keys
          </h2>
          <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">
            A key works in place of your sign-in as <code>Authorization: Bearer pgpt-…</code>, with your data and
            your roles (never admin). It is shown once; revoke it when it is no longer needed.
          </p>
        </div>
        <CreateKey onCreated={setCreated} />
        {created && <NewKey created={created} onDone={() => setCreated(null)} />}
        {keys.isError ? (
          <p role="alert" className="text-sm text-red-700 dark:text-red-400">
            {errorMessage(keys.error)}
          </p>
        ) : keys.isPending ? (
          <p className="text-sm text-zinc-500">Loading keys…</p>
        ) : keys.data.items.length === 0 ? (
          <p className="text-sm text-zinc-500">No keys yet.</p>
        ) : (
          <ul className="divide-y divide-zinc-200 rounded-lg border border-zinc-200 dark:divide-zinc-800 dark:border-zinc-800">
            {keys.data.items.map((key) => (
              <KeyRow key={key.id} apiKey={key} />
            ))}
          </ul>
        )}
      </section>
      <OpenAIAccess />
    </div>
  );
}

function CreateKey({ onCreated }: { onCreated: (created: ApiKeyCreated) => void }) {
  const create = useCreateApiKey();
  const [name, setName] = useState("");
  const [days, setDays] = useState<string>("90");
  const nameId = useId();
  const expiryId = useId();
  function submit(event: FormEvent) {
    event.preventDefault();
    create.mutate(
      { name: name.trim(), expires_in_days: days === "never" ? null : Number(days) },
      {
        onSuccess: (created) => {
          setName("");
          onCreated(created);
        },
      },
    );
  }
  return (
    <form onSubmit={submit} className="flex flex-wrap items-end gap-3">
      <div className="flex flex-col gap-1">
        <label htmlFor={nameId} className="text-sm font-medium">
          Key name
        </label>
        <input
          id={nameId}
          value={name}
          onChange={(event) => setName(event.target.value)}
          required
          maxLength={100}
          placeholder="e.g. laptop"
          className="rounded-md border border-zinc-300 bg-white px-2.5 py-1.5 text-sm dark:border-zinc-700 dark:bg-zinc-900"
        />
      </div>
      <div className="flex flex-col gap-1">
        <label htmlFor={expiryId} className="text-sm font-medium">
          Expires
        </label>
        <select
          id={expiryId}
          value={days}
          onChange={(event) => setDays(event.target.value)}
          className="rounded-md border border-zinc-300 bg-white px-2.5 py-1.5 text-sm dark:border-zinc-700 dark:bg-zinc-900"
        >
          {EXPIRIES.map(({ label, days: value }) => (
            <option key={label} value={value === null ? "never" : String(value)}>
              {label}
            </option>
          ))}
        </select>
      </div>
      <button
        type="submit"
        disabled={create.isPending || name.trim() === ""}
        className="rounded-md bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-500 disabled:opacity-50"
      >
        Create key
      </button>
      {create.isError && (
        <p role="alert" className="w-full text-sm text-red-700 dark:text-red-400">
          {errorMessage(create.error)}
        </p>
      )}
    </form>
  );
}

function NewKey({ created, onDone }: { created: ApiKeyCreated; onDone: () => void }) {
  const [copied, setCopied] = useState(false);
  return (
    <div role="status" className="rounded-lg border border-amber-300 bg-amber-50 p-3 text-sm dark:border-amber-700 dark:bg-amber-950/40">
      <p className="font-medium">Copy your new key “{created.name}” now: it is not shown again.</p>
      <div className="mt-2 flex items-center gap-2">
        <code data-testid="new-api-key" className="min-w-0 flex-1 break-all rounded bg-white px-2 py-1 dark:bg-zinc-900">
          {created.key}
        </code>
        <button
          type="button"
          onClick={() => void navigator.clipboard?.writeText(created.key).then(() => setCopied(true))}
          className="inline-flex items-center gap-1 rounded-md px-2 py-1 hover:bg-amber-100 dark:hover:bg-amber-900/40"
        >
          <Copy aria-hidden className="size-4" /> {copied ? "Copied" : "Copy key"}
        </button>
        <button type="button" onClick={onDone} className="rounded-md px-2 py-1 hover:bg-amber-100 dark:hover:bg-amber-900/40">
          Done
        </button>
      </div>
    </div>
  );
}

function KeyRow({ apiKey }: { apiKey: ApiKey }) {
  const revoke = useRevokeApiKey();
  return (
    <li data-testid="api-key-row" className="flex flex-wrap items-center gap-x-4 gap-y-1 px-3 py-2 text-sm">
      <span className="font-medium">{apiKey.name}</span>
      <code className="text-zinc-600 dark:text-zinc-400">{apiKey.prefix}…</code>
      <span className="text-zinc-600 dark:text-zinc-400">
        expires {apiKey.expires_at ? new Date(apiKey.expires_at).toLocaleDateString() : "never"} · last used{" "}
        {when(apiKey.last_used_at)}
      </span>
      <ConfirmButton
        label="Revoke"
        icon={<Trash2 aria-hidden className="size-4" />}
        title={`Revoke “${apiKey.name}”?`}
        description="Programs using it are refused from now on."
        pending={revoke.isPending}
        error={revoke.isError ? revoke.error : null}
        onOpen={() => revoke.reset()}
        onConfirm={() => revoke.mutate(apiKey.id)}
        className="ml-auto"
      />
    </li>
  );
}
