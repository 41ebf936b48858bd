"""Ollama on one GPU instance in a private subnet, for the functions to call (``ollama.enabled``).

What it builds: a two-AZ VPC whose private subnets reach the internet through one NAT gateway (model downloads,
the providers' APIs, the Ollama release), free gateway endpoints for S3 and DynamoDB, flow logs; the instance
(AMI from an SSM public parameter, resolved at deploy time; IMDSv2; encrypted gp3 root; Session Manager only); a
private DNS name that survives the instance's replacement; and an alarm that stops the instance when idle.

One NAT gateway, not one per AZ: a NAT gateway is billed by the hour, and the traffic through it (a model pull,
calls to the providers' APIs) can wait for a zone to come back. If its AZ fails, the private subnets of the other
AZ lose internet access until it returns; DynamoDB and S3 still work through the gateway endpoints.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_route53 as route53
from constructs import Construct

from infra.config import DeployConfig
from infra.constructs.log_group import log_group
from infra.nag import acknowledge

SETUP_SCRIPT = Path(__file__).resolve().parent.parent / "assets" / "ollama" / "setup.sh"

# The idle stop (config ollama.idle_stop_minutes, idle_cpu_percent): the alarm stops the instance when the highest
# CPU reading of every period stays below the threshold for that many minutes; 0 minutes builds no alarm.
IDLE_PERIOD_MINUTES = 5

# The DLAMI's (Ubuntu) root device: the block device mapping resizes and encrypts it instead of adding a volume.
ROOT_DEVICE = "/dev/sda1"
VPC_CIDR = "10.40.0.0/16"
AZ_COUNT = 2
UNIQUE_IMDSV2_TEMPLATE_NAME = "@aws-cdk/aws-ec2:uniqueImdsv2TemplateName"
DNS_TTL_SECONDS = 60

_MODEL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/-]*$")
_VERSION = re.compile(r"^\d+\.\d+\.\d+(?:-rc\d+)?$")


def user_data_script(config: DeployConfig) -> str:
    """The instance's user data: the settings as shell variables, then ``setup.sh``."""
    ollama = config.ollama
    if not _VERSION.fullmatch(ollama.ollama_version):
        raise ValueError(f"ollama.ollama_version {ollama.ollama_version!r} is not a release number like 0.12.6")
    bad = [model for model in ollama.models if not _MODEL.fullmatch(model)]
    if bad:
        raise ValueError(f"ollama.models {bad} are not model names (like llama3.2 or qwen3:8b)")
    settings = {
        "OLLAMA_VERSION": ollama.ollama_version,
        "OLLAMA_PORT": str(ollama.port),
        "OLLAMA_CONTEXT": str(ollama.context_window or ""),
        "OLLAMA_PULL": " ".join(ollama.models),
    }
    lines = ["#!/bin/bash"] + [f"{name}='{value}'" for name, value in settings.items()]
    return "\n".join(lines) + "\n" + SETUP_SCRIPT.read_text(encoding="utf-8")


