"""Provider implementations, built by type. SDKs are imported on first use, not at start-up."""

from __future__ import annotations

from typing import Any

from privategpt.llm.config import ProviderConfig
from privategpt.llm.provider import Provider
from privategpt.llm.secrets import api_key
from privategpt.settings import Settings


def build(config: ProviderConfig, settings: Settings) -> Provider[Any]:
    if config.type == "openai":
        from privategpt.llm.providers.openai import OpenAIProvider

        return OpenAIProvider(config, settings, api_key(config))
    if config.type == "anthropic":
        from privategpt.llm.providers.anthropic import AnthropicProvider

        return AnthropicProvider(config, settings, api_key(config))
    from privategpt.llm.providers.ollama import OllamaProvider

    return OllamaProvider(config, settings, api_key(config))
