"""The whole app, synthesized for each deployment shape (tests/infra/conftest.py: CONFIGS): what the functions need
is wired, every handler the templates name exists, and no IAM statement grants a wildcard on data."""

from __future__ import annotations

import importlib
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from privategpt.settings import Settings
from privategpt.storage.table import TABLE_SPEC, TTL_ATTRIBUTE
from tests.infra.conftest import ROOT, Templates

Synth = Callable[[str], Templates]
ALL = ["default", "keycloak", "no-rag"]


def resources(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {name: r for name, r in template["Resources"].items() if r["Type"] == kind}


def one(template: dict[str, Any], kind: str) -> dict[str, Any]:
    found = list(resources(template, kind).values())
    assert len(found) == 1, f"{len(found)} {kind}"
    return found[0]["Properties"]  # type: ignore[no-any-return]


def platform_functions(templates: Templates) -> dict[str, dict[str, Any]]:
    """The four platform functions by role (their logical ids start with the construct's name)."""
    functions = resources(templates["platform"], "AWS::Lambda::Function")
    by_role = {}
    for role in ("Api", "Stream", "Ingest", "Tools"):
        match = [r["Properties"] for name, r in functions.items() if name.startswith(f"{role}Function")]
        if match:
            by_role[role.lower()] = match[0]
    return by_role


def statements(templates: Templates) -> Iterator[tuple[str, dict[str, Any]]]:
    for role, template in templates.items():
        for kind in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"):
            for name, policy in resources(template, kind).items():
                for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
                    yield f"{role}/{name}", statement


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


@pytest.mark.parametrize("shape", ALL)
def test_synthesizes_with_cdk_nag(synthesize: Synth, shape: str) -> None:
    templates = synthesize(shape)  # raises on an unacknowledged AwsSolutions finding
    expected = {"web", "data", "platform"} | {
        "default": {"auth", "vectors"},
        "keycloak": {"vectors", "ollama"},
        "no-rag": {"auth"},
    }[shape]
    assert set(templates) == expected


@pytest.mark.parametrize("shape", ALL)
def test_every_handler_exists(synthesize: Synth, shape: str) -> None:
    functions = platform_functions(synthesize(shape))
    assert set(functions) == ({"api", "stream", "tools"} | ({"ingest"} if shape != "no-rag" else set()))
    for function in functions.values():
        handler = function["Handler"]
        if handler.endswith(".sh"):
            script = ROOT / "functions" / handler
            assert script.is_file() and os.access(script, os.X_OK), handler
            assert "privategpt.handlers.stream:app" in script.read_text()
            continue
        module, _, name = handler.rpartition(".")
        assert callable(getattr(importlib.import_module(module), name)), handler


def test_the_table_is_the_codes(synthesize: Synth) -> None:
    table = one(synthesize("default")["data"], "AWS::DynamoDB::Table")
    assert table["KeySchema"] == TABLE_SPEC["KeySchema"]
    assert sorted(table["AttributeDefinitions"], key=str) == sorted(TABLE_SPEC["AttributeDefinitions"], key=str)
    [index] = table["GlobalSecondaryIndexes"]
    [spec] = TABLE_SPEC["GlobalSecondaryIndexes"]
    assert (index["IndexName"], index["KeySchema"], index["Projection"]) == (
        spec["IndexName"],
        spec["KeySchema"],
        spec["Projection"],
    )
    assert table["BillingMode"] == "PAY_PER_REQUEST"
    assert table["TimeToLiveSpecification"] == {"AttributeName": TTL_ATTRIBUTE, "Enabled": True}
    assert table["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert table["SSESpecification"]["SSEEnabled"] is True
    assert table["DeletionProtectionEnabled"] is False  # dev
    prod = one(synthesize("keycloak")["data"], "AWS::DynamoDB::Table")
    assert prod["DeletionProtectionEnabled"] is True
    prod_table = next(iter(resources(synthesize("keycloak")["data"], "AWS::DynamoDB::Table").values()))
    assert prod_table["DeletionPolicy"] == "Retain"


def test_the_documents_bucket_and_queue(synthesize: Synth) -> None:
    data = synthesize("default")["data"]
    buckets = resources(data, "AWS::S3::Bucket")
    documents = next(b["Properties"] for b in buckets.values() if "CorsConfiguration" in b["Properties"])
    assert documents["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert documents["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"] == {
        "SSEAlgorithm": "AES256"
    }
    [cors] = documents["CorsConfiguration"]["CorsRules"]
    assert cors["AllowedMethods"] == ["POST"]
    assert "CloudFront" in json.dumps(cors["AllowedOrigins"]) or "Fn::" in json.dumps(cors["AllowedOrigins"])
    assert "*" not in cors["AllowedOrigins"]
    rules = documents["LifecycleConfiguration"]["Rules"]
    assert any(rule.get("AbortIncompleteMultipartUpload") for rule in rules)
    policies = json.dumps(resources(data, "AWS::S3::BucketPolicy"))
    assert '"aws:SecureTransport": "false"' in policies
    queues = resources(data, "AWS::SQS::Queue")
    [main] = [q["Properties"] for q in queues.values() if "RedrivePolicy" in q["Properties"]]
    assert main["RedrivePolicy"]["maxReceiveCount"] == Settings.model_fields["ingest_max_receive_count"].default
    assert main["VisibilityTimeout"] == 6 * 900
    [notification] = resources(data, "Custom::S3BucketNotifications").values()
    [queue_config] = notification["Properties"]["NotificationConfiguration"]["QueueConfigurations"]
    assert queue_config["Events"] == ["s3:ObjectCreated:*"]
    assert queue_config["Filter"]["Key"]["FilterRules"] == [{"Name": "prefix", "Value": "documents/"}]
    alarm = one(data, "AWS::CloudWatch::Alarm")
    assert alarm["MetricName"] == "ApproximateNumberOfMessagesVisible" and alarm["Threshold"] == 0
    assert not resources(synthesize("no-rag")["data"], "AWS::SQS::Queue")


def test_cognito_pool_client_and_authorizer(synthesize: Synth) -> None:
    templates = synthesize("default")
    auth = templates["auth"]
    client = one(auth, "AWS::Cognito::UserPoolClient")
    assert client["AllowedOAuthFlows"] == ["code"] and client["GenerateSecret"] is False
    assert client["AllowedOAuthScopes"] == ["openid", "email", "profile"]
    assert "/auth/callback" in json.dumps(client["CallbackURLs"])
    pool = one(auth, "AWS::Cognito::UserPool")
    assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    assert one(auth, "AWS::Cognito::UserPoolGroup")["GroupName"] == "admin"
    assert resources(auth, "AWS::Cognito::UserPoolDomain")
    authorizer = one(templates["platform"], "AWS::ApiGatewayV2::Authorizer")
    assert authorizer["AuthorizerType"] == "JWT"
    issuer = json.dumps(authorizer["JwtConfiguration"]["Issuer"])
    pool_id = next(name for name in resources(auth, "AWS::Cognito::UserPool"))
    assert "https://cognito-idp.us-east-1.amazonaws.com/" in issuer and f"ExportsOutputRef{pool_id}" in issuer
    [client_id] = resources(auth, "AWS::Cognito::UserPoolClient")
    assert f"ExportsOutputRef{client_id}" in json.dumps(authorizer["JwtConfiguration"]["Audience"])


def test_keycloak_names_only_issuer_and_audience(synthesize: Synth) -> None:
    templates = synthesize("keycloak")
    assert "auth" not in templates
    authorizer = one(templates["platform"], "AWS::ApiGatewayV2::Authorizer")
    assert authorizer["JwtConfiguration"] == {
        "Audience": ["privategpt-web"],
        "Issuer": "https://sso.example.com/realms/acme",
    }
    env = platform_functions(templates)["api"]["Environment"]["Variables"]
    assert env["PGPT_AUTH_PROVIDER"] == "keycloak"
    assert env["PGPT_AUTH_ISSUER"] == "https://sso.example.com/realms/acme"
    assert env["PGPT_AUTH_CLIENT_IDS"] == "privategpt-web"


@pytest.mark.parametrize("shape", ["default", "keycloak"])
def test_routes_and_their_authorization(synthesize: Synth, shape: str) -> None:
    platform = synthesize(shape)["platform"]
    routes = {
        r["Properties"]["RouteKey"]: r["Properties"] for r in resources(platform, "AWS::ApiGatewayV2::Route").values()
    }
    public = {
        "GET /api/health",
        "GET /api/health/ready",
        "GET /.well-known/oauth-protected-resource",
        "GET /.well-known/oauth-protected-resource/mcp",
    }
    assert public <= set(routes)
    for key, route in routes.items():
        assert (route.get("AuthorizationType", "NONE") == "NONE") == (key in public), key
    assert {"ANY /{proxy+}", "POST /mcp", "GET /mcp", "DELETE /mcp"} <= set(routes)
    api = one(platform, "AWS::ApiGatewayV2::Api")
    assert "*" not in api["CorsConfiguration"]["AllowOrigins"]
    stage = one(platform, "AWS::ApiGatewayV2::Stage")
    assert stage["DefaultRouteSettings"]["ThrottlingRateLimit"] == 50
    assert "DestinationArn" in stage["AccessLogSettings"]


@pytest.mark.parametrize("shape", ["default", "no-rag"])
def test_stream_function_url(synthesize: Synth, shape: str) -> None:
    platform = synthesize(shape)["platform"]
    url = one(platform, "AWS::Lambda::Url")
    assert url["InvokeMode"] == "RESPONSE_STREAM" and url["AuthType"] == "NONE"
    assert url["Cors"]["AllowMethods"] == ["GET", "POST"] and "*" not in url["Cors"]["AllowOrigins"]
    assert "authorization" in url["Cors"]["AllowHeaders"]  # /v1 callers in a browser send their key
    assert not resources(platform, "AWS::ApiGateway::RestApi")
    base = json.dumps(platform["Outputs"]["OpenAIBaseUrl"]["Value"])
    assert "FunctionUrl" in base and '"v1"' in base
    assert "PGPT_CORS_ORIGINS" not in platform_functions(synthesize(shape))["stream"]["Environment"]["Variables"]


def test_a_stream_function_in_a_vpc_streams_through_a_rest_api(synthesize: Synth) -> None:
    """Function URLs do not stream from a VPC-attached function; API Gateway's STREAM transfer mode does."""
    templates = synthesize("keycloak")
    platform = templates["platform"]
    assert not resources(platform, "AWS::Lambda::Url")
    methods = [m["Properties"] for m in resources(platform, "AWS::ApiGateway::Method").values()]
    [get] = [m for m in methods if m["HttpMethod"] == "GET"]
    [v1] = [m for m in methods if m["HttpMethod"] == "ANY"]  # /v1/{proxy+}: the app authenticates
    assert v1["AuthorizationType"] == "NONE" and v1["Integration"]["ResponseTransferMode"] == "STREAM"
    integration = get["Integration"]
    assert integration["Type"] == "AWS_PROXY" and integration["ResponseTransferMode"] == "STREAM"
    assert "response-streaming-invocations" in json.dumps(integration["Uri"])
    assert get["AuthorizationType"] == "NONE"
    [token] = [
        r["Properties"]
        for r in resources(platform, "AWS::ApiGateway::Resource").values()
        if r["Properties"]["PathPart"] == "{token}"
    ]
    assert token
    stream = platform_functions(templates)["stream"]
    assert "VpcConfig" in stream and "PGPT_CORS_ORIGINS" in stream["Environment"]["Variables"]
    api_env = platform_functions(templates)["api"]["Environment"]["Variables"]
    assert "RestApi" in json.dumps(api_env["PGPT_STREAM_BASE_URL"]) or "StreamEndpointApi" in json.dumps(
        api_env["PGPT_STREAM_BASE_URL"]
    )


@pytest.mark.parametrize("shape", ALL)
def test_stream_function_runs_the_web_adapter(synthesize: Synth, shape: str) -> None:
    stream = platform_functions(synthesize(shape))["stream"]
    env = stream["Environment"]["Variables"]
    assert env["AWS_LAMBDA_EXEC_WRAPPER"] == "/opt/bootstrap"
    assert env["AWS_LWA_INVOKE_MODE"] == "response_stream"
    assert stream["Handler"] == "run.sh"
    layers = json.dumps(stream["Layers"])
    assert ":753240598075:layer:LambdaAdapterLayerX86:" in layers


@pytest.mark.parametrize("shape", ["default", "no-rag"])
def test_snapstart_versions_behind_an_alias(synthesize: Synth, shape: str) -> None:
    templates = synthesize(shape)
    functions = platform_functions(templates)
    integrations = json.dumps(resources(templates["platform"], "AWS::ApiGatewayV2::Integration"))
    if shape == "default":
        for role in ("api", "tools"):
            assert functions[role]["SnapStart"] == {"ApplyOn": "PublishedVersions"}
        aliases = resources(templates["platform"], "AWS::Lambda::Alias")
        assert {a["Properties"]["Name"] for a in aliases.values()} == {"live"}
        assert all(name in integrations for name in aliases)  # the HTTP API calls the aliases
    else:
        assert all("SnapStart" not in f for f in functions.values())
        assert not resources(templates["platform"], "AWS::Lambda::Alias")


def test_ingestion_reads_the_queue_with_partial_failures(synthesize: Synth) -> None:
    mapping = one(synthesize("default")["platform"], "AWS::Lambda::EventSourceMapping")
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert mapping["BatchSize"] == Settings.model_fields["ingest_batch_size"].default
    ingest = platform_functions(synthesize("default"))["ingest"]
    assert (ingest["MemorySize"], ingest["Timeout"]) == (3008, 900)
    assert ingest["Environment"]["Variables"]["PGPT_INGEST_TIMEOUT_SECONDS"] == "900"


@pytest.mark.parametrize("shape", ALL)
def test_no_wildcard_actions_and_no_wildcard_on_data(synthesize: Synth, shape: str) -> None:
    data_services = ("dynamodb:", "s3:", "sqs:", "secretsmanager:", "aoss:", "es:", "kms:")
    prefixes = ("/documents/*", "/files/*")  # per-user object keys under the function's own prefix
    for where, statement in statements(synthesize(shape)):
        if "CustomCDKBucketDeployment" in where:
            continue  # CDK's file copy of the static site and config.json: the CDK assets and site buckets
        actions = _listed(statement["Action"])
        assert all(action != "*" and not action.endswith(":*") for action in actions), (where, actions)
        if statement["Effect"] != "Allow" or not any(a.startswith(data_services) for a in actions):
            continue
        for resource in _listed(statement["Resource"]):
            text = json.dumps(resource)
            assert resource != "*", (where, actions)
            if "*" in text:
                assert text.rstrip('"]}').endswith(prefixes) or "-??????" in text or "s3:prefix" in text, (where, text)


@pytest.mark.parametrize("shape", ALL)
def test_functions_carry_no_secret(synthesize: Synth, shape: str) -> None:
    for function in platform_functions(synthesize(shape)).values():
        for name in function["Environment"]["Variables"]:
            assert not any(word in name for word in ("API_KEY", "PASSWORD", "TOKEN")) or name.endswith("_SECRET"), name


def test_provider_keys_are_secrets_read_at_run_time(synthesize: Synth) -> None:
    templates = synthesize("keycloak")
    reads = [s for _, s in statements(templates) if "secretsmanager:GetSecretValue" in _listed(s["Action"])]
    assert reads
    named = json.dumps(reads)
    for secret in ("privategpt/openai-??????", "privategpt/weather-??????", "privategpt/embeddings-??????"):
        assert secret in named
    env = platform_functions(templates)["api"]["Environment"]["Variables"]
    assert env["PGPT_LLM_PROVIDERS_FILE"] == "/opt/privategpt/providers.yaml"
    assert env["PGPT_TOOLS_SERVERS_FILE"] == "/opt/privategpt/tools-servers.yaml"
    assert env["PGPT_CHAT_HISTORY_MAX_MESSAGES"] == "100"
    assert "OLLAMA_BASE_URL" in env and "VpcConfig" in platform_functions(templates)["stream"]


def test_settings_files_layer_holds_the_validated_files(synthesize: Synth) -> None:
    import yaml

    from privategpt.llm.config import ProvidersFile
    from privategpt.tools.client.config import ServersFile

    synthesize("keycloak")
    staged = sorted((ROOT / ".cache" / "infra" / "settings-files").glob("*/privategpt/providers.yaml"))
    texts = [yaml.safe_load(path.read_text()) for path in staged]
    text = next(t for t in texts if len(t["providers"]) == 2)
    assert text["providers"][1] == {"name": "ollama", "type": "ollama"}  # its URL: OLLAMA_BASE_URL, at run time
    providers = ProvidersFile.model_validate(text)
    assert [p.name for p in providers.providers] == ["openai", "ollama"]
    servers = next(
        Path(p).parent / "tools-servers.yaml" for p in staged if (Path(p).parent / "tools-servers.yaml").exists()
    )
    assert ServersFile.model_validate(yaml.safe_load(servers.read_text())).servers[0].name == "weather"


def test_extra_web_origins_reach_sign_in_and_every_cors_rule(synthesize: Synth) -> None:
    """`auth.extra_callback_urls` (a trailing slash dropped) are origins like the deployed one, in every place."""
    templates = synthesize("no-rag")
    client = one(templates["auth"], "AWS::Cognito::UserPoolClient")
    assert "http://localhost:5173/auth/callback" in client["CallbackURLs"]
    assert "http://localhost:5173/" in client["LogoutURLs"]
    buckets = resources(templates["data"], "AWS::S3::Bucket").values()
    [cors] = [
        b["Properties"]["CorsConfiguration"]["CorsRules"][0] for b in buckets if "CorsConfiguration" in b["Properties"]
    ]
    assert "http://localhost:5173" in cors["AllowedOrigins"] and len(cors["AllowedOrigins"]) == 2
    platform = templates["platform"]
    assert "http://localhost:5173" in one(platform, "AWS::ApiGatewayV2::Api")["CorsConfiguration"]["AllowOrigins"]
    assert "http://localhost:5173" in one(platform, "AWS::Lambda::Url")["Cors"]["AllowOrigins"]
