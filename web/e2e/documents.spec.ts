import { expect, test } from "@playwright/test";

import { expectAccessible, replyDone, screenshot, send, signIn } from "./helpers";

const NOTE = `# Field notes

The lighthouse keeper on Skerry Island is named Aldous Penhallow.
He has kept the light since 1987 and records the weather every morning at six.
The codeword for the supply boat is "marmalade".
`;

test("uploads a document, waits for ready, and answers from it with sources and a citation", async ({ page }) => {
  // Fixed names (each run has a fresh data directory): this test's screens are the README's screenshots.
  const filename = "lighthouse-notes.md";
  await signIn(page, "alice", "/documents");
  await expect(page.getByRole("heading", { name: "Documents" })).toBeVisible();
  await page.getByLabel("Upload documents").setInputFiles({
    name: filename,
    mimeType: "text/markdown",
    buffer: Buffer.from(NOTE),
  });
  const row = page.getByTestId("document-row").filter({ hasText: filename });
  await expect(row).toBeVisible();
  await expect(row).toContainText("ready", { timeout: 60_000 });
  await expectAccessible(page, "documents");
  await screenshot(page, "documents");

  await page.getByRole("link", { name: "Chat" }).first().click();
  await page.getByRole("button", { name: "Tools and documents" }).click();
  const choice = page.getByRole("checkbox", { name: filename });
  await choice.check();
  await expect(choice).toBeChecked();
  await page.keyboard.press("Escape");
  // The demo model echoes the question, so "[1]" in it comes back as a citation to the first source.
  await send(page, "Who keeps the lighthouse on Skerry Island? [1]");
  const reply = await replyDone(page, "Skerry Island");
  const sources = reply.getByRole("heading", { name: "Sources" });
  await expect(sources).toBeVisible();
  // Each reply numbers its sources from 1: the item is `[data-source="1"]` (its id is unique on the page).
  const source = reply.locator('[data-source="1"]');
  await expect(source).toContainText(filename);
  await expect(source).toContainText("Aldous Penhallow");
  const citation = reply.getByRole("link", { name: "[1]" });
  await expect(citation).toHaveAttribute("href", /#source-1$/);
  await citation.click();
  await expect(source).toBeFocused();
  const thinking = reply.getByRole("button", { name: /^Thinking/ });
  await expect(async () => {
    if ((await thinking.getAttribute("aria-expanded")) !== "true") await thinking.click();
    await expect(reply).toContainText("I am the demo model", { timeout: 1000 });
  }).toPass({ timeout: 15_000 });
  await screenshot(page, "chat");
  await page.emulateMedia({ colorScheme: "dark" });
  await screenshot(page, "chat-dark");
  await page.emulateMedia({ colorScheme: "light" });

  // Deleting asks first, then the row goes.
  await page.goto("/documents");
  await row.getByRole("button", { name: "Delete" }).click();
  const confirm = page.getByRole("alertdialog").or(page.getByRole("dialog"));
  await expect(confirm).toContainText(filename);
  await confirm.getByRole("button", { name: "Delete" }).click();
  await expect(row).toHaveCount(0);
});
