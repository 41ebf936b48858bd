"""Service, storage, authentication (with the local development issuer and its OIDC provider), users, the web app
that `privategpt dev` serves, and the dashboard."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, BaseModel, Field

from privategpt.settings_fields.common import AuthProvider, CommaList


class PlatformFields(BaseModel):
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

    # --- local issuer and its OIDC provider (development only; refused inside Lambda) ---
    data_dir: Path = Path(".local")
    local_client_id: str = "privategpt-local"
    local_token_ttl_seconds: int = 3600
    local_oidc_code_ttl_seconds: int = Field(default=60, gt=0)  # an authorization code is redeemable this long
    local_oidc_refresh_ttl_seconds: int = Field(default=86_400, gt=0)  # a refresh token (rotated on each use)
    local_oidc_max_name_chars: int = Field(default=64, gt=0)  # the user name typed at sign-in (the subject)
    local_oidc_max_grants: int = Field(default=10_000, gt=0)  # codes and refresh tokens held in memory at once
    local_oidc_max_param_chars: int = Field(default=512, gt=0)  # state, nonce, scope of a sign-in request

    # --- API keys ---
    api_key_max_per_user: int = Field(default=20, gt=0)
    api_key_max_name_chars: int = Field(default=100, gt=0)
    api_key_max_days: int = Field(default=365, gt=0)  # the longest expiry a key may be given
    # a warm process trusts a checked key this long: the bound on how late a revocation takes effect there
    api_key_cache_seconds: float = Field(default=5.0, ge=0)
    api_key_last_used_interval_seconds: float = Field(default=60.0, ge=0)  # last_used_at is written at most this often

    # --- users ---
    user_cache_seconds: int = 300
    user_cache_max_entries: int = 10_000

    # --- web app and dashboard ---
    web_dist_dir: Path | None = None  # the built web app `dev` serves; None: web/dist of the repository
    dashboard_check_timeout_seconds: float = Field(default=5.0, gt=0)  # each check of /api/dashboard/health
    dashboard_error_max_chars: int = Field(default=300, gt=0)  # of a failed check's error text
