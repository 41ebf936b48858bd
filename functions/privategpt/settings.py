"""Every name, limit and timeout the platform uses, read once from the environment (prefix ``PGPT_``).

The README's settings table lists each field; keep the two in step.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

AuthProvider = Literal["cognito", "keycloak", "local"]
CommaList = Annotated[list[str], NoDecode]
LOCAL_ISSUER = "privategpt-local"


def running_in_lambda() -> bool:
    return bool(os.environ.get("AWS_LAMBDA_FUNCTION_NAME"))


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PGPT_", env_file=".env", env_file_encoding="utf-8", extra="ignore")

    # --- service ---
    service_name: str = "privategpt"
    log_level: str = "INFO"
    cors_origins: CommaList = Field(default_factory=list)
    tracing_enabled: bool = False

    # --- storage ---
    table_name: str = "privategpt"
    dynamodb_endpoint: str | None = None
    aws_region: str = Field(default="us-east-1", validation_alias=AliasChoices("PGPT_AWS_REGION", "AWS_REGION"))
    dynamodb_connect_timeout_seconds: float = Field(default=2.0, gt=0)
    dynamodb_read_timeout_seconds: float = Field(default=5.0, gt=0)
    dynamodb_max_retries: int = Field(default=3, ge=0)
    # >= the worker threads that call DynamoDB (anyio's default is 40), so no call waits for a socket
    dynamodb_max_pool_connections: int = Field(default=50, ge=1)
    dynamodb_retry_after_seconds: int = Field(default=5, ge=1)
    dynamodb_local_startup_seconds: float = 60.0

    # --- authentication ---
    auth_provider: AuthProvider = "local"
    auth_issuer: str | None = None
    auth_client_ids: CommaList = Field(default_factory=list)
    auth_jwks_url: str | None = None
    auth_algorithms: CommaList = Field(default_factory=lambda: ["RS256", "ES256"])
    auth_leeway_seconds: int = 30
    auth_jwks_cache_seconds: int = 3600
    auth_jwks_min_refresh_seconds: int = 60
    auth_http_timeout_seconds: float = 5.0
    auth_cognito_token_use: Literal["access", "id"] = "access"  # noqa: S105 - a claim value
    auth_admin_role: str = "admin"
    auth_required_role: str | None = None

    # --- local issuer (development only; refused inside Lambda) ---
    data_dir: Path = Path(".local")
    local_client_id: str = "privategpt-local"
    local_token_ttl_seconds: int = 3600

    # --- users ---
    user_cache_seconds: int = 300
    user_cache_max_entries: int = 10_000

    # --- LLM providers (details per provider in the providers file; see llm/config.py) ---
    llm_providers_file: Path | None = None
    llm_default_model: str | None = None
    llm_demo_base_url: str | None = None  # set by `dev` only (privategpt.dev.demo_llm); refused inside Lambda
    llm_discovery_ttl_seconds: int = 300
    llm_discovery_timeout_seconds: float = 5.0
    llm_connect_timeout_seconds: float = 5.0
    llm_first_token_timeout_seconds: float = 60.0
    llm_total_timeout_seconds: float = 600.0
    llm_retries: int = 2
    llm_retry_base_seconds: float = 0.5
    llm_retry_max_seconds: float = 20.0
    llm_max_concurrency: int = 16
    llm_health_window: int = 20
    # 4096: what llama.cpp's server, LM Studio and Ollama load a model with when not told otherwise
    llm_default_context_window: int = Field(default=4096, gt=0)
    llm_default_max_output_tokens: int = Field(default=4096, gt=0)
    llm_min_answer_tokens: int = Field(default=256, gt=0)
    llm_answer_reserve_fraction: float = Field(default=0.5, gt=0, lt=1)
    llm_ollama_max_context_window: int = Field(default=16384, gt=0)  # Ollama's KV cache grows with num_ctx
    llm_default_thinking_budget_tokens: int = 2048
    llm_token_estimate_factor: float = 1.2
    tiktoken_cache_dir: Path | None = None

    # --- chat and streaming ---
    chat_history_max_messages: int = 200
    chat_title_max_chars: int = 60
    chat_ui_tags: CommaList = Field(default_factory=lambda: ["card", "chart", "button"])
    chat_ui_tag_max_chars: int = 20_000
    max_message_chars: int = 100_000
    max_quick_messages: int = 100
    stream_base_url: str | None = None
    stream_session_ttl_seconds: int = 300
    stream_heartbeat_seconds: float = 15.0
    stream_token_bytes: int = 32
    stream_plan_max_bytes: int = 300_000  # below DynamoDB's 400 KB item limit

    # --- usage ---
    usage_default_days: int = 30
    usage_max_days: int = 366

    # --- conversations ---
    default_conversation_title: str = "New conversation"

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

    # --- tools (MCP): the built-in server, the chat's tool loop, the operator's servers ---
    tools_enabled: bool = True  # False: no tools in chat, no /mcp
    tools_builtin_server: str = "privategpt"  # the built-in server's name in tool ids ("privategpt/list_files")
    # what a conversation enables unless it says otherwise: server names (all their tools) or "server/tool" ids
    tools_default_enabled: CommaList = Field(default_factory=lambda: ["privategpt"])
    tools_servers_file: Path | None = None  # the operator's external MCP servers (YAML; see README)
    tools_max_rounds: int = Field(default=5, ge=1)  # model -> tools -> model rounds in one turn
    tools_call_timeout_seconds: float = Field(default=30.0, gt=0)  # one tool call
    tools_turn_timeout_seconds: float = Field(default=120.0, gt=0)  # all tool calls of one turn together
    tools_max_parallel_calls: int = Field(default=8, ge=1)
    tools_result_max_chars: int = Field(default=8000, gt=0)  # of a result, as the model sees and we store it
    tools_event_max_chars: int = Field(default=2000, gt=0)  # of a result, in the stream's tool_result event
    tools_list_ttl_seconds: float = Field(default=300.0, ge=0)  # tools/list of each server is cached this long
    tools_connect_timeout_seconds: float = Field(default=10.0, gt=0)  # opening a session to an MCP server
    tools_max_enabled: int = Field(default=64, gt=0)  # tool ids a conversation or message may name
    # the built-in file area: an S3 bucket (prefix per user) or, with none, data_dir / "files"
    files_bucket: str | None = None
    files_max_bytes: int = Field(default=1_048_576, gt=0)  # one file
    files_max_count: int = Field(default=200, gt=0)  # files per user
    files_max_total_bytes: int = Field(default=50 * 1_048_576, gt=0)  # all of a user's files
    files_max_path_chars: int = Field(default=255, gt=0)
    tools_read_max_chars: int = Field(default=20_000, gt=0)  # read_file / read_document output
    # Streamable HTTP at /mcp: DNS-rebinding protection (hosts/origins allowed besides localhost's),
    # and the public URL named in the OAuth protected-resource metadata (RFC 9728); None: from the request
    mcp_allowed_hosts: CommaList = Field(default_factory=list)
    mcp_allowed_origins: CommaList = Field(default_factory=list)
    mcp_resource_url: str | None = None
    mcp_max_body_bytes: int = Field(default=1_048_576, gt=0)

    # --- limits ---
    max_request_body_bytes: int = 1_048_576
    max_title_chars: int = 200
    max_model_chars: int = 200
    max_prompt_name_chars: int = 100
    max_prompt_content_chars: int = 32_000
    max_model_pattern_chars: int = 100
    max_prompts_per_owner: int = 200
    global_prompts_cache_seconds: float = 30.0
    default_page_size: int = 20
    max_page_size: int = 100

    @field_validator(
        "cors_origins",
        "auth_client_ids",
        "auth_algorithms",
        "chat_ui_tags",
        "document_allowed_types",
        "tools_default_enabled",
        "mcp_allowed_hosts",
        "mcp_allowed_origins",
        mode="before",
    )
    @classmethod
    def _split_commas(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("auth_algorithms")
    @classmethod
    def _asymmetric_only(cls, value: list[str]) -> list[str]:
        allowed = {"RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "PS256", "PS384", "PS512"}
        bad = [alg for alg in value if alg not in allowed]
        if bad or not value:
            raise ValueError(f"auth_algorithms must be asymmetric algorithms from {sorted(allowed)}")
        return value

    @model_validator(mode="after")
    def _check_auth(self) -> Settings:
        if self.auth_provider == "local":
            if running_in_lambda():
                raise ValueError("PGPT_AUTH_PROVIDER=local is for development and is refused inside Lambda")
            self.auth_issuer = self.auth_issuer or LOCAL_ISSUER
            if not self.auth_client_ids:
                self.auth_client_ids = [self.local_client_id]
        elif not self.auth_issuer or not self.auth_client_ids:
            raise ValueError(f"PGPT_AUTH_PROVIDER={self.auth_provider} needs PGPT_AUTH_ISSUER and PGPT_AUTH_CLIENT_IDS")
        if self.llm_demo_base_url and running_in_lambda():
            raise ValueError("PGPT_LLM_DEMO_BASE_URL (the demo model) is for development and is refused inside Lambda")
        if self.documents_bucket and self.vector_store == "embedded" and running_in_lambda():
            # its files live on one machine's disk, and the Lambda layer leaves usearch out (layers/build.py)
            raise ValueError("PGPT_VECTOR_STORE=embedded is for development: in Lambda use opensearch")
        if self.stream_token_bytes < 16:
            raise ValueError("PGPT_STREAM_TOKEN_BYTES must be at least 16 (128 bits)")
        if self.default_page_size > self.max_page_size:
            raise ValueError("PGPT_DEFAULT_PAGE_SIZE must not exceed PGPT_MAX_PAGE_SIZE")
        return self

    @property
    def local_keys_dir(self) -> Path:
        return self.data_dir / "issuer"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
