import type { ReactNode } from "react";
import { AlertDialog } from "radix-ui";

import { errorMessage } from "@/api/errors";

/** A destructive action behind a confirmation: the trigger and the dialog's confirm button share `label`; the
 * error, if any, stays in the dialog. */
export function ConfirmButton(props: {
  label: string;
  icon: ReactNode;
  title: string;
  description: string;
  pending: boolean;
  error: unknown;
  onOpen?: () => void;
  onConfirm: () => void;
  className?: string;
}) {
  return (
    <AlertDialog.Root onOpenChange={(open) => open && props.onOpen?.()}>
      <AlertDialog.Trigger asChild>
        <button
          type="button"
          className={`inline-flex items-center gap-1 rounded-md px-2 py-1 text-sm text-red-700 hover:bg-red-50 dark:text-red-400 dark:hover:bg-red-950/40 ${props.className ?? ""}`}
        >
          {props.icon}
          {props.label}
        </button>
      </AlertDialog.Trigger>
      <AlertDialog.Portal>
        <AlertDialog.Overlay className="fixed inset-0 z-40 bg-black/40" />
        <AlertDialog.Content className="fixed left-1/2 top-1/2 z-50 w-[min(28rem,90vw)] -translate-x-1/2 -translate-y-1/2 rounded-lg bg-white p-5 shadow-xl dark:bg-zinc-900">
          <AlertDialog.Title className="text-base font-semibold">{props.title}</AlertDialog.Title>
          <AlertDialog.Description className="mt-2 text-sm text-zinc-600 dark:text-zinc-400">
            {props.description}
          </AlertDialog.Description>
          {props.error ? (
            <p role="alert" className="mt-3 text-sm text-red-700 dark:text-red-400">
              {errorMessage(props.error)}
            </p>
          ) : null}
          <div className="mt-5 flex justify-end gap-2">
            <AlertDialog.Cancel className="rounded-md px-3 py-1.5 text-sm hover:bg-zinc-100 dark:hover:bg-zinc-800">
              Cancel
            </AlertDialog.Cancel>
            <button
              type="button"
              disabled={props.pending}
              onClick={props.onConfirm}
              className="rounded-md bg-red-600 px-3 py-1.5 text-sm font-medium text-white hover:bg-red-700 disabled:opacity-60"
            >
              {props.label}
            </button>
          </div>
        </AlertDialog.Content>
      </AlertDialog.Portal>
    </AlertDialog.Root>
  );
}
