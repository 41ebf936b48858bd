import { expect, test } from "@playwright/test";

import { expectAccessible, replyDone, screenshot, send, signIn, userName } from "./helpers";

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

test("an API key made in settings works as a bearer token until it is revoked", async ({ page, request }) => {
  const name = userName("keys");
  await signIn(page, name, "/settings");
  await page.getByLabel("Key name").fill("e2e");
  await page.getByRole("button", { name: "Create key" }).click();
  const key = (await page.getByTestId("new-api-key").textContent())?.trim() ?? "";
  expect(key).toMatch(/^pgpt-/);
  const me = await request.get("/api/me", { headers: { Authorization: `Bearer ${key}` } });
  expect(me.status()).toBe(200);
  expect((await me.json()).subject).toBe(name);
  await expect(page.getByTestId("api-key-row")).toContainText("e2e");
  await expectAccessible(page, "settings");
  await page.getByRole("button", { name: "Done" }).click();
  await page.getByRole("button", { name: "Revoke" }).click();
  await page.getByRole("alertdialog").getByRole("button", { name: "Revoke" }).click();
  await expect(page.getByText("No keys yet.")).toBeVisible();
  const after = await request.get("/api/me", { headers: { Authorization: `Bearer ${key}` } });
  expect(after.status()).toBe(401);
});
