/** The files being sent from this page: each one declared to the API, then POSTed to S3 with progress. */
import { useQueryClient, type InfiniteData } from "@tanstack/react-query";
import { useCallback, useState } from "react";

import { queryKeys } from "@/api/queries";
import type { DocumentOut } from "@/api/types";
import { errorMessage } from "@/api/errors";

import { createDocument, uploadToS3 } from "./upload";

export type UploadPhase = "declaring" | "sending" | "refused" | "failed";

export interface UploadEntry {
  key: string;
  filename: string;
  phase: UploadPhase;
  /** 0–1 of the bytes sent to S3. */
  progress: number;
  /** Why the API refused the file, or why S3 did. */
  error: string | null;
  /** Set once the API has accepted the file. */
  documentId: string | null;
}

type DocumentPage = { items: DocumentOut[]; next_cursor: string | null };

let nextKey = 1;

export function useUploads() {
  const client = useQueryClient();
  const [entries, setEntries] = useState<UploadEntry[]>([]);

  const update = useCallback((key: string, changes: Partial<UploadEntry>) => {
    setEntries((all) => all.map((entry) => (entry.key === key ? { ...entry, ...changes } : entry)));
  }, []);

  const dismiss = useCallback((key: string) => setEntries((all) => all.filter((entry) => entry.key !== key)), []);

  const addToList = useCallback(
    (document: DocumentOut) => {
      client.setQueryData<InfiniteData<DocumentPage>>(queryKeys.documents, (data) => {
        if (!data || data.pages.length === 0) return data;
        const [first, ...rest] = data.pages;
        if (!first || first.items.some((d) => d.id === document.id)) return data;
        return { ...data, pages: [{ ...first, items: [document, ...first.items] }, ...rest] };
      });
    },
    [client],
  );

  const uploadOne = useCallback(
    async (file: File) => {
      const key = `upload-${nextKey++}`;
      setEntries((all) => [
        { key, filename: file.name, phase: "declaring", progress: 0, error: null, documentId: null },
        ...all,
      ]);
      let created;
      try {
        created = await createDocument(file);
      } catch (error) {
        update(key, { phase: "refused", error: errorMessage(error) });
        return;
      }
      update(key, { phase: "sending", documentId: created.document.id });
      addToList(created.document);
      try {
        await uploadToS3(created.upload, file, (progress) => update(key, { progress }));
        dismiss(key);
      } catch (error) {
        update(key, { phase: "failed", error: errorMessage(error) });
      }
      // S3's notification has queued the ingestion: the list polls until the document is ready or failed.
      await client.invalidateQueries({ queryKey: queryKeys.documents });
    },
    [addToList, client, dismiss, update],
  );

  const upload = useCallback((files: Iterable<File>) => {
    for (const file of files) void uploadOne(file);
  }, [uploadOne]);

  return { entries, upload, dismiss };
}
