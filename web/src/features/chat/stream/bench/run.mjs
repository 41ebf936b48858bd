// Build the bench page (production React) and run it in headless Chromium; prints window.benchResult.
// Usage (in web/): node src/features/chat/stream/bench/run.mjs [rate] [seconds]
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { extname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { chromium } from "playwright-core";
import { build } from "vite";

const web = fileURLToPath(new URL("../../../../../", import.meta.url));
const outDir = "/tmp/pgpt-stream-bench";
await build({
  root: web,
  configFile: join(web, "vite.config.ts"),
  logLevel: "warn",
  build: { outDir, emptyOutDir: true, sourcemap: false, minify: process.env.PROFILE ? false : "oxc", rollupOptions: { input: join(web, "src/features/chat/stream/bench/index.html") } },
});
const types = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".woff2": "font/woff2" };
const server = createServer(async (request, response) => {
  try {
    const path = new URL(request.url ?? "/", "http://x").pathname;
    const body = await readFile(join(outDir, path));
    response.writeHead(200, { "content-type": types[extname(path)] ?? "application/octet-stream" }).end(body);
  } catch {
    response.writeHead(404).end();
  }
}).listen(0, "127.0.0.1");
await new Promise((resolve) => server.once("listening", resolve));
const { port } = server.address();
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  const page = await browser.newPage();
  const rate = process.argv[2] ?? "2000";
  const seconds = process.argv[3] ?? "8";
  const sample = process.argv[4] ?? "markdown";
  const metrics = await page.context().newCDPSession(page);
  await metrics.send("Performance.enable");
  const cdp = process.env.PROFILE ? await page.context().newCDPSession(page) : null;
  if (cdp) {
    await cdp.send("Profiler.enable");
    await cdp.send("Profiler.setSamplingInterval", { interval: 500 });
    await cdp.send("Profiler.start");
  }
  await page.goto(`http://127.0.0.1:${port}/src/features/chat/stream/bench/index.html?rate=${rate}&seconds=${seconds}&sample=${sample}`);
  await page.waitForFunction(() => window.benchResult !== undefined, null, { timeout: 120_000 });
  console.log(JSON.stringify(await page.evaluate(() => window.benchResult), null, 2));
  if (process.env.SCREENSHOT) await page.screenshot({ path: process.env.SCREENSHOT, fullPage: false });
  const { metrics: values } = await metrics.send("Performance.getMetrics");
  const pick = ["TaskDuration", "ScriptDuration", "LayoutDuration", "RecalcStyleDuration", "LayoutCount"];
  console.log(values.filter((m) => pick.includes(m.name)).map((m) => `${m.name}=${m.name.endsWith("Count") ? m.value : m.value.toFixed(2) + "s"}`).join(" "));
  if (cdp) {
    const { profile } = await cdp.send("Profiler.stop");
    const self = new Map();
    const interval = (profile.endTime - profile.startTime) / Math.max(1, profile.samples.length) / 1000;
    for (const node of profile.nodes) {
      const key = `${node.callFrame.functionName || "(anonymous)"} ${node.callFrame.url.split("/").pop()}:${node.callFrame.lineNumber}`;
      self.set(key, (self.get(key) ?? 0) + (node.hitCount ?? 0) * interval);
    }
    for (const [key, ms] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(ms.toFixed(0).padStart(7), "ms", key);
  }
} finally {
  await browser.close();
  server.close();
}
