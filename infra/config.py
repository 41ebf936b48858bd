"""Every deployment choice, from one file: ``deploy.yaml`` (or the file named by ``cdk -c config=…``), validated
before anything is synthesized. ``deploy.example.yaml`` at the root documents each field.

CDK context may override the stage and the few switches an operator flips from the command line
(``-c stage=prod -c auth_mode=keycloak -c ollama=true -c vectors=opensearch-domain``). The providers and the
operator's MCP servers are validated with the same models the functions load them with, so a bad file fails
``cdk synth``, not the first chat.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from privategpt.llm.config import ProvidersFile
from privategpt.tools.client.config import HttpServer, ServersFile

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG = ROOT / "deploy.yaml"
STAGE_PATTERN = r"^[a-z][a-z0-9-]{0,19}$"
DEV_STAGES = frozenset({"dev", "test", "sandbox"})


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AuthConfig(_Strict):
    mode: Literal["cognito", "keycloak"] = "cognito"
    # keycloak: the realm's issuer (https://sso.example.com/realms/privategpt) and the client the web app uses
    issuer: str | None = Field(default=None, pattern=r"^https://[^\s]+[^/]$")
    client_id: str | None = None
    # cognito: the hosted UI's domain prefix (unique in the region); None: privategpt-<stage>-<account>
    domain_prefix: str | None = Field(default=None, pattern=r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
    admin_group: str = "admin"
    scopes: list[str] = Field(default_factory=lambda: ["openid", "email", "profile"])
    # more web origins besides the deployed one (e.g. http://localhost:5173 for UI work): sign-in callbacks,
    # logout URLs and CORS are allowed for each
    extra_callback_urls: list[Annotated[str, Field(pattern=r"^https?://[^/\s]+$")]] = Field(default_factory=list)
    mfa: Literal["off", "optional", "required"] = "optional"

    @field_validator("extra_callback_urls", mode="before")
    @classmethod
    def _origins_only(cls, value: object) -> object:
        """``https://host[:port]``: a trailing slash is dropped; a path is refused by the pattern."""
        return [url.rstrip("/") for url in value] if isinstance(value, list) else value

    @model_validator(mode="after")
    def _keycloak_needs_issuer(self) -> AuthConfig:
        if self.mode == "keycloak" and not (self.issuer and self.client_id):
            raise ValueError("auth.mode keycloak needs auth.issuer and auth.client_id")
        return self


# CloudWatch Logs' retention periods, in days, and aws_logs.RetentionDays' names for them
LOG_RETENTION: dict[int, str] = {
    1: "ONE_DAY", 3: "THREE_DAYS", 5: "FIVE_DAYS", 7: "ONE_WEEK", 14: "TWO_WEEKS", 30: "ONE_MONTH",
    60: "TWO_MONTHS", 90: "THREE_MONTHS", 120: "FOUR_MONTHS", 150: "FIVE_MONTHS", 180: "SIX_MONTHS",
    365: "ONE_YEAR", 400: "THIRTEEN_MONTHS", 545: "EIGHTEEN_MONTHS", 731: "TWO_YEARS", 1096: "THREE_YEARS",
    1827: "FIVE_YEARS", 2192: "SIX_YEARS", 2557: "SEVEN_YEARS", 2922: "EIGHT_YEARS", 3288: "NINE_YEARS",
    3653: "TEN_YEARS",
}  # fmt: skip


class FunctionConfig(_Strict):
    memory_mb: int = Field(ge=128, le=10240)
    timeout_seconds: int = Field(ge=1, le=900)
    reserved_concurrency: int | None = Field(default=None, ge=1)


class FunctionsConfig(_Strict):
    # API Gateway's HTTP API waits at most 30 s for an integration: the API and tools functions stay below
    api: FunctionConfig = FunctionConfig(memory_mb=1024, timeout_seconds=29)
    stream: FunctionConfig = FunctionConfig(memory_mb=1024, timeout_seconds=900)
    ingest: FunctionConfig = FunctionConfig(memory_mb=3008, timeout_seconds=900)
    tools: FunctionConfig = FunctionConfig(memory_mb=1024, timeout_seconds=29)
    # SnapStart on published versions (Python 3.12+): the API and tools functions; see README
    snapstart: bool = True
    log_retention_days: int = 30
    tracing: bool = True

    @model_validator(mode="after")
    def _known_retention(self) -> FunctionsConfig:
        if self.log_retention_days not in LOG_RETENTION:
            raise ValueError(f"functions.log_retention_days must be one of {sorted(LOG_RETENTION)}")
        return self


class ApiConfig(_Strict):
    throttle_rate_limit: float = Field(default=50, gt=0)  # requests per second, the default stage's
    throttle_burst_limit: int = Field(default=100, gt=0)


class VectorsConfig(_Strict):
    # opensearch-serverless: a VECTORSEARCH collection (the default); opensearch-domain: one small managed node
    # for small teams (see the README's cost table); none: no documents, no RAG (no bucket events, no ingestion)
    store: Literal["opensearch-serverless", "opensearch-domain", "none"] = "opensearch-serverless"
    standby_replicas: bool = False  # serverless: True doubles the OCUs (and the idle cost) for AZ redundancy
    domain_instance_type: str = "t3.small.search"
    domain_volume_gb: int = Field(default=10, ge=10)
    domain_engine_version: str = "OpenSearch_2.19"
    # principals (role or user ARNs) allowed to read and manage the index besides the functions: the deployer's
    admin_principals: list[str] = Field(default_factory=list)


