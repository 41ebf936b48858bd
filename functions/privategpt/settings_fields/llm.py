"""LLM providers, chat and streaming, usage, conversations."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field

from privategpt.settings_fields.common import CommaList


class LlmFields(BaseModel):
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

    # --- the OpenAI-compatible API (/v1) ---
    openai_api_max_embedding_inputs: int = Field(default=256, gt=0)  # texts per /v1/embeddings request
    openai_api_max_messages: int = Field(default=1000, gt=0)  # messages per completion (agents send long loops)
    # the streaming app's body cap (it serves /v1): Lambda's request payload limit, 6 MB, not the API's 1 MiB
    openai_api_max_body_bytes: int = Field(default=6_000_000, gt=0)

    # --- usage ---
    usage_default_days: int = 30
    usage_max_days: int = 366

    # --- conversations ---
    default_conversation_title: str = "New conversation"
