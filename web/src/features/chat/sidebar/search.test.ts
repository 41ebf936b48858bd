import { describe, expect, it } from "vitest";

import { conversation } from "../testKit/api";
import { filterByTitle, shouldLoadMoreForSearch } from "./search";

describe("title search", () => {
  const list = [conversation("1", "Paris trip"), conversation("2", "Tax RETURN"), conversation("3", "Recipes")];
  it("matches titles case-insensitively, ignoring surrounding spaces", () => {
    expect(filterByTitle(list, "  return ").map((c) => c.id)).toEqual(["2"]);
    expect(filterByTitle(list, "R").map((c) => c.id)).toEqual(["1", "2", "3"]);
    expect(filterByTitle(list, "").length).toBe(3);
  });
  it("loads more only while searching with no match and more to load", () => {
    expect(shouldLoadMoreForSearch("x", 0, true, false)).toBe(true);
    expect(shouldLoadMoreForSearch("x", 1, true, false)).toBe(false);
    expect(shouldLoadMoreForSearch("x", 0, false, false)).toBe(false);
    expect(shouldLoadMoreForSearch("x", 0, true, true)).toBe(false);
    expect(shouldLoadMoreForSearch(" ", 0, true, false)).toBe(false);
  });
});
