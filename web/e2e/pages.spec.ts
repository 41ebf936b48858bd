import { expect, test } from "@playwright/test";

import { expectAccessible, replyDone, screenshot, send, signIn } from "./helpers";

test("usage shows what a chat cost", async ({ page }) => {
  await signIn(page, "carol"); // fixed names (a fresh data directory each run): README screenshots
  await send(page, "count this please");
  await replyDone(page, "count this please");
  await page.goto("/usage");
  await expect(page.getByRole("heading", { name: "Usage" })).toBeVisible();
  await expect(page.getByLabel("Range")).toBeVisible();
  await expect(page.getByRole("main")).toContainText("demo/echo");
  await expectAccessible(page, "usage");
  await screenshot(page, "usage");
});

test("the dashboard's API tester calls GET /api/me and shows 200", async ({ page }) => {
  await signIn(page, "dave", "/dev");
  await expect(page.getByRole("heading", { name: "Developer dashboard" })).toBeVisible();
  for (const section of ["Health", "Models", "Debug", "Requests", "API tester", "Recent replies"]) {
    await expect(page.getByRole("heading", { name: section, exact: true })).toBeVisible();
  }
  await page.getByLabel("Method").selectOption("GET");
  await page.getByLabel("Path").fill("/api/me");
  await page.getByRole("button", { name: "Send request" }).click();
  const response = page.getByTestId("api-response");
  await expect(response).toContainText("200");
  await expect(response).toContainText("dave");
  await expectAccessible(page, "dashboard");
  // The README's picture shows the top: health and models.
  await page.getByRole("heading", { name: "Developer dashboard" }).scrollIntoViewIfNeeded();
  await screenshot(page, "dashboard");
});
