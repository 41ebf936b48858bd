"""The HTTP API in front of the API and tools functions: a JWT authorizer (the issuer's JWKS, the web client as
audience) on every route but health and the MCP server's OAuth protected-resource metadata, CORS for the web
origin, throttling and access logs on the default stage. The functions verify each token again.
"""

from __future__ import annotations

from collections.abc import Sequence

import jsii
from aws_cdk import Duration
from aws_cdk import aws_apigateway as apigw_v1
from aws_cdk import aws_apigatewayv2 as apigw
from aws_cdk import aws_apigatewayv2_authorizers as authorizers
from aws_cdk import aws_apigatewayv2_integrations as integrations
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.config import DeployConfig
from infra.constructs.log_group import log_group
from infra.nag import acknowledge
from infra.stacks.auth import AuthSettings

PUBLIC_API_ROUTES = ("/api/health", "/api/health/ready")
MCP_PATH = "/mcp"
# RFC 9728: the metadata document at the root, and the one for the /mcp resource path
MCP_METADATA_ROUTES = ("/.well-known/oauth-protected-resource", "/.well-known/oauth-protected-resource/mcp")
CORS_HEADERS = ("authorization", "content-type", "idempotency-key", "mcp-protocol-version", "mcp-session-id")
EXPOSED_HEADERS = ("retry-after", "mcp-session-id", "www-authenticate", "x-request-id")
CORS_MAX_AGE = Duration.hours(1)
ACCESS_LOG_FORMAT = apigw_v1.AccessLogFormat.custom(
    '{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","time":"$context.requestTime",'
    '"method":"$context.httpMethod","path":"$context.path","status":"$context.status",'
    '"latencyMs":"$context.responseLatency","integrationError":"$context.integrationErrorMessage",'
    '"authorizerError":"$context.authorizer.error","sub":"$context.authorizer.claims.sub"}'
)


class HttpApi(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: DeployConfig,
        auth: AuthSettings,
        origins: Sequence[str],
        api: lambda_.IFunction,
        tools: lambda_.IFunction,
    ) -> None:
        super().__init__(scope, construct_id)
        self.api = apigw.HttpApi(
            self,
            "Api",
            api_name=config.name("api"),
            create_default_stage=False,
            cors_preflight=apigw.CorsPreflightOptions(
                allow_origins=list(origins),
                allow_methods=[apigw.CorsHttpMethod.ANY],
                allow_headers=list(CORS_HEADERS),
                expose_headers=list(EXPOSED_HEADERS),
                max_age=CORS_MAX_AGE,
            ),
        )
        self.access_logs = log_group(self, "AccessLogs", config)
        self.stage = apigw.HttpStage(
            self,
            "DefaultStage",
            http_api=self.api,
            stage_name="$default",
            auto_deploy=True,
            throttle=apigw.ThrottleSettings(
                rate_limit=config.api.throttle_rate_limit, burst_limit=config.api.throttle_burst_limit
            ),
            access_log_settings=_AccessLogs(self.access_logs),
        )
        self.authorizer = authorizers.HttpJwtAuthorizer(
            "Jwt",
            jwt_issuer=auth.issuer,
            jwt_audience=[auth.client_id],
            identity_source=["$request.header.Authorization"],
        )
        api_target = integrations.HttpLambdaIntegration("ApiFunction", api)
        tools_target = integrations.HttpLambdaIntegration("ToolsFunction", tools)
        self.api.add_routes(
            path="/{proxy+}", methods=[apigw.HttpMethod.ANY], integration=api_target, authorizer=self.authorizer
        )
        for path in PUBLIC_API_ROUTES:
            _public(self.api.add_routes(path=path, methods=[apigw.HttpMethod.GET], integration=api_target))
        self.api.add_routes(
            path=MCP_PATH,
            methods=[apigw.HttpMethod.GET, apigw.HttpMethod.POST, apigw.HttpMethod.DELETE],
            integration=tools_target,
            authorizer=self.authorizer,
        )
        for path in MCP_METADATA_ROUTES:
            _public(self.api.add_routes(path=path, methods=[apigw.HttpMethod.GET], integration=tools_target))
        self.url = self.api.api_endpoint
        self.mcp_url = f"{self.url}{MCP_PATH}"


def _public(routes: Sequence[apigw.HttpRoute]) -> None:
    for route in routes:
        acknowledge(
            route, "AwsSolutions-APIG4", "public by design: liveness/readiness, and RFC 9728 metadata for MCP clients"
        )


@jsii.implements(apigw.IAccessLogSettings)
class _AccessLogs:
    """``HttpStage``'s access-log settings: a destination log group and the JSON line written per request."""

    def __init__(self, group: logs.ILogGroup) -> None:
        self._destination = apigw.LogGroupLogDestination(group)

    @property
    def destination(self) -> apigw.IAccessLogDestination:
        return self._destination

    @property
    def format(self) -> apigw_v1.AccessLogFormat:
        return ACCESS_LOG_FORMAT
