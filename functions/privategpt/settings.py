"""Every name, limit and timeout the platform uses, read once from the environment (prefix ``PGPT_``).

The fields are declared in groups under ``privategpt.settings_fields``; this class joins them and checks them
together. The README's settings table lists each field; keep the two in step.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic import field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from privategpt.settings_fields.common import LOCAL_ISSUER, AuthProvider, CommaList
from privategpt.settings_fields.documents import DocumentsFields
from privategpt.settings_fields.limits import LimitsFields
from privategpt.settings_fields.llm import LlmFields
from privategpt.settings_fields.platform import PlatformFields
from privategpt.settings_fields.tools import ToolsFields

__all__ = ["LOCAL_ISSUER", "AuthProvider", "CommaList", "Settings", "get_settings", "running_in_lambda"]


def running_in_lambda() -> bool:
    return bool(os.environ.get("AWS_LAMBDA_FUNCTION_NAME"))


class Settings(PlatformFields, LlmFields, DocumentsFields, ToolsFields, LimitsFields, BaseSettings):
    model_config = SettingsConfigDict(env_prefix="PGPT_", env_file=".env", env_file_encoding="utf-8", extra="ignore")

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
