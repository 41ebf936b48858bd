/// <reference types="vitest/config" />
import { fileURLToPath, URL } from "node:url";

import tailwindcss from "@tailwindcss/vite";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// `npm run dev` (hot reload) proxies everything that is not the app to a running `privategpt dev`, so the
// page, the API and the local sign-in share one origin, as in `make dev`. Streams (phase 2) go straight to the
// stream port, which allows this origin (CORS).
const API = process.env.PGPT_API ?? "http://127.0.0.1:8000";
const proxied = ["/api", "/oauth", "/.well-known", "/config.json", "/mcp", "/docs", "/openapi.json"];

export default defineConfig({
  plugins: [react(), tailwindcss()],
  resolve: { alias: { "@": fileURLToPath(new URL("./src", import.meta.url)) } },
  server: {
    port: 5173,
    strictPort: true,
    proxy: Object.fromEntries(proxied.map((path) => [path, { target: API, changeOrigin: false }])),
  },
  build: {
    target: "es2022",
    sourcemap: true,
    // Budgets are checked by bench/web_budget (initial JS gzip), not by a Rollup warning.
    chunkSizeWarningLimit: 1500,
  },
  test: {
    environment: "jsdom",
    setupFiles: ["./src/test/setup.ts"],
    include: ["src/**/*.test.{ts,tsx}"],
    css: false,
  },
});
