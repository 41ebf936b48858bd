"""Provider API keys: from the environment, or in Lambda from Secrets Manager through Powertools."""

from __future__ import annotations

import json
import os

from privategpt.llm.config import ProviderConfig

_SECRET_MAX_AGE_SECONDS = 300


def api_key(config: ProviderConfig) -> str | None:
    if config.api_key_secret:
        from aws_lambda_powertools.utilities import parameters

        value: object = parameters.get_secret(config.api_key_secret, max_age=_SECRET_MAX_AGE_SECONDS)
        text = value.decode() if isinstance(value, bytes) else str(value)
        # A secret may be the bare key or a JSON object holding it under "api_key".
        if text.lstrip().startswith("{"):
            return str(json.loads(text)["api_key"])
        return text
    if config.api_key_env:
        return os.environ.get(config.api_key_env) or None
    return None
