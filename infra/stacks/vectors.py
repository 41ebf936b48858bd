"""The vector store: an OpenSearch Serverless VECTORSEARCH collection (the default) or one small OpenSearch Service
domain. Who may use it is decided by ``infra.constructs.vector_access.VectorAccess`` in the stack that owns the
function roles: role ARNs in this stack would make a cycle, since the functions need this stack's endpoint.

Both are reached over the public endpoint, from Lambda functions outside any VPC, with every request signed by SigV4
(``PGPT_OPENSEARCH_AUTH`` ``aoss`` or ``es``); nothing is reachable anonymously.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any, Literal

from aws_cdk import CfnOutput, RemovalPolicy, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_iam as iam
from aws_cdk import aws_opensearchserverless as aoss
from aws_cdk import aws_opensearchservice as opensearch
from constructs import Construct

from infra.config import DeployConfig
from infra.nag import acknowledge
from privategpt.settings import Settings

# OpenSearch Serverless names (collections, security and access policies): 3-32 characters, ^[a-z][a-z0-9-]+$
AOSS_NAME_MAX = 32
# OpenSearch Service domain names: 3-28 characters, ^[a-z][a-z0-9-]+$
DOMAIN_NAME_MAX = 28
# The oldest engine with everything the store sends: faiss HNSW k-NN with efficient filtering (2.9) and the
# normalization-processor of the hybrid search pipeline (2.10)
MIN_OPENSEARCH_VERSION = (2, 10)
# Every HTTP method a signed client may send; which of them a role may use is decided by its identity policy
ES_HTTP_ACTIONS = [
    "es:ESHttpGet",
    "es:ESHttpHead",
    "es:ESHttpPost",
    "es:ESHttpPut",
    "es:ESHttpDelete",
    "es:ESHttpPatch",
]


def short_name(config: DeployConfig, suffix: str, max_length: int) -> str:
    """``config.name(suffix)``, or when longer than ``max_length`` its head and a hash of the whole (stable, unique
    per app and stage)."""
    name = config.name(suffix)
    if len(name) <= max_length:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:8]
    return f"{name[: max_length - len(digest) - 1].rstrip('-')}-{digest}"


def index_name(config: DeployConfig) -> str:
    """The index the functions use (``PGPT_OPENSEARCH_INDEX``): ``settings.opensearch_index`` or the default."""
    default = Settings.model_fields["opensearch_index"].default
    return str(config.settings.get("opensearch_index", default))


def hybrid_pipeline_name(config: DeployConfig) -> str:
    """The search pipeline the store puts at first use (``OpenSearchStore.pipeline``)."""
    return f"{index_name(config)}-hybrid"


def opensearch_version(engine_version: str) -> str:
    """``OpenSearch_2.19`` -> ``2.19``, refusing Elasticsearch and OpenSearch before 2.10."""
    match = re.fullmatch(r"OpenSearch_(\d+)\.(\d+)", engine_version)
    if not match:
        raise ValueError(f"vectors.domain_engine_version {engine_version!r}: expected OpenSearch_<major>.<minor>")
    if (int(match[1]), int(match[2])) < MIN_OPENSEARCH_VERSION:
        minimum = ".".join(map(str, MIN_OPENSEARCH_VERSION))
        raise ValueError(
            f"vectors.domain_engine_version {engine_version!r}: the hybrid search pipeline needs OpenSearch {minimum}+"
        )
    return f"{match[1]}.{match[2]}"


class VectorsStack(Stack):
    """``endpoint`` (https URL) and ``auth`` (the SigV4 service) for the functions; ``collection`` or ``domain``
    for the access construct."""

    endpoint: str
    auth: Literal["aoss", "es"]
    collection: aoss.CfnCollection | None
    collection_name: str | None
    domain: opensearch.Domain | None

    def __init__(self, scope: Construct, construct_id: str, *, config: DeployConfig, **kwargs: Any) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.config = config
        self.collection = None
        self.collection_name = None
        self.domain = None
        removal = RemovalPolicy.DESTROY if config.is_dev else RemovalPolicy.RETAIN
        store = config.vectors.store
        if store == "opensearch-serverless":
            self.collection = self._collection(removal)
            self.endpoint = self.collection.attr_collection_endpoint
            self.auth = "aoss"
        elif store == "opensearch-domain":
            self.domain = self._domain(removal)
            self.endpoint = f"https://{self.domain.domain_endpoint}"
            self.auth = "es"
        else:
            raise ValueError(f"vectors.store {store!r}: no vectors stack (the app creates it only for OpenSearch)")
        CfnOutput(self, "Endpoint", value=self.endpoint, description="PGPT_OPENSEARCH_URL")

    @property
    def collection_arn(self) -> str:
        if self.collection is None:
            raise AttributeError("no Serverless collection in this deployment")
        return self.collection.attr_arn

    # --- OpenSearch Serverless ---

    def _collection(self, removal: RemovalPolicy) -> aoss.CfnCollection:
        name = short_name(self.config, "vectors", AOSS_NAME_MAX)
        self.collection_name = name
        resource = [f"collection/{name}"]
        encryption = aoss.CfnSecurityPolicy(
            self,
            "EncryptionPolicy",
            name=name,
            type="encryption",
            description="Encryption at rest with an AWS-owned key",
            policy=json.dumps({"Rules": [{"ResourceType": "collection", "Resource": resource}], "AWSOwnedKey": True}),
        )
        # Public network access to the collection endpoint only (not Dashboards): the functions run outside any VPC
        # and reach it over HTTPS; every request still needs a SigV4 signature by a principal named in the data
        # access policy and allowed aoss:APIAccessAll by IAM. A VPC endpoint would put every function in a VPC.
        network = aoss.CfnSecurityPolicy(
            self,
            "NetworkPolicy",
            name=name,
            type="network",
            description="The collection endpoint over HTTPS from anywhere; IAM (SigV4) authentication still applies",
            policy=json.dumps(
                [
                    {
                        "Description": "collection endpoint, no Dashboards",
                        "Rules": [{"ResourceType": "collection", "Resource": resource}],
                        "AllowFromPublic": True,
                    }
                ]
            ),
        )
        collection = aoss.CfnCollection(
            self,
            "Collection",
            name=name,
            type="VECTORSEARCH",
            description=f"{self.config.app_name} {self.config.stage}: document chunks and their embeddings",
            standby_replicas="ENABLED" if self.config.vectors.standby_replicas else "DISABLED",
        )
        # a collection is created only once an encryption policy covers its name (and is reachable once a network
        # policy does): both first
        collection.add_resource_dependency(encryption)
        collection.add_resource_dependency(network)
        collection.apply_removal_policy(removal)
        return collection

    # --- OpenSearch Service domain ---

    def _domain(self, removal: RemovalPolicy) -> opensearch.Domain:
        vectors = self.config.vectors
        name = short_name(self.config, "vectors", DOMAIN_NAME_MAX)
        domain = opensearch.Domain(
            self,
            "Domain",
            domain_name=name,
            version=opensearch.EngineVersion.open_search(opensearch_version(vectors.domain_engine_version)),
            capacity=opensearch.CapacityConfig(
                data_nodes=1,
                data_node_instance_type=vectors.domain_instance_type,
                multi_az_with_standby_enabled=False,
            ),
            zone_awareness=opensearch.ZoneAwarenessConfig(enabled=False),
            ebs=opensearch.EbsOptions(
                enabled=True, volume_size=vectors.domain_volume_gb, volume_type=ec2.EbsDeviceVolumeType.GP3
            ),
            encryption_at_rest=opensearch.EncryptionAtRestOptions(enabled=True),
            node_to_node_encryption=True,
            enforce_https=True,
            tls_security_policy=opensearch.TLSSecurityPolicy.TLS_1_2,
            removal_policy=removal,
        )
        # The domain's resource policy lets this account's principals send signed requests; each role's identity
        # policy (VectorAccess) then decides which. Set on the CloudFormation resource itself: the L2's
        # access_policies would add a custom resource (a Lambda function) to do the same after creation.
        domain_arn = self.format_arn(service="es", resource="domain", resource_name=f"{name}/*")
        policy = iam.PolicyDocument(
            statements=[
                iam.PolicyStatement(
                    principals=[iam.AccountRootPrincipal()],
                    actions=ES_HTTP_ACTIONS,
                    resources=[domain_arn],
                )
            ]
        )
        cfn_domain = domain.node.default_child
        assert isinstance(cfn_domain, opensearch.CfnDomain)
        cfn_domain.access_policies = policy.to_json()
        self._acknowledge_small_domain(domain)
        return domain

    @staticmethod
    def _acknowledge_small_domain(domain: opensearch.Domain) -> None:
        acknowledge(
            domain,
            "AwsSolutions-OS1",
            "The functions run outside any VPC and reach the domain over HTTPS; every request is SigV4-signed and "
            "authorized by IAM (the domain policy delegates to the account's identity policies).",
        )
        acknowledge(
            domain,
            "AwsSolutions-OS3",
            "No IP allow-list: the callers are Lambda functions with changing addresses; IAM (SigV4) authenticates "
            "every request instead.",
        )
        acknowledge(
            domain,
            "AwsSolutions-OS4",
            "The low-cost option for small teams is one data node; dedicated master nodes would triple its cost. "
            "The Serverless collection is the option with redundancy.",
        )
        acknowledge(
            domain,
            "AwsSolutions-OS7",
            "One data node: zone awareness needs at least two. The Serverless collection is the option with "
            "redundancy.",
        )
        for log in ("SEARCH_SLOW_LOGS", "INDEX_SLOW_LOGS"):
            acknowledge(
                domain,
                f"AwsSolutions-OS9[LogExport::{log}]",
                "Slow logs to CloudWatch Logs are a cost the small domain leaves out; the functions log every store "
                "failure with OpenSearch's answer.",
            )
