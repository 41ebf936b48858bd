import AxeBuilder from "@axe-core/playwright";
import { expect, type Locator, type Page } from "@playwright/test";
import { fileURLToPath, URL } from "node:url";

/** Where the run writes its screenshots of the main screens: the README's own (docs/screenshots/) with
 * `UPDATE_SCREENSHOTS=1` (`make screenshots`), else .cache/e2e/screenshots/, so a test run leaves the work tree
 * as it was. */
export const SCREENSHOTS = fileURLToPath(
  new URL(process.env.UPDATE_SCREENSHOTS === "1" ? "../../docs/screenshots/" : "../../.cache/e2e/screenshots/", import.meta.url),
);

/** A user name no other test (or earlier run) uses: every test starts as a new user. */
export function userName(tag: string): string {
  return `${tag}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}`;
}

/** Signs in through the local OIDC provider's authorize page (a user name, nothing else) and waits to land back
 * on `path`, signed in. */
export async function signIn(page: Page, name: string, path = "/"): Promise<void> {
  await page.goto(path);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/oauth\/authorize/);
  await page.getByLabel("User name").fill(name);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("button", { name: "Sign out" })).toBeVisible();
  await expect(page).toHaveURL((url) => url.pathname === path);
}

export function composer(page: Page): Locator {
  return page.getByRole("textbox", { name: "Message" });
}

/** Types a message into the composer and sends it with Enter. */
export async function send(page: Page, text: string): Promise<void> {
  const box = composer(page);
  await expect(box).toBeEditable();
  await box.fill(text);
  // Send is enabled once a model is chosen (the models load after sign-in): Enter before that does nothing.
  await expect(page.getByRole("button", { name: "Send" })).toBeEnabled();
  await box.press("Enter");
  await expect(box).toHaveValue("");
}

export function lastReply(page: Page): Locator {
  return page.getByTestId("assistant-message").last();
}

/** Waits for the newest reply to finish streaming (no Stop button any more) and to contain `text`. */
export async function replyDone(page: Page, text: string | RegExp, timeout = 30_000): Promise<Locator> {
  const reply = lastReply(page);
  await expect(reply).toContainText(text, { timeout });
  await expect(page.getByRole("button", { name: "Stop" })).toHaveCount(0, { timeout });
  return reply;
}

/** axe-core on the page as it is: no violation with impact serious or critical (WCAG 2.x A/AA rules). */
export async function expectAccessible(page: Page, screen: string): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  const bad = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  const report = bad.map(
    (v) => `${v.impact} ${v.id}: ${v.help}\n${v.nodes.map((n) => `    ${n.target.join(" ")}`).join("\n")}`,
  );
  expect(report, `${screen}: axe violations`).toEqual([]);
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${SCREENSHOTS}${name}.png` });
}