class OllamaStack(cdk.Stack):
    """``vpc``, ``client_security_group`` (attach it to the functions that call Ollama), ``instance`` and
    ``base_url`` (a plain string: ``http://ollama.<zone>:<port>``, stable across instance replacements)."""

    def __init__(self, scope: Construct, construct_id: str, *, config: DeployConfig, **kwargs: Any) -> None:
        super().__init__(scope, construct_id, **kwargs)
        # IMDSv2 goes through a launch template, named "InstanceLaunchTemplate" in every stack unless this flag is
        # on: two stages in one account and region would collide on that name.
        self.node.set_context(UNIQUE_IMDSV2_TEMPLATE_NAME, True)
        ollama = config.ollama

        self.vpc = ec2.Vpc(
            self,
            "Vpc",
            ip_addresses=ec2.IpAddresses.cidr(VPC_CIDR),
            max_azs=AZ_COUNT,
            nat_gateways=1,
            subnet_configuration=[
                ec2.SubnetConfiguration(name="public", subnet_type=ec2.SubnetType.PUBLIC, cidr_mask=26),
                ec2.SubnetConfiguration(name="private", subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS, cidr_mask=22),
            ],
            gateway_endpoints={
                "S3": ec2.GatewayVpcEndpointOptions(service=ec2.GatewayVpcEndpointAwsService.S3),
                "DynamoDB": ec2.GatewayVpcEndpointOptions(service=ec2.GatewayVpcEndpointAwsService.DYNAMODB),
            },
        )
        flow_logs = log_group(self, "FlowLogs", config)
        self.vpc.add_flow_log(
            "FlowLog",
            destination=ec2.FlowLogDestination.to_cloud_watch_logs(flow_logs),
            traffic_type=ec2.FlowLogTrafficType.ALL,
        )

        self.client_security_group = ec2.SecurityGroup(
            self,
            "ClientSecurityGroup",
            vpc=self.vpc,
            description="Functions that call Ollama, admitted by the Ollama instance group",
            allow_all_outbound=True,
        )
        instance_group = ec2.SecurityGroup(
            self,
            "InstanceSecurityGroup",
            vpc=self.vpc,
            description="The Ollama instance: its API from the client group only",
            allow_all_outbound=True,
        )
        instance_group.add_ingress_rule(
            self.client_security_group, ec2.Port.tcp(ollama.port), "Ollama API from the functions"
        )

        role = iam.Role(
            self,
            "InstanceRole",
            assumed_by=iam.ServicePrincipal("ec2.amazonaws.com"),
            description="The Ollama instance: Session Manager only",
            managed_policies=[iam.ManagedPolicy.from_aws_managed_policy_name("AmazonSSMManagedInstanceCore")],
        )
        acknowledge(
            role,
            "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonSSMManagedInstanceCore]",
            "AmazonSSMManagedInstanceCore is AWS's policy for Session Manager, the only way in (no SSH, no key)",
        )

        user_data = ec2.UserData.custom(user_data_script(config))
        self.instance = ec2.Instance(
            self,
            "Instance",
            vpc=self.vpc,
            vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS),
            instance_type=ec2.InstanceType(ollama.instance_type),
            machine_image=ec2.MachineImage.from_ssm_parameter(ollama.ami_parameter),
            user_data=user_data,
            # a new version, model list or context window builds a fresh instance: cloud-init runs user data once
            user_data_causes_replacement=True,
            security_group=instance_group,
            role=role,
            require_imdsv2=True,
            associate_public_ip_address=False,
            detailed_monitoring=True,  # 1-minute metrics for the idle alarm (and AwsSolutions-EC28)
            block_devices=[
                ec2.BlockDevice(
                    device_name=ROOT_DEVICE,
                    volume=ec2.BlockDeviceVolume.ebs(
                        ollama.volume_gb,
                        volume_type=ec2.EbsDeviceVolumeType.GP3,
                        encrypted=True,
                        delete_on_termination=True,
                    ),
                )
            ],
        )
        cdk.Tags.of(self.instance).add("Name", config.name("ollama"))
        acknowledge(
            self.instance,
            "AwsSolutions-EC29",
            "One instance by design (a GPU is the cost); termination protection would block CloudFormation's "
            "replacement when the AMI, version or models change. Models are re-pulled, nothing else is kept.",
        )

        # A stable name: the instance (and its private address) is replaced when the AMI parameter moves or the
        # user data changes; a cross-stack export of its DNS name would then block the update.
        zone_name = f"{config.app_name}-{config.stage}.internal"
        zone = route53.PrivateHostedZone(self, "Zone", zone_name=zone_name, vpc=self.vpc)
        route53.ARecord(
            self,
            "OllamaRecord",
            zone=zone,
            record_name="ollama",
            target=route53.RecordTarget.from_ip_addresses(self.instance.instance_private_ip),
            ttl=cdk.Duration.seconds(DNS_TTL_SECONDS),
        )
        self.host = f"ollama.{zone_name}"
        self.base_url = f"http://{self.host}:{ollama.port}"

        self.idle_alarm: cloudwatch.Alarm | None = None
        if config.ollama.idle_stop_minutes > 0:
            self.idle_alarm = self._idle_stop(config)

        cdk.CfnOutput(self, "OllamaBaseUrl", value=self.base_url)
        cdk.CfnOutput(self, "OllamaInstanceId", value=self.instance.instance_id)

    @property
    def availability_zones(self) -> list[str]:
        """The region's first two AZs as ``Fn::GetAZs`` tokens: no context lookup at synth, even in a stack with an
        account and region (the VPC would otherwise look the zones up and cache them in cdk.context.json)."""
        return [cdk.Fn.select(i, cdk.Fn.get_azs()) for i in range(AZ_COUNT)]

    def _idle_stop(self, config: DeployConfig) -> cloudwatch.Alarm:
        periods = max(1, config.ollama.idle_stop_minutes // IDLE_PERIOD_MINUTES)
        cpu = cloudwatch.Metric(
            namespace="AWS/EC2",
            metric_name="CPUUtilization",
            dimensions_map={"InstanceId": self.instance.instance_id},
            statistic=cloudwatch.Stats.MAXIMUM,
            period=cdk.Duration.minutes(IDLE_PERIOD_MINUTES),
        )
        alarm = cloudwatch.Alarm(
            self,
            "IdleStop",
            alarm_name=config.name("ollama-idle-stop"),
            alarm_description=(
                f"Stops the Ollama instance after {config.ollama.idle_stop_minutes} minutes under "
                f"{config.ollama.idle_cpu_percent:g} % CPU. "
                "Start it again with: aws ec2 start-instances --instance-ids <id>"
            ),
            metric=cpu,
            threshold=config.ollama.idle_cpu_percent,
            comparison_operator=cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
            evaluation_periods=periods,
            datapoints_to_alarm=periods,
            # a stopped instance sends no data: the alarm goes back to OK and waits for the next idle hour
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        alarm.add_alarm_action(cloudwatch_actions.Ec2Action(cloudwatch_actions.Ec2InstanceAction.STOP))
        return alarm
