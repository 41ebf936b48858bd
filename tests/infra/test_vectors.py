"""The vector store stacks as synthesized: the Serverless collection and its policies, the small domain, the access
each role gets (and nothing more), the functions' environment, and cdk-nag on both."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Template

from infra import nag
from infra.config import DeployConfig
from infra.constructs.vector_access import VectorAccess
from infra.stacks.vectors import VectorsStack, opensearch_version, short_name
from tests.infra.conftest import CDK_CONTEXT

# (conftest.py points jsii at the project's Node and caches)
ENV = cdk.Environment(account="123456789012", region="eu-west-1")
ADMIN = "arn:aws:iam::123456789012:role/operator"
INDEX = "privategpt-chunks"


@dataclass
class Synth:
    config: DeployConfig
    vectors: Template
    platform: Template
    environment: dict[str, Any]
    reader_id: str
    writer_id: str


def _synth(store: str, **vectors: Any) -> Synth:
    config = DeployConfig.model_validate(
        {"stage": "prod", "vectors": {"store": store, "admin_principals": [ADMIN], **vectors}}
    )
    app = cdk.App(context=CDK_CONTEXT)
    nag.enable(app)  # an unacknowledged finding makes app.synth() (and Template.from_stack) raise
    stack = VectorsStack(app, "Vectors", config=config, env=ENV)
    platform = cdk.Stack(app, "Platform", env=ENV)
    reader = iam.Role(platform, "Reader", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    writer = iam.Role(platform, "Writer", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    access = VectorAccess(platform, "VectorAccess", vectors=stack, readers=[reader], writers=[writer], config=config)
    # the environment as the platform stack's functions would get it (cross-stack references included)
    for key, value in access.environment().items():
        cdk.CfnOutput(platform, key.replace("_", ""), value=value)
    app.synth()
    platform_template = Template.from_stack(platform)
    outputs = platform_template.to_json()["Outputs"]
    environment = {key: outputs[key.replace("_", "")]["Value"] for key in access.environment()}
    return Synth(
        config=config,
        vectors=Template.from_stack(stack),
        platform=platform_template,
        environment=environment,
        reader_id=platform.get_logical_id(reader.node.default_child),  # type: ignore[arg-type]
        writer_id=platform.get_logical_id(writer.node.default_child),  # type: ignore[arg-type]
    )


@pytest.fixture(scope="module")
def serverless() -> Synth:
    return _synth("opensearch-serverless", standby_replicas=True)


@pytest.fixture(scope="module")
def domain() -> Synth:
    return _synth("opensearch-domain")


def _only(template: Template, resource_type: str) -> tuple[str, dict[str, Any]]:
    resources = template.find_resources(resource_type)
    assert len(resources) == 1, resources
    logical_id, resource = next(iter(resources.items()))
    return logical_id, dict(resource)


def _flatten(value: Any) -> str:
    """A policy string as CloudFormation builds it (Fn::Join of literals and references), references written as
    ``{GetAtt:<logical id>}``, so the JSON can be parsed and the principals compared."""
    if isinstance(value, str):
        return value
    if "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        return str(separator).join(_flatten(part) for part in parts)
    if "Fn::GetAtt" in value:
        return f"{{GetAtt:{value['Fn::GetAtt'][0]}}}"
    if "Ref" in value:
        return f"{{Ref:{value['Ref']}}}"
    if "Fn::ImportValue" in value:
        return "{Import}"
    raise AssertionError(f"unexpected intrinsic {value}")


def _statements(template: Template) -> list[dict[str, Any]]:
    statements: list[dict[str, Any]] = []
    for resource in template.find_resources("AWS::IAM::Policy").values():
        statements += resource["Properties"]["PolicyDocument"]["Statement"]
    return statements


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


# --- Serverless ---


def test_collection_is_a_vector_search_collection_with_standby_replicas(serverless: Synth) -> None:
    _, collection = _only(serverless.vectors, "AWS::OpenSearchServerless::Collection")
    properties = collection["Properties"]
    assert properties["Type"] == "VECTORSEARCH"
    assert properties["StandbyReplicas"] == "ENABLED"
    assert properties["Name"] == "privategpt-prod-vectors"
    assert collection["DeletionPolicy"] == "Retain"  # prod keeps its index


def test_standby_replicas_off_by_default_and_dev_collection_is_deleted() -> None:
    app = cdk.App(context=CDK_CONTEXT)
    config = DeployConfig.model_validate({"stage": "dev"})
    stack = VectorsStack(app, "Vectors", config=config, env=ENV)
    _, collection = _only(Template.from_stack(stack), "AWS::OpenSearchServerless::Collection")
    assert collection["Properties"]["StandbyReplicas"] == "DISABLED"
    assert collection["DeletionPolicy"] == "Delete"


def test_collection_depends_on_its_encryption_and_network_policies(serverless: Synth) -> None:
    policies = serverless.vectors.find_resources("AWS::OpenSearchServerless::SecurityPolicy")
    by_type = {resource["Properties"]["Type"]: logical_id for logical_id, resource in policies.items()}
    assert set(by_type) == {"encryption", "network"}
    _, collection = _only(serverless.vectors, "AWS::OpenSearchServerless::Collection")
    assert sorted(collection["DependsOn"]) == sorted(by_type.values())


def test_encryption_policy_uses_an_aws_owned_key_for_the_collection(serverless: Synth) -> None:
    policies = serverless.vectors.find_resources(
        "AWS::OpenSearchServerless::SecurityPolicy", {"Properties": {"Type": "encryption"}}
    )
    (policy,) = policies.values()
    document = json.loads(policy["Properties"]["Policy"])
    assert document == {
        "Rules": [{"ResourceType": "collection", "Resource": ["collection/privategpt-prod-vectors"]}],
        "AWSOwnedKey": True,
    }


def test_network_policy_opens_the_collection_endpoint_only(serverless: Synth) -> None:
    policies = serverless.vectors.find_resources(
        "AWS::OpenSearchServerless::SecurityPolicy", {"Properties": {"Type": "network"}}
    )
    (policy,) = policies.values()
    (rule_set,) = json.loads(policy["Properties"]["Policy"])
    assert rule_set["AllowFromPublic"] is True
    # the collection endpoint, not Dashboards
    assert rule_set["Rules"] == [{"ResourceType": "collection", "Resource": ["collection/privategpt-prod-vectors"]}]


def test_data_access_policy_names_exactly_the_roles_with_their_permissions(serverless: Synth) -> None:
    _, policy = _only(serverless.platform, "AWS::OpenSearchServerless::AccessPolicy")
    assert policy["Properties"]["Type"] == "data"
    statements = json.loads(_flatten(policy["Properties"]["Policy"]))
    by_principal = {tuple(statement["Principal"]): statement["Rules"] for statement in statements}
    reader, writer = f"{{GetAtt:{serverless.reader_id}}}", f"{{GetAtt:{serverless.writer_id}}}"
    assert set(by_principal) == {(reader,), (writer,), (ADMIN,)}
    index = [f"index/privategpt-prod-vectors/{INDEX}"]
    assert by_principal[(reader,)] == [
        {"ResourceType": "index", "Resource": index, "Permission": ["aoss:ReadDocument"]}
    ]
    writer_rules = {rule["ResourceType"]: rule for rule in by_principal[(writer,)]}
    assert writer_rules["index"]["Resource"] == index
    assert sorted(writer_rules["index"]["Permission"]) == [
        "aoss:CreateIndex",
        "aoss:DescribeIndex",
        "aoss:ReadDocument",
        "aoss:WriteDocument",
    ]
    # the hybrid search pipeline (PUT _search/pipeline/...) is a collection item
    assert writer_rules["collection"]["Resource"] == ["collection/privategpt-prod-vectors"]
    assert sorted(writer_rules["collection"]["Permission"]) == [
        "aoss:CreateCollectionItems",
        "aoss:UpdateCollectionItems",
    ]
    # nobody but the operators may drop the index
    for rules in (by_principal[(reader,)], by_principal[(writer,)]):
        assert not any("aoss:DeleteIndex" in rule["Permission"] for rule in rules)
    assert any("aoss:DeleteIndex" in rule["Permission"] for rule in by_principal[(ADMIN,)])


def test_each_role_may_call_the_collection_api(serverless: Synth) -> None:
    (statement,) = _statements(serverless.platform)
    assert statement["Action"] == "aoss:APIAccessAll"
    assert statement["Resource"] == {"Fn::ImportValue": "Vectors:ExportsOutputFnGetAttCollectionArn5048778F"}
    (policy,) = serverless.platform.find_resources("AWS::IAM::Policy").values()
    roles = {role["Ref"] for role in policy["Properties"]["Roles"]}
    assert roles == {serverless.reader_id, serverless.writer_id}


def test_serverless_environment(serverless: Synth) -> None:
    assert serverless.environment["PGPT_VECTOR_STORE"] == "opensearch"
    assert serverless.environment["PGPT_OPENSEARCH_AUTH"] == "aoss"
    (import_name,) = serverless.environment["PGPT_OPENSEARCH_URL"].values()
    exports = serverless.vectors.to_json()["Outputs"]
    (exported,) = [
        output["Value"] for output in exports.values() if output.get("Export", {}).get("Name") == import_name
    ]
    assert exported == {"Fn::GetAtt": ["Collection", "CollectionEndpoint"]}


# --- domain ---


def test_domain_is_one_encrypted_https_only_node(domain: Synth) -> None:
    _, resource = _only(domain.vectors, "AWS::OpenSearchService::Domain")
    properties = resource["Properties"]
    assert properties["EngineVersion"] == "OpenSearch_2.19"
    assert properties["ClusterConfig"]["InstanceType"] == "t3.small.search"
    assert properties["ClusterConfig"]["InstanceCount"] == 1
    assert properties["ClusterConfig"]["ZoneAwarenessEnabled"] is False
    assert properties["ClusterConfig"]["MultiAZWithStandbyEnabled"] is False
    assert properties["EncryptionAtRestOptions"] == {"Enabled": True}
    assert properties["NodeToNodeEncryptionOptions"] == {"Enabled": True}
    assert properties["DomainEndpointOptions"]["EnforceHTTPS"] is True
    assert properties["DomainEndpointOptions"]["TLSSecurityPolicy"] == "Policy-Min-TLS-1-2-2019-07"
    assert properties["EBSOptions"] == {"EBSEnabled": True, "VolumeSize": 10, "VolumeType": "gp3"}
    assert "AdvancedSecurityOptions" not in properties  # no fine-grained access control: IAM decides
    assert resource["DeletionPolicy"] == "Retain"


def test_domain_policy_delegates_to_the_accounts_identity_policies(domain: Synth) -> None:
    _, resource = _only(domain.vectors, "AWS::OpenSearchService::Domain")
    (statement,) = resource["Properties"]["AccessPolicies"]["Statement"]
    assert statement["Effect"] == "Allow"
    assert _flatten(statement["Principal"]["AWS"]) == "arn:aws:iam::123456789012:root"
    assert all(action.startswith("es:ESHttp") and "*" not in action for action in statement["Action"])
    assert _flatten(statement["Resource"]) == ("arn:aws:es:eu-west-1:123456789012:domain/privategpt-prod-vectors/*")
    # the domain is found by name, not by a custom resource setting the policy later
    assert not domain.vectors.find_resources("Custom::OpenSearchAccessPolicy")
    assert not domain.vectors.find_resources("AWS::Lambda::Function")


def _policy_for(synth: Synth, role_id: str) -> dict[str, Any]:
    policies = [
        resource["Properties"]["PolicyDocument"]
        for resource in synth.platform.find_resources("AWS::IAM::Policy").values()
        if {"Ref": role_id} in resource["Properties"]["Roles"]
    ]
    assert len(policies) == 1, policies
    policy: dict[str, Any] = policies[0]
    return policy


def test_readers_may_only_search_and_count_the_index(domain: Synth) -> None:
    (statement,) = _policy_for(domain, domain.reader_id)["Statement"]
    assert sorted(statement["Action"]) == ["es:ESHttpGet", "es:ESHttpPost"]
    assert sorted(_flatten(resource) for resource in statement["Resource"]) == [
        f"{{Import}}/{INDEX}/_count",
        f"{{Import}}/{INDEX}/_search",
    ]


def test_writers_get_the_index_apis_the_store_calls_and_the_pipeline(domain: Synth) -> None:
    (statement,) = _policy_for(domain, domain.writer_id)["Statement"]
    # bulk deletes and delete_by_query are POSTs: the store never sends an HTTP DELETE
    assert sorted(statement["Action"]) == ["es:ESHttpGet", "es:ESHttpHead", "es:ESHttpPost", "es:ESHttpPut"]
    assert sorted(_flatten(resource) for resource in statement["Resource"]) == sorted(
        [
            f"{{Import}}/{INDEX}",
            *(
                f"{{Import}}/{INDEX}/{api}"
                for api in ("_mapping", "_bulk", "_search", "_count", "_refresh", "_delete_by_query")
            ),
            f"{{Import}}/_search/pipeline/{INDEX}-hybrid",
        ]
    )


def test_domain_environment(domain: Synth) -> None:
    assert domain.environment["PGPT_VECTOR_STORE"] == "opensearch"
    assert domain.environment["PGPT_OPENSEARCH_AUTH"] == "es"
    scheme, reference = domain.environment["PGPT_OPENSEARCH_URL"]["Fn::Join"][1]
    assert scheme == "https://"
    (import_name,) = reference.values()
    exports = domain.vectors.to_json()["Outputs"]
    (exported,) = [
        output["Value"] for output in exports.values() if output.get("Export", {}).get("Name") == import_name
    ]
    assert exported == {"Fn::GetAtt": [_only(domain.vectors, "AWS::OpenSearchService::Domain")[0], "DomainEndpoint"]}


# --- both ---


@pytest.mark.parametrize("store", ["serverless", "domain"])
def test_no_wildcard_action_or_resource(store: str, request: pytest.FixtureRequest) -> None:
    synth: Synth = request.getfixturevalue(store)
    statements = _statements(synth.platform)
    assert statements
    for statement in statements:
        for action in _listed(statement["Action"]):
            assert "*" not in action, statement
        for resource in _listed(statement["Resource"]):
            assert "*" not in _flatten(resource), statement


def test_the_index_name_follows_the_settings() -> None:
    config = DeployConfig.model_validate(
        {"vectors": {"store": "opensearch-domain"}, "settings": {"opensearch_index": "chunks-v2"}}
    )
    app = cdk.App(context=CDK_CONTEXT)
    stack = VectorsStack(app, "Vectors", config=config, env=ENV)
    platform = cdk.Stack(app, "Platform", env=ENV)
    writer = iam.Role(platform, "Writer", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"))
    VectorAccess(platform, "Access", vectors=stack, readers=[], writers=[writer], config=config)
    (statement,) = _statements(Template.from_stack(platform))
    resources = {_flatten(resource) for resource in statement["Resource"]}
    assert "{Import}/chunks-v2/_bulk" in resources
    assert "{Import}/_search/pipeline/chunks-v2-hybrid" in resources


def test_long_names_are_shortened_stably() -> None:
    config = DeployConfig.model_validate({"app_name": "a" * 20, "stage": "s" * 20})
    name = short_name(config, "vectors", 32)
    assert len(name) == 32
    assert name == short_name(config, "vectors", 32)
    assert name != short_name(config.model_copy(update={"stage": "s" * 19 + "t"}), "vectors", 32)
    assert short_name(DeployConfig(), "vectors", 32) == "privategpt-dev-vectors"


@pytest.mark.parametrize("version", ["OpenSearch_2.9", "OpenSearch_1.3", "Elasticsearch_7.10", "2.19"])
def test_engines_without_the_hybrid_pipeline_are_refused(version: str) -> None:
    with pytest.raises(ValueError, match="domain_engine_version"):
        opensearch_version(version)
    assert opensearch_version("OpenSearch_2.10") == "2.10"
