/** Checkboxes of every tool server and its tools (label = the server's or the tool's name). */
import { useEffect, useRef } from "react";

import { errorMessage } from "@/api/errors";
import { useTools } from "@/api/queries";
import type { ToolServer } from "@/api/types";

import { effectiveSelection, isToolEnabled, serverState, toggleServer, toggleTool } from "./toolSelection";

function ServerBox(props: { server: ToolServer; state: "all" | "some" | "none"; onChange: (on: boolean) => void }) {
  const box = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (box.current) box.current.indeterminate = props.state === "some";
  }, [props.state]);
  return (
    <label className="flex items-center gap-2 text-sm font-medium">
      <input
        ref={box}
        type="checkbox"
        checked={props.state === "all"}
        onChange={(event) => props.onChange(event.target.checked)}
        className="size-4 accent-blue-600"
      />
      {props.server.name}
    </label>
  );
}

export function ToolsChooser(props: {
  value: string[] | null;
  onChange: (tools: string[] | null) => void;
  supportsTools: boolean;
}) {
  const tools = useTools();
  if (tools.isPending) return <p className="text-sm text-zinc-600 dark:text-zinc-400">Loading tools…</p>;
  if (tools.isError) {
    return (
      <p role="alert" className="text-sm text-red-600 dark:text-red-400">
        {errorMessage(tools.error)}
      </p>
    );
  }
  const { servers, defaults, enabled } = tools.data;
  if (!enabled) return <p className="text-sm text-zinc-600 dark:text-zinc-400">Tools are switched off on this deployment.</p>;
  const selection = effectiveSelection(props.value, defaults);
  return (
    <fieldset className="flex flex-col gap-2">
      <legend className="mb-1 text-sm font-medium">Tools</legend>
      {!props.supportsTools && (
        <p className="text-xs text-amber-700 dark:text-amber-400">The selected model cannot call tools: none are offered to it.</p>
      )}
      <p className="text-xs text-zinc-500 dark:text-zinc-400">
        {props.value === null ? "Using the defaults." : "Chosen for this conversation."}{" "}
        {props.value !== null && (
          <button type="button" className="text-blue-700 underline dark:text-blue-400" onClick={() => props.onChange(null)}>
            Use the defaults
          </button>
        )}
      </p>
      {servers.map((server) => (
        <div key={server.name} className="rounded-md border border-zinc-200 p-2 dark:border-zinc-800">
          <ServerBox
            server={server}
            state={serverState(selection, server)}
            onChange={(on) => props.onChange(toggleServer(selection, server, on))}
          />
          {server.error && <p className="mt-1 text-xs text-red-600 dark:text-red-400">Unavailable: {server.error}</p>}
          <ul className="ml-6 mt-1 flex flex-col gap-1">
            {server.tools.map((tool) => (
              <li key={tool.id}>
                <label className="flex items-start gap-2 text-sm" title={tool.description}>
                  <input
                    type="checkbox"
                    checked={isToolEnabled(selection, server.name, tool.id)}
                    onChange={(event) => props.onChange(toggleTool(selection, server, tool.id, event.target.checked))}
                    className="mt-0.5 size-4 accent-blue-600"
                  />
                  <span>{tool.name}</span>
                </label>
              </li>
            ))}
          </ul>
        </div>
      ))}
    </fieldset>
  );
}
