import { cleanup, render, screen } from "@testing-library/react";
import { afterEach, expect, it, vi } from "vitest";

import { Markdown } from "./Markdown";

// The renderer chunk arrives late (as over a slow network): the text shows plain first, then upgrades.
vi.mock("./MarkdownText", async (importOriginal) => {
  await new Promise((resolve) => setTimeout(resolve, 100));
  return importOriginal();
});

afterEach(cleanup);

it("renders plain text until the markdown renderer has loaded, then markdown", async () => {
  const { container } = render(<Markdown content={"Some **bold** text\n\nSecond paragraph"} />);
  expect(container.querySelector("strong")).toBeNull();
  expect(container.querySelectorAll("p")).toHaveLength(2);
  expect(container.textContent).toContain("Some **bold** text");
  expect(await screen.findByText("bold", { selector: "strong" })).toBeInTheDocument();
});
