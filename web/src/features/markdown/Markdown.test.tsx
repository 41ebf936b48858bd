import { cleanup, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeAll, describe, expect, it } from "vitest";

import type { Source } from "@/api/types";

import { Markdown } from "./Markdown";
import { parseChart } from "./UiTag";
import { codeRanges, normalizeMath, splitBlocks } from "./scan";
import { splitUiTags } from "./uiTags";
import { loadRenderer } from "./renderer";

// The renderer chunk loads lazily in the app; here it is loaded once up front.
beforeAll(() => loadRenderer());

afterEach(cleanup);

const source = (n: number): Source => ({
  n,
  document_id: `d${n}`,
  filename: `doc${n}.pdf`,
  page: n,
  chunk_id: `k${n}`,
  score: 0.9,
  snippet: "…",
  document_deleted: false,
});

describe("Markdown safety", () => {
  it("shows raw HTML and scripts as text, never as elements", () => {
    const { container } = render(
      <Markdown content={'Hi <script>alert(1)</script> <img src="x" onerror="alert(2)"> <b>bold</b>\n\n<div onclick="x()">block</div>'} />,
    );
    expect(container.querySelector("script")).toBeNull();
    expect(container.querySelector("b")).toBeNull();
    expect(container.querySelector("div[onclick]")).toBeNull();
    expect(container.querySelector("img")).toBeNull();
    expect(container.textContent).toContain("<script>alert(1)</script>");
    expect(container.textContent).toContain('<div onclick="x()">block</div>');
  });

  it("drops javascript: links and opens others in a new tab without referrer", () => {
    render(<Markdown content={"[bad](javascript:alert(1)) [Bad2](JaVaScRiPt:alert(1)) [good](https://example.com/a)"} />);
    expect(screen.queryByRole("link", { name: "bad" })).toBeNull();
    expect(screen.queryByRole("link", { name: "Bad2" })).toBeNull();
    expect(screen.getByText("bad")).toBeInTheDocument();
    const good = screen.getByRole("link", { name: "good" });
    expect(good).toHaveAttribute("href", "https://example.com/a");
    expect(good).toHaveAttribute("target", "_blank");
    expect(good).toHaveAttribute("rel", "noopener noreferrer nofollow");
  });

  it("does not load images from other origins: their alt text becomes a link", () => {
    const { container } = render(<Markdown content={"![a cat](https://evil.example/pixel.png) ![local](/logo.png)"} />);
    const images = container.querySelectorAll("img");
    expect(images).toHaveLength(1);
    expect(images[0]).toHaveAttribute("src", "/logo.png");
    expect(screen.getByRole("link", { name: /a cat/ })).toHaveAttribute("href", "https://evil.example/pixel.png");
  });
});

describe("Markdown features", () => {
  it("renders GFM: tables, task lists, strikethrough", () => {
    const { container } = render(<Markdown content={"| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done\n- [ ] todo\n\n~~old~~"} />);
    expect(screen.getByRole("table")).toBeInTheDocument();
    expect(screen.getByRole("checkbox", { name: "Done" })).toBeChecked();
    expect(screen.getByRole("checkbox", { name: "To do" })).not.toBeChecked();
    expect(container.querySelector("del")?.textContent).toBe("old");
  });

  it("links citations only for sources that exist", () => {
    render(<Markdown content={"Paris [1] is big [2, 7]. Also [9]. `[1]` in code."} sources={[source(1), source(2)]} />);
    expect(screen.getByRole("link", { name: "[1]" })).toHaveAttribute("href", "#source-1");
    expect(screen.getByRole("link", { name: "[2]" })).toHaveAttribute("href", "#source-2");
    expect(screen.queryByRole("link", { name: "[7]" })).toBeNull();
    expect(screen.queryByRole("link", { name: "[9]" })).toBeNull();
    expect(screen.getAllByRole("link")).toHaveLength(2);
  });

  it("without sources, [n] stays text", () => {
    render(<Markdown content="See [1]." />);
    expect(screen.queryByRole("link")).toBeNull();
  });

  it("renders allowlisted UI tags and leaves unknown tags as text", () => {
    const { container } = render(
      <Markdown
        content={'Intro\n\n<card title="Paris">Capital of **France**</card>\n\n<widget x="1">nope</widget> <button>Tell me more</button>\n\n<chart title="Sales">a: 3\nb: 6</chart>'}
      />,
    );
    const card = screen.getByRole("region", { name: "Paris" });
    expect(within(card).getByText("France").tagName).toBe("STRONG");
    expect(container.textContent).toContain('<widget x="1">nope</widget>');
    expect(screen.queryByRole("button", { name: "Tell me more" })).toBeNull();
    expect(container.querySelector('[data-ui-tag="button"]')?.textContent).toBe("Tell me more");
    const chart = screen.getByRole("figure", { name: "Sales" });
    expect(within(chart).getAllByRole("row")).toHaveLength(2);
  });

  it("leaves UI tags inside code alone", () => {
    expect(splitUiTags('```\n<card title="x">y</card>\n```')).toHaveLength(1);
    expect(splitUiTags('`<card>y</card>`')).toEqual([{ kind: "markdown", text: "`<card>y</card>`" }]);
    expect(splitUiTags("<card>open only")).toHaveLength(1);
  });

  it("code blocks get a language label and Copy, then highlighting once loaded", async () => {
    const { container } = render(<Markdown content={"```python\nprint('hi')\n```"} />);
    expect(screen.getByText("python")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Copy code" })).toBeInTheDocument();
    await waitFor(() => expect(container.querySelector(".hljs-built_in, .hljs-string")).not.toBeNull());
  });

  it("math renders plain first, then through KaTeX", async () => {
    const { container } = render(<Markdown content={"Euler: $e^{i\\pi}+1=0$ costs $5 and $10."} />);
    expect(container.textContent).toContain("costs $5 and $10");
    await waitFor(() => expect(container.querySelector(".katex")).not.toBeNull());
    expect(container.textContent).toContain("costs $5 and $10");
  });
});

describe("scanners", () => {
  it("finds fenced and inline code", () => {
    const text = "a `b` c\n```\nd\n```\ne";
    expect(codeRanges(text).map(([s, e]) => text.slice(s, e))).toEqual(["`b`", "```\nd\n```"]);
  });

  it("normalizes math delimiters but not money or code", () => {
    expect(normalizeMath("$x^2$ and \\(y\\) cost $5")).toBe("$$x^2$$ and $$y$$ cost $5");
    expect(normalizeMath("`$x$`")).toBe("`$x$`");
  });

  it("splits blocks at blank lines, not inside code or continuations", () => {
    expect(splitBlocks("a\n\nb")).toEqual(["a\n\n", "b"]);
    expect(splitBlocks("```\na\n\nb\n```")).toHaveLength(1);
    expect(splitBlocks("- a\n\n  more")).toHaveLength(1);
  });

  it("reads chart data in several shapes", () => {
    expect(parseChart('[{"label":"a","value":1}]')).toEqual([{ label: "a", value: 1 }]);
    expect(parseChart('{"labels":["a","b"],"values":[1,2]}')).toHaveLength(2);
    expect(parseChart("x: 1\ny = 2.5")).toEqual([
      { label: "x", value: 1 },
      { label: "y", value: 2.5 },
    ]);
  });
});
