/** A conversation's enabled tools as the API keeps them: `null` the defaults, else server names (all of that
 * server's tools) and `server/tool` ids; `[]` none. */
import type { ToolServer } from "@/api/types";

export function effectiveSelection(tools: string[] | null, defaults: string[]): string[] {
  return tools ?? defaults;
}

export function isToolEnabled(selection: string[], server: string, toolId: string): boolean {
  return selection.includes(server) || selection.includes(toolId);
}

/** "all", "some" or "none" of a server's tools. */
export function serverState(selection: string[], server: ToolServer): "all" | "some" | "none" {
  if (selection.includes(server.name)) return "all";
  const on = server.tools.filter((tool) => selection.includes(tool.id)).length;
  if (on === 0) return "none";
  return on === server.tools.length ? "all" : "some";
}

/** Turning a whole server on (its name) or off (neither its name nor any of its tools). */
export function toggleServer(selection: string[], server: ToolServer, on: boolean): string[] {
  const rest = selection.filter((id) => id !== server.name && !server.tools.some((tool) => tool.id === id));
  return on ? [...rest, server.name] : rest;
}

/** Turning one tool on or off; a server enabled as a whole becomes its other tools, one by one. */
export function toggleTool(selection: string[], server: ToolServer, toolId: string, on: boolean): string[] {
  let next = selection;
  if (next.includes(server.name)) {
    next = [...next.filter((id) => id !== server.name), ...server.tools.map((tool) => tool.id)];
  }
  next = next.filter((id) => id !== toolId);
  if (on) next = [...next, toolId];
  // every tool of the server on: name the server instead
  if (server.tools.length > 0 && server.tools.every((tool) => next.includes(tool.id))) {
    next = [...next.filter((id) => !server.tools.some((tool) => tool.id === id)), server.name];
  }
  return next;
}
