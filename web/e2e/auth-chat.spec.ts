import { expect, test } from "@playwright/test";

import { composer, expectAccessible, lastReply, replyDone, send, signIn, userName } from "./helpers";

test("signs in through the local OIDC provider and lands back signed in", async ({ page }) => {
  await page.goto("/");
  await expect(page.getByText("You are signed out.")).toBeVisible();
  await expectAccessible(page, "signed out");
  const name = userName("signin");
  await signIn(page, name);
  await expect(page.getByRole("navigation", { name: "Conversations" })).toBeVisible();
  await expect(composer(page)).toBeVisible();
  // The session survives a reload (the token lives in the tab's session storage).
  await page.reload();
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
});

test("streams a reply with a thinking panel and rendered markdown", async ({ page }) => {
  await signIn(page, userName("markdown"));
  await send(page, "**bold** and a table\n\n| city | river |\n|---|---|\n| Paris | Seine |");
  await expect(page.getByTestId("user-message").last()).toContainText("and a table");
  const reply = await replyDone(page, "demo model");
  await expect(reply.locator("strong", { hasText: "bold" })).toBeVisible();
  await expect(reply.locator("table")).toContainText("Seine");
  const thinking = reply.getByRole("button", { name: /^Thinking/ });
  await expect(thinking).toBeVisible();
  await expect(thinking).toHaveAttribute("aria-expanded", "false"); // collapsed once the answer started
  // Just after `done` the live reply is swapped for the stored one (a new element, collapsed again): retry.
  await expect(async () => {
    if ((await thinking.getAttribute("aria-expanded")) !== "true") await thinking.click();
    await expect(reply).toContainText("I am the demo model, so I echo them", { timeout: 1000 });
  }).toPass({ timeout: 15_000 });
  await expect(thinking).toHaveAttribute("aria-expanded", "true");
  await expect(reply.getByTestId("reply-usage")).toBeVisible();
  // The conversation is in the list under its title (its first message) and has a URL of its own.
  await expect(page).toHaveURL(/\/c\/[^/]+$/);
  await expect(page.getByRole("navigation", { name: "Conversations" }).getByRole("link")).toHaveCount(1);
  await expectAccessible(page, "chat with a reply");
});

test("stops a reply; the partial answer stays marked Stopped after a reload", async ({ page }) => {
  await signIn(page, userName("stop"));
  const words = Array.from({ length: 400 }, (_, i) => `word${i}`).join(" ");
  await send(page, `Please repeat: ${words}`);
  const stop = page.getByRole("button", { name: "Stop" });
  await expect(stop).toBeVisible();
  await expect(lastReply(page)).toContainText("word5");
  await stop.click();
  await expect(stop).toHaveCount(0);
  const reply = lastReply(page);
  await expect(reply).toContainText("Stopped");
  await expect(reply).not.toContainText("word399");
  const url = page.url();
  await page.reload();
  await expect(page).toHaveURL(url);
  await expect(lastReply(page)).toContainText("word5");
  await expect(lastReply(page)).toContainText("Stopped");
  await expect(lastReply(page)).not.toContainText("word399");
});

test("Esc in the composer stops a streaming reply", async ({ page }) => {
  await signIn(page, userName("esc"));
  const words = Array.from({ length: 300 }, (_, i) => `item${i}`).join(" ");
  await send(page, `Echo: ${words}`);
  await expect(lastReply(page)).toContainText("item3");
  await composer(page).press("Escape");
  await expect(page.getByRole("button", { name: "Stop" })).toHaveCount(0);
  await expect(lastReply(page)).toContainText("Stopped");
});

test("switches models: the next reply comes from the model picked", async ({ page }) => {
  // tests/web/e2e_server.py serves a second model, mirror/parrot, beside the default demo/echo.
  await signIn(page, userName("models"));
  const picker = page.getByRole("button", { name: "Model" }).or(page.getByRole("combobox", { name: "Model" }));
  await expect(picker).toContainText("demo/echo");
  await send(page, "first on the default model");
  await replyDone(page, "first on the default model");
  await expect(lastReply(page)).not.toContainText("parrot");
  await picker.click();
  const option = page
    .getByRole("option", { name: /mirror\/parrot|parrot/ })
    .or(page.getByRole("menuitemradio", { name: /mirror\/parrot|parrot/ }))
    .or(page.getByRole("menuitem", { name: /mirror\/parrot|parrot/ }));
  await option.first().click();
  await expect(picker).toContainText("mirror/parrot");
  await send(page, "second on the mirror");
  await replyDone(page, "second on the mirror");
  await expect(lastReply(page)).toContainText("parrot");
  await expect(page.getByTestId("assistant-message").first()).not.toContainText("parrot");
  // The conversation remembers the last model.
  await page.reload();
  await expect(picker).toContainText("mirror/parrot");
});

test("shows a tool call as a card with its result", async ({ page }) => {
  await signIn(page, userName("tools"));
  await send(page, "What is your status?");
  const reply = await replyDone(page, "returned");
  const card = reply.getByTestId("tool-call");
  await expect(card).toHaveCount(1);
  await expect(card).toContainText("system_info");
  const toggle = card.getByRole("button").first();
  if ((await toggle.getAttribute("aria-expanded")) === "false") await toggle.click();
  await expect(card).toContainText("privategpt"); // the result: {"service": "privategpt", …}
  await expect(reply).toContainText("Here is what system_info returned");
});
