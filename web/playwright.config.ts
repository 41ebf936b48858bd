import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, URL } from "node:url";

import { defineConfig } from "@playwright/test";

// The end-to-end tests: Debian's chromium (never a Playwright download) against the real platform, i.e.
// `privategpt dev` (DynamoDB Local, the local OIDC provider, moto S3/SQS with the ingestion worker, the demo
// model) serving the built web/dist, through tests/web/e2e_server.py, which adds a second model for "switch
// models" and cleans PGPT_/OPENAI_/ANTHROPIC_/OLLAMA_ variables out of the environment. `make web-e2e`.
const root = fileURLToPath(new URL("..", import.meta.url));
const port = Number(process.env.E2E_PORT ?? 8710); // the streaming app takes port + 1
// One fresh data directory per run; workers inherit it through the environment (the config loads in each).
process.env.E2E_DATA_DIR ??= mkdtempSync(join(tmpdir(), "privategpt-e2e-"));
export const baseURL = `http://127.0.0.1:${port}`;

export default defineConfig({
  testDir: "./e2e",
  outputDir: join(root, ".cache/e2e/test-results"),
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: Number(process.env.E2E_WORKERS ?? 2),
  retries: 0,
  reporter: [["list"], ["html", { outputFolder: join(root, ".cache/e2e/report"), open: "never" }]],
  use: {
    baseURL,
    viewport: { width: 1280, height: 800 },
    colorScheme: "light",
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  webServer: {
    command: `${join(root, ".venv/bin/python")} ${join(root, "tests/web/e2e_server.py")} --port ${port} --data-dir ${process.env.E2E_DATA_DIR}`,
    cwd: root,
    url: `${baseURL}/api/health`,
    timeout: 120_000,
    reuseExistingServer: false,
    stdout: "ignore",
    stderr: "pipe",
    gracefulShutdown: { signal: "SIGTERM", timeout: 10_000 },
  },
});
