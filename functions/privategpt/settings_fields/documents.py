"""Documents (API, S3 upload), ingestion, embeddings, the vector store, retrieval."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr

from privategpt.settings_fields.common import CommaList


class DocumentsFields(BaseModel):
    # --- documents (API, S3 upload) ---
    documents_bucket: str | None = None  # where uploads go; None: documents are switched off
    aws_endpoint_url: str | None = None  # local S3 and SQS (moto under `dev`, tests); None: AWS
    document_max_bytes: int = Field(default=50 * 1024 * 1024, gt=0)
    document_max_unzipped_ratio: int = Field(default=5, gt=0)  # a DOCX may unzip to this many times max_bytes
    document_allowed_types: CommaList = Field(
        default_factory=lambda: [
            "application/pdf",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "text/html",
            "text/markdown",
            "text/plain",
            "text/csv",
        ]
    )
    document_max_filename_chars: int = 255
    document_upload_url_seconds: int = Field(default=900, gt=0)
    # an upload not arrived this long after its URL expired is shown as failed (``upload_expired``)
    document_upload_grace_seconds: int = Field(default=300, ge=0)
    aws_timeout_seconds: float = Field(default=5.0, gt=0)  # connect and read, per attempt, of S3 and SQS calls
    max_documents_per_owner: int = 1000

    # --- ingestion ---
    ingest_queue_url: str | None = None  # SQS queue fed by the bucket's ObjectCreated notifications
    ingest_max_receive_count: int = Field(default=3, ge=1)  # the queue's redrive maxReceiveCount
    ingest_max_pages: int = Field(default=2000, gt=0)
    ingest_max_chunks: int = Field(default=20_000, gt=0)
    ingest_time_reserve_seconds: float = Field(default=60.0, ge=0)  # continue in a new invocation below this
    # records per invocation: the event source mapping's BatchSize, and what the local worker receives at once
    ingest_batch_size: int = Field(default=10, ge=1, le=10)
    ingest_timeout_seconds: float = Field(default=900.0, gt=0)  # the function's timeout; the local worker's deadline
    ingest_poll_wait_seconds: int = Field(default=1, ge=0, le=20)  # local worker's long poll: `dev` stops fast
    chunk_tokens: int = Field(default=200, gt=16)  # cl100k tokens; ~220 MiniLM wordpieces, under its 256
    chunk_overlap_tokens: int = Field(default=32, ge=0)

    # --- embeddings ---
    embedding_backend: Literal["local", "openai", "ollama"] = "local"
    embedding_model: str | None = None  # default per backend (see rag/embeddings)
    embedding_base_url: str | None = None
    embedding_api_key: SecretStr | None = None
    embedding_api_key_secret: str | None = None  # Secrets Manager name or ARN of the key (Lambda)
    embedding_batch_size: int = Field(default=32, gt=0)
    embedding_timeout_seconds: float = Field(default=30.0, gt=0)
    embedding_retries: int = Field(default=2, ge=0)
    embedding_threads: int = Field(default=0, ge=0)  # onnxruntime intra-op threads; 0: its default
    embedding_dimensions: int | None = Field(default=None, gt=0)  # OpenAI text-embedding-3-*: shorter vectors
    embedding_retry_base_seconds: float = Field(default=0.5, gt=0)  # backoff: full jitter, doubling
    embedding_retry_max_seconds: float = Field(default=20.0, gt=0)  # also caps a Retry-After
    embedding_local_model_path: Path | None = None  # another ONNX model (then name it: PGPT_EMBEDDING_MODEL)
    embedding_local_tokenizer_path: Path | None = None  # its tokenizer.json
    embedding_local_max_tokens: int = Field(default=256, gt=0)  # sentence-transformers' max_seq_length (MiniLM)
    embedding_local_batch_size: int = Field(default=4, gt=0)  # texts per ONNX run; measured by bench.embeddings

    # --- vector store ---
    vector_store: Literal["embedded", "opensearch"] = "embedded"
    opensearch_url: str | None = None
    opensearch_auth: Literal["none", "es", "aoss"] = "none"  # SigV4 service for managed domains / Serverless
    opensearch_index: str = "privategpt-chunks"
    opensearch_timeout_seconds: float = Field(default=10.0, gt=0)
    opensearch_max_retries: int = Field(default=1, ge=0)  # opensearch-py retries a 502/503/504 or a dropped connection
    opensearch_bulk_docs: int = Field(default=200, gt=0)  # chunks per _bulk request (~10 KB each with a 384-d vector)
    # Serverless keeps no custom _id, so a redelivered chunk may briefly exist twice: fetch this many times top_k
    # and keep the best hit per chunk_id
    opensearch_aoss_oversample: int = Field(default=2, ge=1)
    embedded_store_dir: Path | None = None  # the embedded store's files; None: data_dir / "vectors"
    # HNSW graph of the embedded store (per owner): links per node, build and search breadth
    embedded_hnsw_connectivity: int = Field(default=16, gt=1)
    embedded_hnsw_expansion_add: int = Field(default=128, gt=0)
    embedded_hnsw_expansion_search: int = Field(default=64, gt=0)
    # at most this many candidate chunks (an owner's, or a document filter's): scored exactly, not by the graph
    embedded_exact_search_max_chunks: int = Field(default=10_000, gt=0)
    embedded_graph_save_changes: int = Field(default=5000, gt=0)  # saved again after this many changes
    # a query word in more than half the chunks, and in at least this many, is left out of keyword search
    embedded_common_term_min_chunks: int = Field(default=1000, gt=0)

    # --- retrieval ---
    rag_default_top_k: int = Field(default=6, gt=0)
    rag_max_top_k: int = Field(default=50, gt=0)
    rag_max_document_ids: int = Field(default=100, gt=0)
    rag_default_mode: Literal["vector", "keyword", "hybrid"] = "hybrid"
    # hybrid: each side's scores min-max normalised, then their weighted arithmetic mean (as OpenSearch's
    # normalization-processor does)
    rag_hybrid_vector_weight: float = Field(default=0.5, ge=0)
    rag_hybrid_keyword_weight: float = Field(default=0.5, ge=0)
    rag_hybrid_candidates: int = Field(default=50, gt=0)  # hits fetched from each side before fusing (>= top_k)
    # keyword search's BM25 (both stores): Anserini's defaults; FTS5's built-in 1.2/0.75 ranked worse
    rag_bm25_k1: float = Field(default=0.9, ge=0)
    rag_bm25_b: float = Field(default=0.4, ge=0, le=1)
    rag_context_fraction: float = Field(default=0.5, gt=0, le=1)  # of what history could use, at most
    rag_snippet_chars: int = 300
    max_search_query_chars: int = 2000
