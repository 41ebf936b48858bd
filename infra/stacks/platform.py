"""The functions and their front doors: the API and tools functions behind the HTTP API, the streaming function on
its function URL, the ingestion function on the queue, each with only the permissions it uses, and the web app's
``config.json`` naming them all.

| function | handler                                  | front door                        | data                     |
|----------|------------------------------------------|-----------------------------------|--------------------------|
| api      | ``privategpt.handlers.api.handler``      | HTTP API, JWT authorizer          | table, S3, index         |
| stream   | ``run.sh`` (uvicorn, Lambda Web Adapter) | streaming URL (stream_endpoint)   | table, S3, index (read)  |
| ingest   | ``privategpt.handlers.ingest.handler``   | SQS, partial batch failures       | table, uploads, index    |
| tools    | ``privategpt.handlers.tools.handler``    | HTTP API ``/mcp``, JWT authorizer | table, S3, index (read)  |

Chat turns run the built-in tools in-process, so the API and stream functions reach the file area and documents too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aws_cdk import CfnOutput, Stack
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from constructs import Construct

from infra.config import DeployConfig, FunctionConfig
from infra.constructs import access, environment
from infra.constructs.function import PlatformFunction
from infra.constructs.http_api import HttpApi
from infra.constructs.runtime_config import RuntimeConfig
from infra.constructs.settings_files import SettingsFiles
from infra.constructs.stream_endpoint import StreamEndpoint
from infra.constructs.vector_access import VectorAccess
from infra.layer import dependency_layer
from infra.nag import acknowledge
from infra.stacks.auth import AuthSettings
from infra.stacks.data import DOCUMENTS_PREFIX, FILES_PREFIX, DataStack, default_setting
from infra.stacks.ollama import OllamaStack
from infra.stacks.vectors import VectorsStack
from infra.stacks.web import WebStack

HANDLERS = {
    "api": "privategpt.handlers.api.handler",
    "stream": "run.sh",
    "ingest": "privategpt.handlers.ingest.handler",
    "tools": "privategpt.handlers.tools.handler",
}
PROVIDERS_FILE = "providers.yaml"
SERVERS_FILE = "tools-servers.yaml"


@dataclass(frozen=True)
class Parts:
    """What the other stacks made, as the platform needs it."""

    data: DataStack
    auth: AuthSettings
    web: WebStack
    vectors: VectorsStack | None = None
    ollama: OllamaStack | None = None


class PlatformStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: DeployConfig,
        parts: Parts,
        standin_layer: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.config, self.parts = config, parts
        self.layers: list[lambda_.ILayerVersion] = [dependency_layer(self, "Dependencies", standin=standin_layer)]
        self.settings_env = environment.common(config, *self._settings_parts())
        self.vector_env: dict[str, str] = {}

        self.api = self._function(
            "api",
            config.functions.api,
            "Chat API (FastAPI under Mangum)",
            config.functions.snapstart,
            calls_ollama=True,
        )
        self.tools = self._function("tools", config.functions.tools, "MCP server (/mcp)", config.functions.snapstart)
        self.stream = self._stream_function()
        self.ingest = self._ingest_function() if parts.data.queue is not None else None
        self._grant()
        self._vectors()

        self.http = HttpApi(
            self,
            "Http",
            config=config,
            auth=parts.auth,
            origins=self._origins(),
            api=self.api.target,
            tools=self.tools.target,
        )
        self.stream_endpoint = StreamEndpoint(
            self,
            "StreamEndpoint",
            config=config,
            function=self.stream.target,
            origins=self._origins(),
            in_vpc=parts.ollama is not None,
        )
        self.stream_url = self.stream_endpoint.url
        if self.stream_endpoint.cors_in_app:
            self.stream.function.add_environment("PGPT_CORS_ORIGINS", ",".join(self._origins()))
        self.api.function.add_environment("PGPT_STREAM_BASE_URL", self.stream_url)
        self.tools.function.add_environment("PGPT_MCP_RESOURCE_URL", self.http.mcp_url)
        for function in self._all():
            for name, value in self.vector_env.items():
                function.function.add_environment(name, value)

        RuntimeConfig(
            self,
            "WebConfig",
            bucket=parts.web.bucket,
            distribution=parts.web.distribution,
            values={
                "apiUrl": self.http.url,
                "streamUrl": self.stream_url,
                "mcpUrl": self.http.mcp_url,
                "auth": parts.auth.web_config(),
                "stage": config.stage,
            },
        )
        CfnOutput(self, "ApiUrl", value=self.http.url)
        CfnOutput(self, "StreamUrl", value=self.stream_url)
        CfnOutput(self, "OpenAIBaseUrl", value=self.stream_endpoint.openai_base_url)
        CfnOutput(self, "McpUrl", value=self.http.mcp_url)
        CfnOutput(self, "WebUrl", value=parts.web.origin)

    # --- settings ---

    def _origins(self) -> list[str]:
        return self.config.web_origins(self.parts.web.origin)

    def _settings_parts(self) -> list[dict[str, str]]:
        data = self.parts.data
        storage = {"PGPT_TABLE_NAME": data.table.table_name, "PGPT_FILES_BUCKET": data.bucket.bucket_name}
        if data.queue is not None:
            storage["PGPT_DOCUMENTS_BUCKET"] = data.bucket.bucket_name
            storage["PGPT_INGEST_QUEUE_URL"] = data.queue.queue_url
        parts = [self.parts.auth.environment(), storage, self._files_environment()]
        if self.parts.ollama is not None:
            parts.append({"OLLAMA_BASE_URL": self.parts.ollama.base_url})
        return parts

    def _files_environment(self) -> dict[str, str]:
        """The providers and MCP servers files, in a layer of their own (``SettingsFiles``)."""
        providers = self.config.llm.model_dump(mode="json", exclude_defaults=True)
        if self.parts.ollama is not None:
            # no base_url: the functions read OLLAMA_BASE_URL, the instance's address known only at deploy time
            providers.setdefault("providers", []).append({"name": self.config.ollama.provider_name, "type": "ollama"})
        files: dict[str, object] = {}
        if providers.get("providers"):
            files[PROVIDERS_FILE] = providers
        if self.config.tools.servers:
            files[SERVERS_FILE] = self.config.tools.model_dump(mode="json", exclude_defaults=True)
        if not files:
            return {}
        settings_files = SettingsFiles(self, "SettingsFiles", files=files)
        self.layers.append(settings_files.layer)
        named = {PROVIDERS_FILE: "PGPT_LLM_PROVIDERS_FILE", SERVERS_FILE: "PGPT_TOOLS_SERVERS_FILE"}
        return {named[name]: path for name, path in settings_files.paths.items()}

    # --- functions ---

    def _function(
        self,
        name: str,
        sizing: FunctionConfig,
        description: str,
        snapstart: bool = False,
        *,
        extra_layers: tuple[lambda_.ILayerVersion, ...] = (),
        extra_environment: dict[str, str] | None = None,
        calls_ollama: bool = False,
    ) -> PlatformFunction:
        ollama = self.parts.ollama if calls_ollama else None
        return PlatformFunction(
            self,
            name.capitalize(),
            config=self.config,
            sizing=sizing,
            handler=HANDLERS[name],
            description=f"{self.config.name(name)}: {description}",
            layers=[*self.layers, *extra_layers],
            environment={**self.settings_env, **(extra_environment or {})},
            snapstart=snapstart,
            vpc=ollama.vpc if ollama else None,
            security_groups=[ollama.client_security_group] if ollama else (),
        )

    def _stream_function(self) -> PlatformFunction:
        adapter = lambda_.LayerVersion.from_layer_version_arn(
            self, "WebAdapter", environment.web_adapter_layer_arn(self.region, self.config.web_adapter_layer_version)
        )
        return self._function(
            "stream",
            self.config.functions.stream,
            "chat streams (uvicorn behind the Lambda Web Adapter)",
            extra_layers=(adapter,),
            extra_environment=environment.web_adapter(),
            calls_ollama=True,
        )

    def _ingest_function(self) -> PlatformFunction:
        queue = self.parts.data.queue
        assert queue is not None
        config = self.config
        batch_size = int(config.settings.get("ingest_batch_size", default_setting("ingest_batch_size")))
        function = self._function(
            "ingest",
            config.functions.ingest,
            "document ingestion (parse, chunk, embed, index)",
            extra_environment={"PGPT_INGEST_TIMEOUT_SECONDS": str(config.functions.ingest.timeout_seconds)},
            calls_ollama=config.settings.get("embedding_backend") == "ollama",
        )
        function.target.add_event_source(
            sources.SqsEventSource(queue, batch_size=batch_size, report_batch_item_failures=True)
        )
        return function

    def _all(self) -> list[PlatformFunction]:
        return [f for f in (self.api, self.tools, self.stream, self.ingest) if f is not None]

    # --- permissions ---

    def _grant(self) -> None:
        data = self.parts.data
        bucket = access.ImportedBucket(data.bucket_arn_export)
        secrets = access.secrets(self, self.config.secret_names() + self._embedding_secret())
        for function in self._all():
            function.add_to_role(access.table(data.table))
            if secrets is not None:
                function.add_to_role(secrets)
        files = [
            access.objects(bucket, FILES_PREFIX, "s3:GetObject", "s3:PutObject", "s3:DeleteObject"),
            access.listing(bucket, FILES_PREFIX),
        ]
        for function in (self.api, self.stream, self.tools):  # the built-in tools: the file area, read_document
            function.add_to_role(*files)
            if data.queue is not None:
                function.add_to_role(access.objects(bucket, DOCUMENTS_PREFIX, "s3:GetObject"))
        if data.queue is not None:
            # uploads: the presigned POST is signed with the API's role; deletes remove the object; reindex sends
            self.api.add_to_role(
                access.objects(bucket, DOCUMENTS_PREFIX, "s3:PutObject", "s3:DeleteObject"), access.send(data.queue)
            )
        if self.ingest is not None and data.queue is not None:
            self.ingest.add_to_role(
                access.objects(bucket, DOCUMENTS_PREFIX, "s3:GetObject", "s3:DeleteObject"), access.send(data.queue)
            )
        for function in self._all():
            for prefix in (FILES_PREFIX, DOCUMENTS_PREFIX):
                acknowledge(
                    function.role,
                    bucket.prefix_finding(prefix),
                    "objects under the function's own key prefix: per-user keys made at run time",
                )

    def _embedding_secret(self) -> list[str]:
        name = self.config.settings.get("embedding_api_key_secret")
        return [str(name)] if name else []

    def _vectors(self) -> None:
        vectors = self.parts.vectors
        if vectors is None:
            return
        writers = [f.role for f in (self.api, self.ingest) if f is not None]  # ingestion indexes; the API deletes
        readers = [self.stream.role, self.tools.role]
        grant = VectorAccess(
            self, "VectorAccess", vectors=vectors, readers=readers, writers=writers, config=self.config
        )
        self.vector_env = grant.environment()
