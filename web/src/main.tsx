import { StrictMode } from "react";
import { createRoot } from "react-dom/client";

import { App } from "@/app/App";
import { loadConfig } from "@/config";

import "./styles.css";

const root = createRoot(document.getElementById("root")!);

loadConfig()
  .then((config) =>
    root.render(
      <StrictMode>
        <App config={config} />
      </StrictMode>,
    ),
  )
  .catch((error: unknown) =>
    root.render(
      <main className="flex min-h-full items-center justify-center p-6">
        <div role="alert" className="max-w-md rounded-xl border border-red-300 p-6 dark:border-red-800">
          <h1 className="font-semibold">PrivateGPT cannot start</h1>
          <p className="mt-2 text-sm">{error instanceof Error ? error.message : String(error)}</p>
        </div>
      </main>,
    ),
  );
