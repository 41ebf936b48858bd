"""The functions' settings (``PGPT_*`` environment variables, read by ``privategpt.settings``), from the deploy
config and what the stacks made. Secrets are never among them: a provider's key is named by secret.
"""

from __future__ import annotations

from collections.abc import Mapping

from infra.config import DeployConfig

DATA_DIR = "/tmp/privategpt"  # noqa: S108  (Lambda's only writable directory)
METRICS_NAMESPACE = "PrivateGPT"
WEB_ADAPTER_ACCOUNT = (
    "753240598075"  # publishes the Lambda Web Adapter layer (github.com/awslabs/aws-lambda-web-adapter)
)
WEB_ADAPTER_PORT = "8080"  # the adapter's default; run.sh reads PORT


def setting_name(name: str) -> str:
    return f"PGPT_{name.upper()}"


def _value(value: str | int | float | bool) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def common(config: DeployConfig, *parts: Mapping[str, str]) -> dict[str, str]:
    """What every function reads; ``parts`` (auth, data, vectors, files) are merged in order, and the config's
    ``settings`` last, so an operator's explicit setting wins."""
    environment = {
        "PGPT_SERVICE_NAME": config.app_name,
        "PGPT_TRACING_ENABLED": _value(config.functions.tracing),
        "PGPT_DATA_DIR": DATA_DIR,
        "POWERTOOLS_SERVICE_NAME": config.app_name,
        "POWERTOOLS_METRICS_NAMESPACE": METRICS_NAMESPACE,
    }
    if config.llm.default_model:
        environment["PGPT_LLM_DEFAULT_MODEL"] = config.llm.default_model
    for part in parts:
        environment.update(part)
    environment.update({setting_name(name): _value(value) for name, value in config.settings.items()})
    return environment


def web_adapter() -> dict[str, str]:
    """The Lambda Web Adapter runs ``run.sh`` (uvicorn) and streams its responses through the function URL."""
    return {
        "AWS_LAMBDA_EXEC_WRAPPER": "/opt/bootstrap",
        "AWS_LWA_INVOKE_MODE": "response_stream",
        "PORT": WEB_ADAPTER_PORT,
    }


def web_adapter_layer_arn(region: str, version: int) -> str:
    return f"arn:aws:lambda:{region}:{WEB_ADAPTER_ACCOUNT}:layer:LambdaAdapterLayerX86:{version}"
