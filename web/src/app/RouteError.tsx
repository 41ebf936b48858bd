import { useRouteError } from "react-router";

import { errorMessage } from "@/api/errors";

/** A screen failed to render or load: say so and offer a reload, never a blank page. */
export function RouteError() {
  const error = useRouteError();
  return (
    <main className="mx-auto max-w-lg p-10">
      <div role="alert" className="rounded-xl border border-red-300 p-6 dark:border-red-800">
        <h1 className="font-semibold">Something went wrong</h1>
        <p className="mt-2 text-sm text-zinc-600 dark:text-zinc-400">{errorMessage(error)}</p>
        <button
          type="button"
          onClick={() => window.location.reload()}
          className="mt-4 rounded-lg bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-500"
        >
          Reload
        </button>
      </div>
    </main>
  );
}