class OllamaConfig(_Strict):
    enabled: bool = False
    instance_type: str = "g6.xlarge"
    models: list[str] = Field(default_factory=lambda: ["llama3.2"])
    volume_gb: int = Field(default=100, ge=30)
    # SSM public parameter of the GPU AMI (NVIDIA driver preinstalled)
    ami_parameter: str = "/aws/service/deeplearning/ami/x86_64/base-oss-nvidia-driver-gpu-ubuntu-22.04/latest/ami-id"
    ollama_version: str = "0.12.6"
    port: int = 11434
    context_window: int | None = Field(default=None, gt=0)  # OLLAMA_CONTEXT_LENGTH; None: Ollama's default
    provider_name: str = "ollama"  # the provider's name in model ids ("ollama/llama3.2")
    # stop the instance after this many minutes with CPU under idle_cpu_percent (0: never); start it by hand
    idle_stop_minutes: int = Field(default=60, ge=0)
    idle_cpu_percent: float = Field(default=5.0, gt=0, le=100)


class WebConfig(_Strict):
    # a custom domain for the web app (with an ACM certificate in us-east-1); None: the CloudFront domain
    domain_name: str | None = None
    certificate_arn: str | None = None
    price_class: Literal["100", "200", "All"] = "100"

    @model_validator(mode="after")
    def _domain_needs_certificate(self) -> WebConfig:
        if bool(self.domain_name) != bool(self.certificate_arn):
            raise ValueError("web.domain_name and web.certificate_arn go together")
        return self


class DeployConfig(_Strict):
    app_name: str = Field(default="privategpt", pattern=r"^[a-z][a-z0-9-]{0,19}$")
    stage: str = Field(default="dev", pattern=STAGE_PATTERN)
    account: str | None = Field(default=None, pattern=r"^\d{12}$")
    region: str | None = None  # None: the CLI's (CDK_DEFAULT_REGION)
    auth: AuthConfig = AuthConfig()
    functions: FunctionsConfig = FunctionsConfig()
    api: ApiConfig = ApiConfig()
    vectors: VectorsConfig = VectorsConfig()
    ollama: OllamaConfig = OllamaConfig()
    web: WebConfig = WebConfig()
    # the providers file's content (providers.example.yaml): keys by api_key_secret, never inline
    llm: ProvidersFile = ProvidersFile(providers=[])
    # the operator's MCP servers (tools-servers.example.yaml); http only in Lambda
    tools: ServersFile = ServersFile(servers=[])
    alarm_email: str | None = None  # subscribed to the alarms topic (the ingestion dead-letter alarm)
    # the Lambda Web Adapter layer's version (arn:aws:lambda:<region>:753240598075:layer:LambdaAdapterLayerX86:<v>)
    web_adapter_layer_version: int = Field(default=28, ge=1)
    # more PGPT_* settings for every function (names without the prefix, e.g. chat_history_max_messages: 100)
    settings: dict[str, str | int | float | bool] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _consistent(self) -> DeployConfig:
        stdio = [server.name for server in self.tools.servers if server.transport != "http"]
        if stdio:
            raise ValueError(f"tools.servers {stdio}: only http servers run in Lambda")
        if self.ollama.enabled and any(p.name == self.ollama.provider_name for p in self.llm.providers):
            raise ValueError(f"llm.providers already has {self.ollama.provider_name!r}: the Ollama stack adds it")
        bad = [name for name in self.settings if not re.fullmatch(r"[a-z][a-z0-9_]*", name)]
        if bad:
            raise ValueError(f"settings: {bad} are not setting names (lower case, without PGPT_)")
        return self

    @property
    def is_dev(self) -> bool:
        """Dev-like stages may be torn down with their data; the others keep tables and buckets."""
        return self.stage in DEV_STAGES

    def name(self, suffix: str) -> str:
        return f"{self.app_name}-{self.stage}-{suffix}"

    def web_origins(self, web_origin: str) -> list[str]:
        """The deployed web origin and the extra ones: what sign-in, CORS and the stream endpoint allow."""
        return [web_origin, *self.auth.extra_callback_urls]

    def secret_names(self) -> list[str]:
        """Every Secrets Manager secret the functions read: provider keys and MCP servers' headers."""
        names = [p.api_key_secret for p in self.llm.providers if p.api_key_secret]
        names += [s.headers_secret for s in self.tools.servers if isinstance(s, HttpServer) and s.headers_secret]
        return sorted({name for name in names if name})


CONTEXT_OVERRIDES: dict[str, tuple[str, ...]] = {
    "stage": ("stage",),
    "auth_mode": ("auth", "mode"),
    "ollama": ("ollama", "enabled"),
    "vectors": ("vectors", "store"),
}


def _override(data: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for key in path[:-1]:
        data = data.setdefault(key, {})
    data[path[-1]] = value


def load(path: Path | None = None, context: dict[str, Any] | None = None) -> DeployConfig:
    """The config file (``deploy.yaml`` when present, else the defaults) with the context's overrides."""
    context = context or {}
    source = Path(context["config"]) if context.get("config") else (path or DEFAULT_CONFIG)
    if not source.is_absolute():
        source = ROOT / source
    data: dict[str, Any] = {}
    if source.exists():
        loaded = yaml.safe_load(source.read_text(encoding="utf-8")) or {}
        if not isinstance(loaded, dict):
            raise ValueError(f"{source}: expected a mapping at the top")
        data = loaded
    elif context.get("config"):
        raise FileNotFoundError(f"config file {source} does not exist")
    for key, target in CONTEXT_OVERRIDES.items():
        if context.get(key) is not None:
            value = context[key]
            if target == ("ollama", "enabled") and isinstance(value, str):
                value = value.lower() in {"1", "true", "yes", "on"}
            _override(data, target, value)
    return DeployConfig.model_validate(data)
