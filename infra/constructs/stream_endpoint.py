"""Where browsers open a chat stream (phase 2): the streaming function's URL, or, when the function is in a VPC,
an API Gateway REST API that streams.

Lambda function URLs do not stream from a function in a VPC ("Lambda function URLs do not support response
streaming within a VPC environment",
https://docs.aws.amazon.com/lambda/latest/dg/configuration-response-streaming.html#config-rs-vpc-compatibility),
and the stream function joins the VPC only to reach the Ollama instance. API Gateway REST APIs invoke a Lambda proxy
integration with ``InvokeWithResponseStream`` when its response transfer mode is ``STREAM``: at most 15 minutes a
stream, 5 minutes idle on a regional endpoint (https://docs.aws.amazon.com/apigateway/latest/developerguide/
response-transfer-mode.html); the stream's heartbeats keep it from idling. The Lambda Web Adapter streams to both
(https://awslabs.github.io/aws-lambda-web-adapter/configuration/response-streaming.html).

Either way the credential is the single-use token in the path, which the stream app checks: no authorizer.

The same endpoint serves the OpenAI-compatible API under ``/v1`` (it streams too, and API Gateway's HTTP API
cannot): ``openai_base_url``. Its callers send an API key or a JWT as the bearer token, which the stream app
verifies itself (the same verifier and key store as the API): no authorizer there either.
"""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_apigateway as rest
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from infra.config import DeployConfig
from infra.constructs.log_group import log_group
from infra.nag import acknowledge

STREAM_PATH = "stream"  # the stream app's route: GET /stream/{token}
OPENAI_PATH = "v1"  # the OpenAI-compatible API: /v1/models, /v1/chat/completions, /v1/embeddings
CORS_MAX_AGE = Duration.hours(1)
STREAM_STAGE = "live"
STREAM_INTEGRATION_TIMEOUT = Duration.minutes(15)  # a streamed response's limit
PATH_CREDENTIAL_REASON = (
    "the single-use stream token in the path is the credential (checked and consumed by the stream app); /v1 "
    "callers' API keys or JWTs are verified by the app, as the API's authorizer would"
)


class StreamEndpoint(Construct):
    """``url`` is what ``PGPT_STREAM_BASE_URL`` names; ``cors_in_app`` says whether the app must add CORS headers."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: DeployConfig,
        function: lambda_.IFunction,
        origins: Sequence[str],
        in_vpc: bool,
    ) -> None:
        super().__init__(scope, construct_id)
        self.cors_in_app = in_vpc
        if in_vpc:
            self.url = self._rest_api(config, function)
        else:
            self.url = function.add_function_url(
                auth_type=lambda_.FunctionUrlAuthType.NONE,
                invoke_mode=lambda_.InvokeMode.RESPONSE_STREAM,
                cors=lambda_.FunctionUrlCorsOptions(
                    allowed_origins=list(origins),
                    allowed_methods=[lambda_.HttpMethod.GET, lambda_.HttpMethod.POST],
                    allowed_headers=["last-event-id", "cache-control", "authorization", "content-type"],
                    exposed_headers=["x-request-id", "retry-after"],
                    max_age=CORS_MAX_AGE,
                ),
            ).url
        # both URLs end with a slash (a function URL's, a REST stage's): ".../v1", joined at deploy time
        self.openai_base_url = f"{self.url}{OPENAI_PATH}"

    def _rest_api(self, config: DeployConfig, function: lambda_.IFunction) -> str:
        access_logs = log_group(self, "AccessLogs", config)
        api = rest.RestApi(
            self,
            "Api",
            rest_api_name=config.name("stream"),
            endpoint_types=[rest.EndpointType.REGIONAL],
            cloud_watch_role=True,
            cloud_watch_role_removal_policy=RemovalPolicy.DESTROY,
            deploy_options=rest.StageOptions(
                stage_name=STREAM_STAGE,
                throttling_rate_limit=config.api.throttle_rate_limit,
                throttling_burst_limit=config.api.throttle_burst_limit,
                access_log_destination=rest.LogGroupLogDestination(access_logs),
                access_log_format=rest.AccessLogFormat.json_with_standard_fields(
                    caller=False, http_method=True, ip=True, protocol=True, request_time=True,
                    resource_path=True, response_length=True, status=True, user=False,
                ),
                logging_level=rest.MethodLoggingLevel.ERROR,
                tracing_enabled=config.functions.tracing,
            ),
        )  # fmt: skip
        integration = rest.LambdaIntegration(
            function,
            proxy=True,
            response_transfer_mode=rest.ResponseTransferMode.STREAM,
            timeout=STREAM_INTEGRATION_TIMEOUT,
        )
        api.root.add_resource(STREAM_PATH).add_resource("{token}").add_method("GET", integration)
        # /v1/{proxy+}: the app authenticates (API keys or JWTs) and answers OPTIONS with CORS itself
        api.root.add_resource(OPENAI_PATH).add_resource("{proxy+}").add_method("ANY", integration)
        for rule in ("AwsSolutions-APIG4", "AwsSolutions-COG4"):
            acknowledge(api, rule, PATH_CREDENTIAL_REASON)
        acknowledge(api, "AwsSolutions-APIG2", "the stream app validates every request (path, body) itself")
        acknowledge(api, "AwsSolutions-APIG3", "WAF is per deployment (cost); throttling is on the stage")
        acknowledge(
            api,
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]",
            "API Gateway's account-level role for writing access logs: AWS's managed policy is the documented one",
        )
        return api.url.rstrip("/")
