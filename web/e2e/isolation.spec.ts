import { expect, test } from "@playwright/test";

import { replyDone, send, signIn, userName } from "./helpers";

test("user B never sees user A's conversations, and A's URL is not found for B", async ({ browser }) => {
  const alice = await browser.newContext();
  const bob = await browser.newContext();
  try {
    const a = await alice.newPage();
    const secret = `Alice private plan ${userName("x")}`;
    await signIn(a, userName("alice"));
    await send(a, secret);
    await replyDone(a, secret);
    await expect(a).toHaveURL(/\/c\/[^/]+$/);
    const conversationUrl = a.url();
    await expect(a.getByRole("navigation", { name: "Conversations" })).toContainText("Alice private plan");

    const b = await bob.newPage();
    await signIn(b, userName("bob"));
    const list = b.getByRole("navigation", { name: "Conversations" });
    await expect(list).toBeVisible();
    await b.getByRole("textbox", { name: "Search conversations" }).fill("Alice");
    await expect(list.getByRole("link", { name: /Alice private plan/ })).toHaveCount(0);
    await expect(b.getByText("Alice private plan")).toHaveCount(0);

    await b.goto(conversationUrl);
    await expect(b.getByRole("button", { name: "Sign out" })).toBeVisible();
    await expect(b.getByText(/not found|nothing here|does not exist/i).first()).toBeVisible();
    await expect(b.getByText("Alice private plan")).toHaveCount(0);
    await expect(b.getByTestId("user-message")).toHaveCount(0);
  } finally {
    await alice.close();
    await bob.close();
  }
});
