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
CORS_MAX_AGE = Duration.hours(1)
STREAM_STAGE = "live"
STREAM_INTEGRATION_TIMEOUT = Duration.minutes(15)  # a streamed response's limit
PATH_CREDENTIAL_REASON = (
    "the single-use stream token in the path is the credential (checked and consumed by the stream app)"
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
                    allowed_methods=[lambda_.HttpMethod.GET],
                    allowed_headers=["last-event-id", "cache-control"],
                    max_age=CORS_MAX_AGE,
                ),
            ).url

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
        for rule in ("AwsSolutions-APIG4", "AwsSolutions-COG4"):
            acknowledge(api, rule, PATH_CREDENTIAL_REASON)
        acknowledge(api, "AwsSolutions-APIG2", "one GET with a path parameter and no body: the stream app validates it")
        acknowledge(api, "AwsSolutions-APIG3", "WAF is per deployment (cost); throttling is on the stage")
        acknowledge(
            api,
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]",
            "API Gateway's account-level role for writing access logs: AWS's managed policy is the documented one",
        )
        return api.url.rstrip("/")
