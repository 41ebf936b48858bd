/** The sidebar's two dialogs: rename (a title field) and delete (a confirmation). */
import { useEffect, useState, type FormEvent } from "react";

import { errorMessage } from "@/api/errors";
import type { Conversation } from "@/api/types";

import { Modal } from "../Modal";

const BUTTON =
  "rounded-md px-3 py-1.5 text-sm font-medium disabled:cursor-not-allowed disabled:opacity-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-blue-600";
const SECONDARY = `${BUTTON} border border-zinc-300 text-zinc-700 hover:bg-zinc-100 dark:border-zinc-700 dark:text-zinc-200 dark:hover:bg-zinc-800`;

export function RenameDialog(props: {
  conversation: Conversation | null;
  onClose: () => void;
  onRename: (title: string) => Promise<unknown>;
}) {
  const [title, setTitle] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  useEffect(() => {
    setTitle(props.conversation?.title ?? "");
    setError(null);
  }, [props.conversation]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setSaving(true);
    setError(null);
    try {
      await props.onRename(title.trim());
      props.onClose();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setSaving(false);
    }
  }

  return (
    <Modal open={props.conversation !== null} onClose={props.onClose} title="Rename conversation" description="One line; surrounding spaces are trimmed.">
      <form onSubmit={(event) => void submit(event)} className="mt-3 flex flex-col gap-3">
        <label className="flex flex-col gap-1 text-sm">
          <span>Title</span>
          <input
            value={title}
            onChange={(event) => setTitle(event.target.value)}
            className="rounded-md border border-zinc-300 bg-white px-2 py-1.5 dark:border-zinc-700 dark:bg-zinc-950"
            autoFocus
          />
        </label>
        {error && (
          <p role="alert" className="text-sm text-red-600 dark:text-red-400">
            {error}
          </p>
        )}
        <div className="flex justify-end gap-2">
          <button type="button" onClick={props.onClose} className={SECONDARY}>
            Cancel
          </button>
          <button type="submit" disabled={saving || title.trim() === ""} className={`${BUTTON} bg-blue-600 text-white hover:bg-blue-700`}>
            Save
          </button>
        </div>
      </form>
    </Modal>
  );
}

export function DeleteDialog(props: { conversation: Conversation | null; onClose: () => void; onDelete: () => Promise<unknown> }) {
  const [error, setError] = useState<string | null>(null);
  const [deleting, setDeleting] = useState(false);
  useEffect(() => setError(null), [props.conversation]);

  async function confirm() {
    setDeleting(true);
    try {
      await props.onDelete();
      props.onClose();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setDeleting(false);
    }
  }

  return (
    <Modal
      open={props.conversation !== null}
      onClose={props.onClose}
      title="Delete conversation?"
      description={`“${props.conversation?.title ?? ""}” and its messages will no longer be listed.`}
    >
      {error && (
        <p role="alert" className="mt-2 text-sm text-red-600 dark:text-red-400">
          {error}
        </p>
      )}
      <div className="mt-4 flex justify-end gap-2">
        <button type="button" onClick={props.onClose} className={SECONDARY}>
            Cancel
          </button>
        <button type="button" onClick={() => void confirm()} disabled={deleting} className={`${BUTTON} bg-red-600 text-white hover:bg-red-700`}>
          Delete
        </button>
      </div>
    </Modal>
  );
}
