"""Which providers exist: a providers file (JSON or YAML), or else what the environment shows.

The file (``PGPT_LLM_PROVIDERS_FILE``; a commented example is ``providers.example.yaml``) lists providers
in priority order. Secrets never go in it: a provider names the environment variable, or in Lambda the
Secrets Manager secret, that holds its key.
"""

from __future__ import annotations

import json
import os
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from privategpt.settings import Settings

ProviderType = Literal["openai", "anthropic", "ollama"]
Capability = Literal["tools", "thinking", "vision"]

DEFAULT_KEY_ENV: dict[str, str | None] = {
    "openai": "OPENAI_API_KEY",
    "anthropic": "ANTHROPIC_API_KEY",
    "ollama": None,
}
BASE_URL_ENV = {"openai": "OPENAI_BASE_URL", "anthropic": "ANTHROPIC_BASE_URL", "ollama": "OLLAMA_BASE_URL"}
DEFAULT_OLLAMA_URL = "http://127.0.0.1:11434"
# The demo model (privategpt.dev.demo_llm, started only by `dev`) is wired in as an OpenAI-compatible
# provider when PGPT_LLM_DEMO_BASE_URL is set; the demo server takes its names from here, and nothing
# outside privategpt.dev imports that package.
DEMO_PROVIDER = "demo"
DEMO_MODEL = "echo"
DEMO_CONTEXT_WINDOW = 8192
DEMO_MAX_OUTPUT_TOKENS = 1024


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ModelOverride(_Strict):
    context_window: int | None = Field(default=None, gt=0)
    max_output_tokens: int | None = Field(default=None, gt=0)
    input_price_per_mtok: float | None = Field(default=None, ge=0)
    output_price_per_mtok: float | None = Field(default=None, ge=0)
    capabilities: list[Capability] | None = None


class Timeouts(_Strict):
    connect: float | None = Field(default=None, gt=0)
    first_token: float | None = Field(default=None, gt=0)
    total: float | None = Field(default=None, gt=0)


class ProviderConfig(_Strict):
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    type: ProviderType
    base_url: str | None = None
    api_key_env: str | None = None
    api_key_secret: str | None = Field(default=None, description="Secrets Manager secret name or ARN (Lambda)")
    enabled: bool = True
    timeouts: Timeouts = Field(default_factory=Timeouts)
    retries: int | None = Field(default=None, ge=0)
    max_concurrency: int | None = Field(default=None, gt=0)
    allow: list[str] = Field(default_factory=list, description="globs; empty allows every model")
    deny: list[str] = Field(default_factory=list)
    models: dict[str, ModelOverride] = Field(default_factory=dict)
    count_tokens_api: bool = Field(default=False, description="Anthropic: count prompt tokens with the API")

    @model_validator(mode="after")
    def _defaults(self) -> ProviderConfig:
        if self.api_key_env is None and self.api_key_secret is None:
            self.api_key_env = DEFAULT_KEY_ENV[self.type]
        if self.base_url is None and self.type == "ollama":
            # the file names no URL: the environment's (the deployed Ollama instance's), else the local default
            self.base_url = os.environ.get(BASE_URL_ENV["ollama"]) or DEFAULT_OLLAMA_URL
        return self

    def offers(self, model: str) -> bool:
        if self.allow and not any(fnmatchcase(model, pattern) for pattern in self.allow):
            return False
        return not any(fnmatchcase(model, pattern) for pattern in self.deny)


class ProvidersFile(_Strict):
    default_model: str | None = None
    providers: list[ProviderConfig]

    @model_validator(mode="after")
    def _unique_names(self) -> ProvidersFile:
        names = [p.name for p in self.providers]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"provider names must be unique: {duplicates}")
        return self


def load_file(path: Path) -> ProvidersFile:
    text = path.read_text()
    if path.suffix.lower() in {".yaml", ".yml"}:
        import yaml

        data = yaml.safe_load(text)
    else:
        data = json.loads(text)
    return ProvidersFile.model_validate(data)


def from_environment() -> ProvidersFile:
    """No file: each provider whose key is in the environment, and Ollama at its URL (probed later)."""
    providers = []
    if os.environ.get("OPENAI_API_KEY"):
        providers.append(ProviderConfig(name="openai", type="openai", base_url=os.environ.get("OPENAI_BASE_URL")))
    if os.environ.get("ANTHROPIC_API_KEY"):
        providers.append(
            ProviderConfig(name="anthropic", type="anthropic", base_url=os.environ.get("ANTHROPIC_BASE_URL"))
        )
    providers.append(
        ProviderConfig(name="ollama", type="ollama", base_url=os.environ.get("OLLAMA_BASE_URL") or DEFAULT_OLLAMA_URL)
    )
    return ProvidersFile(providers=providers)


def demo_wanted(settings: Settings) -> bool:
    """``dev`` offers the demo model when nothing is configured: no providers file and no API key.

    Ollama is always probed and does not count: whether it answers is known only later, and the demo
    (last in priority order, under its own provider name) never shadows its models.
    """
    return settings.llm_providers_file is None and not any(
        os.environ.get(name) for name in DEFAULT_KEY_ENV.values() if name
    )


def demo_provider(base_url: str) -> ProviderConfig:
    """The demo model's server as a provider; no key is read for it."""
    override = ModelOverride(
        context_window=DEMO_CONTEXT_WINDOW, max_output_tokens=DEMO_MAX_OUTPUT_TOKENS, capabilities=["thinking", "tools"]
    )
    config = ProviderConfig(
        name=DEMO_PROVIDER, type="openai", base_url=base_url, allow=[DEMO_MODEL], models={DEMO_MODEL: override}
    )
    config.api_key_env = None  # not OPENAI_API_KEY: a real key never goes to the demo server
    return config


def load(settings: Settings) -> ProvidersFile:
    loaded = load_file(settings.llm_providers_file) if settings.llm_providers_file else from_environment()
    for provider in loaded.providers:
        env_name = BASE_URL_ENV[provider.type]
        if provider.base_url is None and os.environ.get(env_name):
            provider.base_url = os.environ[env_name]
    if settings.llm_demo_base_url and all(p.name != DEMO_PROVIDER for p in loaded.providers):
        loaded.providers.append(demo_provider(settings.llm_demo_base_url))
    if settings.llm_default_model:
        loaded.default_model = settings.llm_default_model
    return loaded
