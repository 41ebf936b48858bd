"""Document ingestion: SQS messages in, a document's chunks embedded and indexed, its status kept.

``messages`` reads the queue's bodies, ``pipeline`` indexes one document, ``process`` turns one SQS record
into a pipeline run and decides what is retried. ``handlers/ingest.py`` (Lambda) and ``dev/ingest_worker.py``
(local) feed it the same events.
"""
