/** One conversation in the sidebar: a link with its title and a menu of actions. */
import { Download, MoreHorizontal, Pencil, Trash2 } from "lucide-react";
import { NavLink } from "react-router";

import type { Conversation } from "@/api/types";
import { cn } from "@/lib/cn";

import type { ExportFormat } from "../export/exportConversation";
import { Menu, MenuItem } from "../Menu";

export type ConversationAction = { kind: "rename" } | { kind: "delete" } | { kind: "export"; format: ExportFormat };

export function ConversationItem(props: {
  conversation: Conversation;
  active: boolean;
  onNavigate: () => void;
  onAction: (action: ConversationAction) => void;
}) {
  const { conversation } = props;
  return (
    <li className="group relative">
      <NavLink
        to={`/c/${conversation.id}`}
        onClick={props.onNavigate}
        aria-current={props.active ? "page" : undefined}
        className={cn(
          "block truncate rounded-md py-2 pl-2.5 pr-9 text-sm",
          props.active
            ? "bg-zinc-200 font-medium text-zinc-900 dark:bg-zinc-800 dark:text-zinc-50"
            : "text-zinc-700 hover:bg-zinc-100 dark:text-zinc-300 dark:hover:bg-zinc-800/60",
        )}
        title={conversation.title}
      >
        {conversation.title || "Untitled"}
      </NavLink>
      <Menu
        label="Conversation actions"
        trigger={<MoreHorizontal aria-hidden className="size-4" />}
        placement="below-end"
        className="min-w-44"
        triggerClassName="absolute right-1 top-1/2 -translate-y-1/2 rounded p-1 text-zinc-500 hover:bg-zinc-200 hover:text-zinc-900 focus-visible:outline-2 focus-visible:outline-blue-600 data-[state=open]:bg-zinc-200 dark:hover:bg-zinc-700 dark:hover:text-zinc-100 dark:data-[state=open]:bg-zinc-700"
      >
        {(close) => {
          const select = (action: ConversationAction) => () => {
            close();
            props.onAction(action);
          };
          return (
            <>
              <MenuItem onSelect={select({ kind: "rename" })}>
                <Pencil aria-hidden className="size-4" /> Rename
              </MenuItem>
              <MenuItem onSelect={select({ kind: "export", format: "markdown" })}>
                <Download aria-hidden className="size-4" /> Export Markdown
              </MenuItem>
              <MenuItem onSelect={select({ kind: "export", format: "json" })}>
                <Download aria-hidden className="size-4" /> Export JSON
              </MenuItem>
              <div role="separator" className="my-1 h-px bg-zinc-200 dark:bg-zinc-700" />
              <MenuItem onSelect={select({ kind: "delete" })} className="text-red-600 dark:text-red-400">
                <Trash2 aria-hidden className="size-4" /> Delete
              </MenuItem>
            </>
          );
        }}
      </Menu>
    </li>
  );
}
