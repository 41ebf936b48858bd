// Shows what /config.json (written at deploy time by the platform stack) says. No inline script: the site's
// Content-Security-Policy allows scripts from 'self' only.
"use strict";

function show(id, text) {
  const element = document.getElementById(id);
  if (element) element.textContent = text || "–";
}

async function main() {
  let config;
  try {
    const response = await fetch("/config.json", { cache: "no-cache" });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    config = await response.json();
  } catch (error) {
    show("api-url", `/config.json is not available yet (${error.message}): deploy the platform stack.`);
    return;
  }
  show("api-url", config.apiUrl);
  show("stream-url", config.streamUrl);
  show("mcp-url", config.mcpUrl);
  const auth = config.auth || {};
  show("auth", auth.mode ? `${auth.mode} (${auth.issuer || "no issuer"})` : "");
  show("stage", config.stage);
  if (config.apiUrl) {
    const link = document.getElementById("docs-link");
    link.href = `${config.apiUrl.replace(/\/$/, "")}/docs`;
    link.textContent = link.href;
    document.getElementById("docs").hidden = false;
  }
}

main();
