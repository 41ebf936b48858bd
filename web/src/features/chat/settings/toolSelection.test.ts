import { describe, expect, it } from "vitest";

import type { ToolServer } from "@/api/types";

import { effectiveSelection, isToolEnabled, serverState, toggleServer, toggleTool } from "./toolSelection";

const server: ToolServer = {
  name: "privategpt",
  title: null,
  builtin: true,
  transport: "builtin",
  error: null,
  tools: ["a", "b", "c"].map((name) => ({ id: `privategpt/${name}`, name, title: null, description: "", input_schema: {} })),
};

describe("tool selection", () => {
  it("uses the defaults while the conversation says null", () => {
    expect(effectiveSelection(null, ["privategpt"])).toEqual(["privategpt"]);
    expect(effectiveSelection([], ["privategpt"])).toEqual([]);
  });
  it("knows a server named as a whole enables each of its tools", () => {
    expect(isToolEnabled(["privategpt"], "privategpt", "privategpt/a")).toBe(true);
    expect(serverState(["privategpt"], server)).toBe("all");
    expect(serverState(["privategpt/a"], server)).toBe("some");
    expect(serverState([], server)).toBe("none");
  });
  it("turning one tool off a whole server lists the others", () => {
    expect(toggleTool(["privategpt"], server, "privategpt/b", false)).toEqual(["privategpt/a", "privategpt/c"]);
  });
  it("turning the last tool on names the server", () => {
    expect(toggleTool(["privategpt/a", "privategpt/c"], server, "privategpt/b", true)).toEqual(["privategpt"]);
  });
  it("turns a server on and off", () => {
    expect(toggleServer(["privategpt/a", "other"], server, true)).toEqual(["other", "privategpt"]);
    expect(toggleServer(["privategpt", "other"], server, false)).toEqual(["other"]);
  });
});
