"""Every log group the app makes: the config's retention, and kept with the data in stages that are not dev-like."""

from __future__ import annotations

from aws_cdk import RemovalPolicy
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.config import LOG_RETENTION, DeployConfig


def log_group(scope: Construct, construct_id: str, config: DeployConfig) -> logs.LogGroup:
    return logs.LogGroup(
        scope,
        construct_id,
        retention=logs.RetentionDays[LOG_RETENTION[config.functions.log_retention_days]],
        removal_policy=RemovalPolicy.DESTROY if config.is_dev else RemovalPolicy.RETAIN,
    )
