"""One platform function: the shared code asset and dependency layer, the runtime, its log group, tracing and
settings from the config, and (with SnapStart) a published version behind the ``live`` alias that every trigger
points at, since SnapStart applies only to published versions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from aws_cdk import Duration
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from infra.config import DeployConfig, FunctionConfig
from infra.constructs.log_group import log_group
from infra.layer import RUNTIME, code_asset
from infra.nag import acknowledge

ALIAS = "live"


class PlatformFunction(Construct):
    """``function`` is the Lambda; ``target`` (its alias, or the function without SnapStart) is what triggers call."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: DeployConfig,
        sizing: FunctionConfig,
        handler: str,
        description: str,
        layers: Sequence[lambda_.ILayerVersion],
        environment: Mapping[str, str],
        snapstart: bool = False,
        vpc: ec2.IVpc | None = None,
        security_groups: Sequence[ec2.ISecurityGroup] = (),
    ) -> None:
        super().__init__(scope, construct_id)
        self.log_group = log_group(self, "Logs", config)
        self.role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description=f"{description}: only what this function uses",
        )
        self.function = lambda_.Function(
            self,
            "Function",
            description=description,
            runtime=RUNTIME,
            architecture=lambda_.Architecture.X86_64,
            code=code_asset(),
            handler=handler,
            layers=list(layers),
            memory_size=sizing.memory_mb,
            timeout=Duration.seconds(sizing.timeout_seconds),
            reserved_concurrent_executions=sizing.reserved_concurrency,
            environment=dict(environment),
            role=self.role,
            log_group=self.log_group,
            tracing=lambda_.Tracing.ACTIVE if config.functions.tracing else lambda_.Tracing.DISABLED,
            snap_start=lambda_.SnapStartConf.ON_PUBLISHED_VERSIONS if snapstart else None,
            vpc=vpc,
            vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS) if vpc else None,
            security_groups=list(security_groups) if vpc else None,
        )
        self.log_group.grant_write(self.role)
        if vpc is not None:
            self.role.add_managed_policy(
                iam.ManagedPolicy.from_aws_managed_policy_name("service-role/AWSLambdaVPCAccessExecutionRole")
            )
            acknowledge(
                self.role,
                "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]",
                "the ENI actions a VPC-attached function needs (AWS's managed policy is the documented one)",
            )
        if config.functions.tracing:
            acknowledge(
                self.role,
                "AwsSolutions-IAM5[Resource::*]",
                "X-Ray's PutTraceSegments and PutTelemetryRecords support no resource-level permissions",
            )
        self.alias: lambda_.Alias | None = None
        if snapstart:
            self.alias = lambda_.Alias(self, "Live", alias_name=ALIAS, version=self.function.current_version)
        self.target: lambda_.IFunction = self.alias or self.function

    def add_to_role(self, *statements: iam.PolicyStatement) -> None:
        for statement in statements:
            self.role.add_to_policy(statement)
